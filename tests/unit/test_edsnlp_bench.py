"""The edsnlp comparison (bench/edsnlp): scoring rules, the detector side's candidate spans, and
(where var/edsnlp-venv was built by bench/edsnlp/setup.sh) edsnlp's side on a few messages."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.edsnlp.export import build, exchange_for
from bench.edsnlp.scoring import Decision, decide, reported, score
from bot.core.redflags import RedFlagDetector

ROOT = Path(__file__).resolve().parents[2]
PRIORITY = ["A", "B", "E", "F", "C", "D"]
EDSNLP_PYTHON = ROOT / "var" / "edsnlp-venv" / "bin" / "python"


@pytest.fixture(scope="module")
def detector() -> RedFlagDetector:
    det = RedFlagDetector()
    det.analyse("chauffe")
    return det


def test_score_counts_a_more_urgent_group_as_found_and_a_less_urgent_one_as_missed() -> None:
    messages = [
        {"set": "red_flags", "label": "C", "text": "x"},
        {"set": "red_flags", "label": "B", "text": "y"},
        {"set": "negatives", "label": None, "text": "z"},
        {"set": "ambiguous", "label": None, "text": "w"},
        {"set": "ambiguous", "label": None, "text": "v"},
    ]
    decisions = [Decision("A"), Decision("D"), Decision("D"), Decision(None, True), Decision("C", True)]
    figures = score(messages, decisions, PRIORITY)
    assert figures["recall"]["C"] == 1.0 and figures["recall"]["B"] == 0.0
    assert figures["overall_recall"] == 0.5
    assert figures["false_alarms"] == 1 and figures["missed"] == {"B": ["y"]}
    assert figures["ambiguous_detected"] == 1  # a message given a group is not "detected as ambiguous"


def test_reported_skips_negation_only_for_patterns_that_hold_their_own() -> None:
    negated = {"negation": True, "hypothesis": False, "history": False, "family": False}
    assert not reported(negated, carries_negation=False)
    assert reported(negated, carries_negation=True)
    assert not reported({**negated, "hypothesis": True}, carries_negation=True)
    family = {"negation": False, "hypothesis": False, "history": False, "family": True}
    assert not reported(family, carries_negation=False)
    assert reported(family, carries_negation=False, use=("negation", "hypothesis", "history"))


def test_decide_takes_the_most_urgent_reported_group() -> None:
    cands = [{"group": "D"}, {"group": "A"}, {"group": "C"}, {"group": "ambiguous"}]
    assert decide(cands, [True, False, True, True], PRIORITY) == Decision("C", True)
    assert decide(cands, [False, False, False, False], PRIORITY) == Decision(None, False)


def test_candidate_spans_give_back_the_detector_on_the_labelled_set(detector: RedFlagDetector) -> None:
    """build() stops with an error if the filters' verdicts on the candidates differ from detect()."""
    labelled = yaml.safe_load((ROOT / "tests" / "redflags" / "labelled_set.yml").read_text(encoding="utf-8"))
    sample = {key: values[::4] for key, values in labelled.items()}
    messages = build(detector, sample)
    assert len(messages) == sum(len(v) for v in sample.values())
    for message in messages:
        for cand in message["candidates"]:
            for (start, end), word in zip(cand["word_spans"], cand["words"]):
                assert message["text"][start:end] == word
            # "all" patterns match in any order: the span runs from the first word in the text to the last
            assert cand["start"] == min(s for s, _ in cand["word_spans"])
            assert cand["end"] == max(e for _, e in cand["word_spans"])


def test_candidates_keep_negated_and_old_symptoms_with_the_filter_that_rejects_them(detector: RedFlagDetector) -> None:
    data = {
        "red_flags": [{"text": "je ne sens plus mes jambes", "group": "A"}],
        "negatives": ["je n'ai pas de fièvre", "il y a 5 ans j'ai fait une embolie pulmonaire"],
        "ambiguous": [],
    }
    legs, fever, embolism = build(detector, data)
    assert [(c["group"], c["carries_negation"], c["accepted"]) for c in legs["candidates"]] == [("A", True, True)]
    (cand,) = [c for c in fever["candidates"] if c["group"] == "D"]
    assert fever["text"][cand["start"] : cand["end"]] == "fièvre"
    assert cand["filters"]["negated"] and not cand["accepted"]
    (cand,) = embolism["candidates"]
    assert cand["group"] == "B" and cand["filters"]["historical"] and not cand["accepted"]


@pytest.mark.skipif(not EDSNLP_PYTHON.exists(), reason="var/edsnlp-venv absent: bash bench/edsnlp/setup.sh")
def test_edsnlp_side_qualifies_the_detector_spans(detector: RedFlagDetector, tmp_path: Path) -> None:
    data: dict[str, Any] = {
        "red_flags": [
            {"text": "ma mère ne sent plus ses jambes", "group": "A"},
            {"text": "je ne sens plus mes jambes", "group": "A"},
            {"text": "j'ai de la fièvre depuis hier", "group": "D"},
        ],
        "negatives": ["je n'ai pas de fièvre", "il y a 5 ans j'ai fait une embolie pulmonaire"],
        "ambiguous": ["j'ai des fourmis dans les pieds"],
    }
    exchange, out = tmp_path / "exchange.json", tmp_path / "edsnlp.json"
    exchange.write_text(json.dumps(exchange_for(detector, data, repeat=1), ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(
        [
            str(EDSNLP_PYTHON),
            "-m",
            "bench.edsnlp.compare",
            "--repeat",
            "1",
            "--exchange",
            str(exchange),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    systems = json.loads(out.read_text(encoding="utf-8"))["systems"]
    with_family = systems["edsnlp (négation, hypothèse, antécédent, famille)"]["figures"]
    without_family = systems["edsnlp sans eds.family"]["figures"]
    assert with_family["missed"] == {"A": ["ma mère ne sent plus ses jambes"]}  # eds.family: a relative
    assert without_family["overall_recall"] == 1.0  # "ne ... plus" of the pattern itself is not a negation
    assert without_family["false_alarms"] == 0  # "pas de" negates, "il y a 5 ans" is history
    assert without_family["ambiguous_detected"] == 1
