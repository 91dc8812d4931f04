import pytest

from bot.quality.metrics import accuracy, errors_by_label, macro_f1, per_label_f1, percentile, threshold_table


def test_accuracy_and_f1_on_a_known_case() -> None:
    gold = ["a", "a", "b", "b"]
    pred = ["a", "b", "b", "b"]
    assert accuracy(gold, pred) == 0.75
    scores = per_label_f1(gold, pred)
    assert scores["a"] == pytest.approx(2 / 3)
    assert scores["b"] == pytest.approx(0.8)
    assert macro_f1(gold, pred) == pytest.approx((2 / 3 + 0.8) / 2)
    assert errors_by_label(gold, pred) == {"a": {"b": 1}}


def test_empty_inputs_do_not_divide_by_zero() -> None:
    assert accuracy([], []) == 0.0
    assert macro_f1([], []) == 0.0
    assert percentile([], 95) == 0.0


def test_threshold_table_trades_coverage_for_accuracy() -> None:
    rows = threshold_table(["a", "b", "c"], ["a", "x", "c"], [0.9, 0.4, 0.6], [0.5, 0.95])
    assert rows[0]["answered"] == pytest.approx(2 / 3) and rows[0]["accuracy_answered"] == 1.0
    assert rows[1]["answered"] == 0.0


def test_percentile_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 100) == 100
