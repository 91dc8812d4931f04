"""Conversation outcome (deflection) and dashboard figures: pure functions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.console.charts import bar_chart, column_chart
from bot.console.stats import (
    ABANDONED,
    ANSWERED,
    CALLBACK,
    NOT_HELPED,
    AlertRow,
    EventRow,
    build_dashboard,
    classify_outcome,
    outcomes_by_conversation,
)
from bot.console.timeutil import LOCAL_TZ


def u(intent: str, cid: str = "c", ts: float | None = None) -> EventRow:
    return EventRow(cid, "user", ts, intent_name=intent)


def b(cid: str = "c", ts: float | None = None) -> EventRow:
    return EventRow(cid, "bot", ts)


def loop(name: str | None, cid: str = "c") -> EventRow:
    return EventRow(cid, "active_loop", None, action_name=name)


def test_understood_question_answered() -> None:
    assert classify_outcome([u("greet"), b(), u("ask_duration"), b(), u("goodbye"), b()]) == ANSWERED


def test_red_flag_answer_counts_as_an_answer() -> None:
    assert classify_outcome([u("red_flag_a"), b()]) == ANSWERED


def test_callback_request_wins() -> None:
    assert classify_outcome([u("ask_duration"), b()], has_callback_request=True) == CALLBACK


def test_asking_for_a_person_is_callback() -> None:
    for intent in ("request_human", "request_callback", "book_appointment", "change_appointment"):
        assert classify_outcome([u("ask_duration"), b(), u(intent), b()]) == CALLBACK


def test_a_no_to_an_answer_is_not_deflected() -> None:
    events = [u("ask_fasting"), b(), u("feedback"), u("ask_going_home"), b()]
    assert classify_outcome(events, has_negative_feedback=True) == NOT_HELPED
    assert classify_outcome(events) == ANSWERED  # a "Oui" changes nothing
    assert classify_outcome(events, has_callback_request=True, has_negative_feedback=True) == CALLBACK
    assert classify_outcome([u("feedback")], has_negative_feedback=True) == ABANDONED  # a click is not a question


def test_only_fallbacks_is_abandoned() -> None:
    assert classify_outcome([u("nlu_fallback"), b(), u("nlu_fallback"), b()]) == ABANDONED


def test_fallback_then_answer_is_answered() -> None:
    assert classify_outcome([u("nlu_fallback"), b(), u("ask_fasting"), b()]) == ANSWERED


def test_left_in_a_form_is_abandoned() -> None:
    events = [u("ask_cost"), b(), u("report_symptom_unclear"), b(), loop("symptom_form"), b()]
    assert classify_outcome(events) == ABANDONED


def test_finished_form_is_not_abandoned() -> None:
    events = [u("report_symptom_unclear"), b(), loop("symptom_form"), u("deny"), b(), loop(None), b()]
    assert classify_outcome(events) == ANSWERED


def test_small_talk_only_or_nothing_is_abandoned() -> None:
    assert classify_outcome([u("greet"), b(), u("thank"), b()]) == ABANDONED
    assert classify_outcome([]) == ABANDONED
    assert classify_outcome([u("ask_duration")]) == ABANDONED  # no reply recorded


def test_outcomes_by_conversation() -> None:
    rows = [u("ask_cost", "a"), b("a"), u("nlu_fallback", "b"), b("b"), u("ask_cost", "c"), b("c"),
            u("ask_cost", "d"), b("d"), u("feedback", "d")]
    outcomes = outcomes_by_conversation(rows, {"c"}, {"d"})
    assert outcomes == {"a": ANSWERED, "b": ABANDONED, "c": CALLBACK, "d": NOT_HELPED}


def _ts(day: date, hour: int) -> float:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ).timestamp()


def test_dashboard_figures() -> None:
    d1, d2 = date(2026, 3, 28), date(2026, 3, 29)  # the night of the change to summer time in Paris
    rows = [
        u("ask_cost", "a", _ts(d1, 23)),
        b("a", _ts(d1, 23)),
        u("ask_cost", "a", _ts(d2, 0) + 60),  # after local midnight: counted on d2
        b("a", _ts(d2, 0) + 60),
        u("nlu_fallback", "b", _ts(d2, 10)),
        b("b", _ts(d2, 10)),
        u("red_flag_b", "c", _ts(d2, 11)),
        b("c", _ts(d2, 11)),
        u("request_callback", "d", _ts(d2, 12)),
        b("d", _ts(d2, 12)),
        u("greet", "d", _ts(d2, 12)),
    ]
    dash = build_dashboard(
        rows,
        first_day=d1,
        last_day=d2,
        alerts=[AlertRow("c", "B", False), AlertRow("x", "A", True)],
        callback_conversations={"d"},
        callback_requests=1,
        callback_requests_pending=1,
        feedback=(3, 1),
    )
    assert dash.days == [d1, d2]
    assert dash.conversations_per_day == [1, 3]
    assert dash.messages_per_day == [1, 5]
    assert dash.conversations == 4 and dash.user_messages == 6
    assert dash.fallback_messages == 1 and abs(dash.fallback_rate - 1 / 6) < 1e-9
    assert dash.top_intents[0] == ("ask_cost", 2)
    assert "greet" not in dict(dash.top_intents) and "nlu_fallback" not in dict(dash.top_intents)
    assert dash.red_flag_conversations == 2  # c (intent and alert) and x (alert)
    assert dash.alerts == 2 and dash.alerts_unacknowledged == 1
    assert dash.alerts_by_group == [("A", 1), ("B", 1)]
    assert dash.outcomes == {ANSWERED: 2, NOT_HELPED: 0, CALLBACK: 1, ABANDONED: 1}
    assert dash.deflection_rate == 0.5
    assert dash.feedback_share == 0.75
    data = dash.as_dict()
    assert data["outcomes"] == {"answered": 2, "not_helped": 0, "callback": 1, "abandoned": 1}
    assert data["feedback"] == {"oui": 3, "non": 1}
    assert data["dates"] == ["2026-03-28", "2026-03-29"]


def test_empty_dashboard() -> None:
    today = date(2026, 1, 10)
    dash = build_dashboard([], first_day=today - timedelta(days=6), last_day=today)
    assert dash.conversations == 0 and dash.fallback_rate == 0 and dash.deflection_rate == 0
    assert dash.conversations_per_day == [0] * 7


def test_chart_geometry() -> None:
    chart = column_chart("t", ["a", "b", "c"], [0, 5, 10], width=300, height=100)
    assert len(chart.bars) == 3 and not chart.empty
    assert chart.bars[0].height == 0 and chart.bars[2].height > chart.bars[1].height > 0
    assert all(b.y + b.height <= 100 for b in chart.bars)
    assert column_chart("t", ["a"], [0]).empty
    horizontal = bar_chart("t", ["x", "y"], [4, 2], width=400)
    assert horizontal.bars[0].width == 2 * horizontal.bars[1].width
