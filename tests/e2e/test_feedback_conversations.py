"""Feedback on answers through the real Rasa and action servers: stored with the conversation, harmless in
a form, and a red flag in the comment still gets the emergency answer."""

from __future__ import annotations

import json
import uuid

import pytest
from conftest import texts
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.e2e


def new_id() -> str:
    return f"rest-feedback-{uuid.uuid4().hex[:10]}"


def payload(value: str, answer: str = "utter_ask_fasting", comment: str | None = None) -> str:
    entities = {"feedback_value": value, "feedback_answer": answer}
    if comment is not None:
        entities["feedback_comment"] = comment
    return "/feedback" + json.dumps(entities, ensure_ascii=False)


def rows(rasa_server, sql: str, **params) -> list[tuple]:
    engine = create_engine(rasa_server.database_url)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(text(sql), params)]
    finally:
        engine.dispose()


def test_feedback_is_stored_with_the_answer_and_its_intent(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "je dois etre a jeun ?")
    assert rasa_server.say(sender, payload("non")) == []  # nothing said: the patient goes on
    comment = "combien d'heures avant ? ‘quotes’ \"doubles\" {accolades} <b>"
    assert any("Merci" in t for t in texts(rasa_server.say(sender, payload("non", comment=comment))))
    stored = rows(rasa_server, "SELECT answer, intent, value, comment FROM answer_feedback WHERE conversation_id = :c",
                  c=sender)
    assert stored == [("utter_ask_fasting", "ask_fasting", "non", comment)]
    # the conversation goes on as before
    assert "2 à 4 heures" in "\n".join(texts(rasa_server.say(sender, "quand est ce que je pourrai rentrer chez moi ?")))


def test_feedback_does_not_break_the_callback_request(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "faut il venir a jeun ?")
    rasa_server.say(sender, "rappelez moi svp")
    again = texts(rasa_server.say(sender, payload("oui")))
    assert any("Quel nom" in t for t in again), again  # the form asks its question again
    for message in ["Jeanne Test", "06 11 22 33 44", "le matin", "une question", "/affirm"]:
        replies = rasa_server.say(sender, message)
    assert any("C'est noté" in t for t in texts(replies))
    names = rows(rasa_server, "SELECT name FROM callback_requests WHERE conversation_id = :c", c=sender)
    assert names == [("Jeanne Test",)]
    assert rows(rasa_server, "SELECT value FROM answer_feedback WHERE conversation_id = :c", c=sender) == [("oui",)]


def test_feedback_does_not_break_the_follow_up_questions(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "combien de temps dure l'intervention ?")
    assert any("quelques questions" in t for t in texts(rasa_server.say(sender, "j'ai des fourmis dans les pieds")))
    again = texts(rasa_server.say(sender, payload("non", "utter_ask_duration")))
    assert any("jambes" in t for t in again), again  # the same question again
    for answer in ["/deny"] * 5:  # six questions: the sixth "non" ends them
        rasa_server.say(sender, answer)
    assert any("pas de signe d'urgence" in t for t in texts(rasa_server.say(sender, "/deny")))


def test_a_red_flag_in_the_comment_gets_the_emergency_answer_and_an_alert(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "combien de temps dure l'intervention ?")
    replies = texts(rasa_server.say(sender, payload("non", "utter_ask_duration", "mon père ne sent plus ses jambes")))
    assert replies and replies[0].startswith("🚨")
    assert rows(rasa_server, "SELECT flag_group FROM alerts WHERE conversation_id = :c", c=sender) == [("A",)]


def test_no_feedback_is_stored_for_an_emergency_answer(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "je ne sens plus mes jambes depuis ce matin")
    rasa_server.say(sender, payload("non", "utter_red_flag_a"))
    assert rows(rasa_server, "SELECT id FROM answer_feedback WHERE conversation_id = :c", c=sender) == []
