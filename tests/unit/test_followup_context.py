"""A short message the classifier could not read, answered as a follow-up of the previous answer."""

from __future__ import annotations

from rasa.shared.core.constants import ACTION_LISTEN_NAME

from bot.core.followups import aspect_in_context
from bot.rasa_server.policies import FOLLOWUP_ACTION, followup_action


def ranking(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": "nlu_fallback", "confidence": 0.3}] + [{"name": n, "confidence": c} for n, c in pairs]


def test_a_short_unsure_message_after_an_answer_takes_the_followup_aspect() -> None:
    r = ranking(("followup_duration", 0.25), ("ask_duration", 0.2))
    assert aspect_in_context(r, "ask_results", "et c'est pour toujours ?") == "duration"


def test_followup_intents_together_can_outweigh_a_topic() -> None:
    r = ranking(("ask_risks", 0.25), ("followup_severity", 0.2), ("followup_frequency", 0.18))
    assert aspect_in_context(r, "ask_infection_risk", "le risque est grand ?") == "severity"


def test_nothing_is_rescued_without_a_previous_answer() -> None:
    assert aspect_in_context(ranking(("followup_duration", 0.25)), None, "combien de temps ?") is None


def test_a_long_message_is_not_a_followup() -> None:
    text = "je voudrais savoir si ma voisine qui a eu la même chose pourrait venir avec moi ce jour-là"
    assert aspect_in_context(ranking(("followup_duration", 0.25)), "ask_results", text) is None


def test_a_ranking_that_points_elsewhere_is_left_to_the_fallback() -> None:
    r = ranking(("ask_address", 0.28), ("ask_parking", 0.2), ("followup_when", 0.1))
    assert aspect_in_context(r, "ask_results", "et le bus ?") is None


def test_the_policy_answers_the_followup_then_listens() -> None:
    r = ranking(("followup_pain", 0.28))
    assert followup_action("nlu_fallback", r, "ça fait mal ?", "ask_sedation", [], False) == FOLLOWUP_ACTION
    assert followup_action("nlu_fallback", r, "ça fait mal ?", "ask_sedation", [FOLLOWUP_ACTION], False) \
        == ACTION_LISTEN_NAME


def test_the_policy_abstains_when_understood_in_a_form_or_after_another_action() -> None:
    r = ranking(("followup_pain", 0.28))
    assert followup_action("ask_sedation", r, "ça fait mal ?", "ask_sedation", [], False) is None
    assert followup_action("nlu_fallback", r, "ça fait mal ?", "ask_sedation", [], True) is None
    assert followup_action("nlu_fallback", r, "ça fait mal ?", "ask_sedation", ["utter_default"], False) is None
