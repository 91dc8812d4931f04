"""The follow-up questions on a vague symptom: their order, and the end on the first "yes"."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.triage import TRIAGE_QUESTIONS, TRIAGE_SLOTS, questions_to_ask, triage_outcome

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
NO = dict.fromkeys(TRIAGE_SLOTS, False)


def test_questions_are_asked_legs_bladder_breathing_bleeding_malaise_then_fever() -> None:
    assert TRIAGE_QUESTIONS == (("tr_weakness", "A"), ("tr_bladder", "A"), ("tr_breathing", "B"),
                                ("tr_bleeding", "C"), ("tr_malaise", "E"), ("tr_fever", "D"))
    assert DOMAIN["forms"]["triage_form"]["required_slots"] == list(TRIAGE_SLOTS)


def test_every_question_is_a_yes_no_question_of_the_domain() -> None:
    for slot in TRIAGE_SLOTS:
        response = DOMAIN["responses"][f"utter_ask_{slot}"][0]
        assert response["text"].endswith("?")
        assert [b["payload"] for b in response["buttons"]] == ["/affirm", "/deny"]
        assert DOMAIN["slots"][slot]["type"] == "bool"


def test_no_yes_means_no_group_and_every_question_asked() -> None:
    assert triage_outcome(NO) is None and triage_outcome({}) is None
    assert questions_to_ask({}) == list(TRIAGE_SLOTS)
    assert questions_to_ask(NO) == list(TRIAGE_SLOTS)


def test_the_first_yes_ends_the_questions_with_its_group() -> None:
    assert questions_to_ask({"tr_weakness": True}) == ["tr_weakness"]
    assert triage_outcome({"tr_weakness": True}) == "A"
    partial = {"tr_weakness": False, "tr_bladder": False, "tr_breathing": False, "tr_bleeding": True}
    assert questions_to_ask(partial) == ["tr_weakness", "tr_bladder", "tr_breathing", "tr_bleeding"]
    assert triage_outcome(partial) == "C"
    assert triage_outcome({**NO, "tr_malaise": True}) == "E"
    assert triage_outcome({**NO, "tr_fever": True}) == "D"


def test_a_yes_is_read_in_the_asking_order() -> None:
    # Fever is asked last: a yes to it never outranks an earlier yes.
    assert triage_outcome({"tr_fever": True, "tr_breathing": True}) == "B"
    assert triage_outcome({"tr_fever": True, "tr_bladder": True}) == "A"
    assert questions_to_ask({"tr_fever": True, "tr_breathing": True})[-1] == "tr_breathing"


def test_texts_of_the_questions_say_what_issue_11_asks() -> None:
    responses = DOMAIN["responses"]
    intro = responses["utter_triage_intro"][0]["text"].lower()
    assert "si vous vous sentez très mal, appelez le 15 sans attendre" in intro
    assert responses["utter_ask_tr_bladder"][0]["text"].startswith("Depuis peu")
    reassure = responses["utter_triage_reassure"][0]["text"]
    assert "parmi ceux que j'ai demandés" in reassure and "vous inquiète ou s'aggrave" in reassure
    assert "{centre_phone}" in reassure and "médecin" in reassure and "15" in reassure
