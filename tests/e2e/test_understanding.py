"""Long, mixed and elliptical messages through the REST channel, with the real Rasa and action servers."""

from __future__ import annotations

import re
import uuid

import pytest
from conftest import texts

pytestmark = pytest.mark.e2e

HOURS = re.compile(r"\b\d+\s*(?:h\b|heures?)", re.IGNORECASE)


def new_id() -> str:
    """A REST conversation id; `rasa_server.say` signs it (the server runs in production mode)."""
    return f"rest-understand-{uuid.uuid4().hex[:12]}"


def test_a_question_and_a_goodbye_are_both_answered_question_first(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    replies = texts(rasa_server.say(sender, "Est-ce que je pourrai conduire pour rentrer ? Merci beaucoup, au revoir"))
    driving = next(i for i, t in enumerate(replies) if "conduisez pas" in t)
    goodbye = next(i for i, t in enumerate(replies) if t.startswith("Au revoir"))
    assert driving < goodbye


def test_two_questions_on_two_topics_get_two_answers(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    reply = "\n".join(texts(rasa_server.say(
        sender, "Combien de temps dure l'intervention et est-ce qu'il faut venir à jeun ?")))
    assert "1 heure" in reply and "à jeun" in reply


def test_how_many_hours_after_the_fasting_answer_gives_no_number(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    assert "à jeun" in "\n".join(texts(rasa_server.say(sender, "faut il etre a jeun avant la cimentoplastie")))
    reply = "\n".join(texts(rasa_server.say(sender, "combien d'heures ?")))
    assert "consignes écrites" in reply
    assert not HOURS.search(reply), reply


def test_a_follow_up_is_answered_against_the_previous_topic(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "c'est quoi l'osteoporose ?")
    assert "5 % chez les hommes" in "\n".join(texts(rasa_server.say(sender, "et chez les hommes ?")))
    rasa_server.say(sender, "est-ce que le ciment peut fuir ?")
    assert "moins de 1 %" in "\n".join(texts(rasa_server.say(sender, "c'est grave ?")))


def test_a_statement_gets_an_acknowledgement_and_no_follow_up_questions(rasa_server) -> None:
    sender = new_id()
    replies = texts(rasa_server.say(sender, "j'ai eu la cimentoplastie hier, tout s'est bien passé"))
    reply = "\n".join(replies)
    assert "Que voulez-vous savoir" in reply
    assert "questions rapides" not in reply and "🚨" not in reply


def test_negated_symptoms_then_a_question_get_the_answer_not_the_questions(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    message = "Pas de fièvre, je sens bien mes jambes et le pansement est propre. Quand puis-je reprendre le volant ?"
    reply = "\n".join(texts(rasa_server.say(sender, message)))
    assert "conduisez pas" in reply or "volant" in reply
    assert "questions rapides" not in reply and "🚨" not in reply


def test_a_long_friendly_message_ending_on_urinary_retention_gets_the_emergency_answer_first(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    replies = texts(rasa_server.say(
        sender,
        "Merci encore pour l'accueil de jeudi, l'équipe a été adorable et je dors bien mieux sur le côté. "
        "Je voulais savoir si je peux dormir sur le ventre maintenant. Ah et depuis hier soir j'ai envie "
        "d'uriner mais rien ne sort.",
    ))
    assert replies[0].startswith("🚨") and "15" in replies[0]


def test_another_operation_gets_the_out_of_scope_answer(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    reply = "\n".join(texts(rasa_server.say(sender, "combien de temps faut il etre a jeun avant une coloscopie ?")))
    assert "Je ne peux pas répondre à cette question" in reply
    assert "consignes écrites" not in reply


@pytest.mark.parametrize("message", [
    "combien de temps faut il rester a jeun avant une prothese de hanche ?",
    "Ma mère se fait opérer de la cataracte, pourra-t-elle conduire le lendemain ?",
])
def test_another_operation_gets_the_out_of_scope_answer_not_vertebroplasty_facts(rasa_server, message: str) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    reply = "\n".join(texts(rasa_server.say(sender, message)))
    assert "seulement sur la vertébroplastie" in reply
    assert "à jeun" not in reply and "conduisez pas" not in reply


def test_a_leg_that_goes_numb_after_another_operation_still_gets_the_emergency_answer(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    replies = texts(rasa_server.say(sender, "depuis ma prothese de hanche hier je ne sens plus du tout ma jambe"))
    assert replies[0].startswith("🚨") and "15" in replies[0]
