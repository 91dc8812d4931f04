"""When a vague-symptom match replaces the classifier's intent (bot.rasa_server.components.ambiguity_overrides)."""

from __future__ import annotations

import pytest

from bot.rasa_server.components import CONFIDENT_QUESTION, ambiguity_overrides


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        # A sure question keeps its answer: "en quoi le ciment calme le mal de dos ?"
        ({"name": "ask_mechanism", "confidence": 0.9}, False),
        ({"name": "ask_pain_after", "confidence": CONFIDENT_QUESTION}, False),
        # An unsure question, a non-question or a misunderstanding gets the follow-up questions.
        ({"name": "ask_mechanism", "confidence": CONFIDENT_QUESTION - 0.01}, True),
        ({"name": "greet", "confidence": 0.95}, True),
        ({"name": "nlu_fallback", "confidence": 0.3}, True),
        ({}, True),
        # Inside a form, yes / no / stop keep their meaning; a red flag is never downgraded.
        ({"name": "deny", "confidence": 0.2}, False),
        ({"name": "stop", "confidence": 0.2}, False),
        ({"name": "red_flag_a", "confidence": 0.2}, False),
    ],
)
def test_ambiguity_overrides(original: dict, expected: bool) -> None:
    assert ambiguity_overrides(original) is expected


# --- The component on Rasa messages, with a stand-in detector (the real one is tested in tests/redflags).

class StubDetector:
    def __init__(self, detected: str | None = None, mentioned: tuple[str, ...] = (), ambiguous: bool = False):
        self.detected, self.mentioned, self.ambiguous = detected, mentioned, ambiguous

    def analyse(self, text: str, doc: object = None) -> object:
        from bot.core.redflags import Detection, Report

        reported = () if self.detected is None else (Detection(self.detected, ("mot",), text),)
        return Report(reported=reported, mentioned=self.mentioned, ambiguous=("mal",) if self.ambiguous else ())


def run_component(detector: StubDetector, ranking: list[tuple[str, float]]) -> dict:
    from rasa.shared.nlu.training_data.message import Message

    from bot.rasa_server.components import RedFlagComponent

    ranked = [{"name": n, "confidence": c} for n, c in ranking]
    message = Message(data={"text": "un message", "intent": ranked[0], "intent_ranking": ranked})
    RedFlagComponent(detector=detector).process([message])  # type: ignore[arg-type]
    return {"intent": message.get("intent"), "ranking": message.get("intent_ranking"),
            "entities": message.get("entities") or []}


def test_a_detected_red_flag_overrules_the_classifier_and_keeps_its_guess() -> None:
    out = run_component(StubDetector(detected="A"), [("ask_going_home", 0.9), ("ask_driving", 0.1)])
    assert out["intent"] == {"name": "red_flag_a", "confidence": 1.0}
    [entity] = out["entities"]
    assert entity["value"] == "A" and entity["original_intent"]["name"] == "ask_going_home"


def test_a_sure_classifier_red_flag_without_detector_evidence_stays_an_emergency() -> None:
    out = run_component(StubDetector(), [("red_flag_f", 0.9), ("ask_pain_after", 0.05)])
    assert out["intent"]["name"] == "red_flag_f"


def test_an_unsure_classifier_red_flag_gets_the_follow_up_questions() -> None:
    out = run_component(StubDetector(), [("red_flag_a", 0.6), ("ask_daily_life", 0.3)])
    assert out["intent"]["name"] == "report_symptom_unclear"


def test_a_negated_red_flag_falls_back_to_the_next_intent_renormalised() -> None:
    # "je n'ai pas de fièvre, je peux prendre une douche ?": the detector read fever as negated.
    out = run_component(StubDetector(mentioned=("D",)),
                        [("red_flag_d", 0.6), ("ask_daily_life", 0.3), ("red_flag_e", 0.05), ("greet", 0.05)])
    assert out["intent"]["name"] == "ask_daily_life"
    assert out["intent"]["confidence"] == pytest.approx(0.3 / 0.35)
    assert [r["name"] for r in out["ranking"]] == ["ask_daily_life", "greet"]


def test_a_negated_red_flag_with_no_sure_alternative_asks_to_rephrase() -> None:
    out = run_component(StubDetector(mentioned=("D",)),
                        [("red_flag_d", 0.6), ("ask_daily_life", 0.1), ("greet", 0.1), ("thank", 0.1), ("deny", 0.1)])
    assert out["intent"]["name"] == "nlu_fallback"


def test_evidence_about_another_group_does_not_cancel_the_classifier() -> None:
    # "pas de fièvre mais une bosse qui grossit": fever is negated, the swelling is not.
    out = run_component(StubDetector(mentioned=("D",)), [("red_flag_c", 0.9), ("ask_daily_life", 0.1)])
    assert out["intent"]["name"] == "red_flag_c"


def test_config_keeps_the_component_threshold_equal_to_the_fallback_classifier() -> None:
    from pathlib import Path

    import yaml

    pipeline = yaml.safe_load((Path(__file__).resolve().parents[2] / "config.yml").read_text())["pipeline"]
    by_name = {c["name"]: c for c in pipeline}
    assert by_name["bot.rasa_server.components.RedFlagComponent"]["fallback_threshold"] == \
        by_name["FallbackClassifier"]["threshold"]
