"""Feedback on an answer: which answers ask for it, what the payload carries, which answer it is about."""

from __future__ import annotations

import pytest

from bot.core.feedback import (
    MAX_COMMENT,
    answer_intent,
    asks_feedback,
    clean_comment,
    find_answered_question,
    parse_feedback,
    practical_answer_name,
)
from bot.rasa_server.channels import answer_metadata


@pytest.mark.parametrize(
    ("answer", "intent"),
    [
        ("utter_ask_fasting", "ask_fasting"),
        ("utter_ask_going_home", "ask_going_home"),
        (practical_answer_name("ask_cost"), "ask_cost"),
        ("utter_ask_cb_name", None),  # a form's question
        ("utter_ask_tr_weakness", None),
        ("utter_default", None),  # "reformulez"
        ("utter_red_flag_a", None),
        ("utter_greet", None),
        ("utter_ask_capabilities", None),  # a menu
        ("utter_ask_fasting:x", None),
        ("", None),
        (None, None),
    ],
)
def test_only_informational_answers_ask_for_feedback(answer: str | None, intent: str | None) -> None:
    assert answer_intent(answer) == intent
    assert asks_feedback(answer) is (intent is not None)


def test_socketio_messages_name_the_answer_and_say_whether_to_ask() -> None:
    assert answer_metadata({"utter_action": "utter_ask_fasting"}) == {
        "metadata": {"utter_action": "utter_ask_fasting", "ask_feedback": True}
    }
    assert answer_metadata({"utter_action": "utter_red_flag_a"})["metadata"]["ask_feedback"] is False
    assert answer_metadata({}) == {} and answer_metadata({"utter_action": 3}) == {}


def entity(name: str, value: object) -> dict:
    return {"entity": name, "value": value}


def test_payload_entities_become_a_feedback_request() -> None:
    request = parse_feedback([entity("feedback_value", "NON"), entity("feedback_answer", " utter_ask_fasting "),
                              entity("feedback_comment", "  les heures\n\x00exactes ")])
    assert request is not None
    assert (request.value, request.answer, request.comment) == ("non", "utter_ask_fasting", "les heures exactes")
    assert parse_feedback([entity("feedback_value", "oui")]).answer == ""
    for bad in ([], [entity("feedback_value", "peut-être")], [entity("feedback_value", 1)], [{"x": 1}], None):
        assert parse_feedback(bad) is None
    assert len(clean_comment("a" * 5000)) == MAX_COMMENT
    assert clean_comment({"html": "<b>"}) == ""


def user(text: str, intent: str, ts: float) -> dict:
    return {"event": "user", "text": text, "timestamp": ts, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, answer: str | None, ts: float) -> dict:
    return {"event": "bot", "text": text, "timestamp": ts, "metadata": {"utter_action": answer} if answer else {}}


EVENTS = [
    user("bonjour", "greet", 1),
    bot("Bonjour !", "utter_greet", 2),
    user("je dois etre a jeun ?", "ask_fasting", 3),
    bot("Oui, il faut venir à jeun…", "utter_ask_fasting", 4),
    user("/feedback{...}", "feedback", 5),
    user("et pour rentrer ?", "ask_going_home", 6),
    bot("Vous pouvez rentrer…", "utter_ask_going_home", 7),
    user("je ne sens plus mes jambes, et le jeûne ?", "red_flag_a", 8),
    bot("🚨 URGENCE : appelez le 15", "utter_red_flag_a", 9),
    bot("Pour votre autre question :", "utter_red_flag_other_question", 10),
    bot("Oui, il faut venir à jeun…", "utter_ask_fasting", 11),
]


def test_feedback_is_about_the_named_answer_and_the_question_it_answered() -> None:
    found = find_answered_question(EVENTS, "utter_ask_fasting")
    assert found is not None
    # the second fasting answer came with an emergency answer: the feedback is about the first one
    assert (found.answer, found.answer_at, found.intent, found.question, found.question_at) == (
        "utter_ask_fasting", 4.0, "ask_fasting", "je dois etre a jeun ?", 3.0)
    latest = find_answered_question(EVENTS, "")
    assert latest is not None and (latest.answer, latest.intent) == ("utter_ask_going_home", "ask_going_home")


def test_no_feedback_on_an_emergency_answer_or_an_answer_never_given() -> None:
    assert find_answered_question(EVENTS, "utter_red_flag_a") is None
    assert find_answered_question(EVENTS, "utter_ask_risks") is None
    assert find_answered_question([], "") is None
