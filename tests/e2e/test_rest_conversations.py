"""Real conversations through the REST channel, with the real Rasa and action servers."""

from __future__ import annotations

import uuid

import pytest
import requests
from conftest import texts
from sqlalchemy import create_engine, text

from bot.core.centre import load_centre
from bot.settings import RETENTION_DAYS

pytestmark = pytest.mark.e2e
CENTRE = load_centre()


def new_id() -> str:
    """A REST conversation id; `rasa_server.say` signs it (the server runs in production mode)."""
    return f"rest-test-{uuid.uuid4().hex[:12]}"


def joined(replies: list[dict]) -> str:
    return "\n".join(texts(replies))


def test_conversation_starts_with_the_disclaimer(rasa_server) -> None:
    replies = rasa_server.say(new_id(), "bonjour")
    first = replies[0]["text"]
    assert "Je ne remplace pas votre médecin" in first and CENTRE.name in first
    assert "15" in first and "{" not in first
    assert any("vertébroplastie" in t for t in texts(replies[1:]))


@pytest.mark.parametrize(
    "question,expected",
    [
        ("quand est ce que je pourrai rentrer chez moi apres la vertebroplastie ?", "2 à 4 heures"),
        ("est ce qu'il faut etre a jeun pour l'intervention", "à jeun"),
        ("quel est le numero de telephone du centre svp", CENTRE.phone),
        ("ma mere prend du kardegic, doit elle l'arreter avant ?", "ne reprenez pas de vous-même"),
        ("est ce que je peux manger avant l'intervention ?", "Vous devez venir à jeun"),
        ("la cimentoplastie ca guerit le cancer des os ?", "ne soigne pas le cancer"),
        ("est ce qu'une fracture de vertebre peut avoir des consequences graves ?", "durée de vie"),
        ("le scanner avant l'intervention c'est avec injection ?", "sans injection"),
        ("sur quelles recommandations vous basez vous ?", "CIRSE"),
        ("combien de seances de kine apres ?", "20 séances"),
        ("ca marche vraiment la cimentoplastie ?", "90 %"),
    ],
)
def test_questions_get_the_centres_answer(rasa_server, question: str, expected: str) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    assert expected in joined(rasa_server.say(sender, question))


def test_answers_carry_quick_replies(rasa_server) -> None:
    sender = new_id()
    replies = rasa_server.say(sender, "c'est quoi une vertebroplastie")
    buttons = [b for r in replies for b in r.get("buttons", [])]
    assert any(b["title"] == "En savoir plus" for b in buttons)
    follow = rasa_server.say(sender, buttons[0]["payload"])
    assert "ciment" in joined(follow)


def test_two_misunderstandings_in_a_row_offer_the_secretariat(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    first = rasa_server.say(sender, "blorp zzgrx kwaaa")
    assert "avec d'autres mots" in joined(first)
    assert first[-1].get("buttons"), "topic buttons are offered"
    second = rasa_server.say(sender, "vvvvv qqqq plonk")
    assert CENTRE.phone in joined(second) and "{centre_phone}" not in joined(second)


def test_out_of_scope_says_what_the_assistant_can_do(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    reply = joined(rasa_server.say(sender, "quel temps fera-t-il demain a paris ?"))
    assert "vertébroplastie" in reply or "avec d'autres mots" in reply


@pytest.mark.parametrize(
    "message",
    [
        "", "   ", "😀😀😀", "a" * 10_000, "where is the hospital please?", "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>", "'; DROP TABLE events; --", "\x00\x01\x02", "jeun " * 2000,
    ],
)
def test_bad_input_gets_an_answer_not_an_error(rasa_server, message: str) -> None:
    body = {"sender": rasa_server.token(new_id()), "message": message}
    r = requests.post(rasa_server.webhook, json=body, timeout=120)
    assert r.status_code < 500
    assert isinstance(r.json(), list)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json", b"", b"[]", b'{"sender": "x"}', b'{"message": 12}',
        b'{"sender": {"a": 1}, "message": "x"}', b"\xff\xfe",
    ],
)
def test_malformed_requests_get_a_4xx_and_the_server_keeps_serving(rasa_server, body: bytes) -> None:
    r = requests.post(rasa_server.webhook, data=body, headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code < 500, r.text
    assert rasa_server.say(new_id(), "bonjour")


# ---------- Red flags (issue 3) ----------

def alerts_for(rasa_server, sender: str) -> list:
    engine = create_engine(rasa_server.database_url)
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT flag_group, matched, message_text FROM alerts WHERE conversation_id = :c"), {"c": sender}
        ).fetchall()
    engine.dispose()
    return rows


def test_red_flag_in_a_long_message_gets_the_emergency_first_and_an_alert(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    message = (
        "Bonjour, ma mère a eu sa vertébroplastie lundi, tout allait bien, elle voulait savoir combien de "
        "séances de kiné elle devra faire, mais depuis hier elle ne sent plus sa jambe gauche."
    )
    replies = rasa_server.say(sender, message)
    assert replies[0]["text"].startswith("🚨") and "15" in replies[0]["text"]
    rows = alerts_for(rasa_server, sender)
    assert len(rows) == 1 and rows[0][0] == "A" and "jambe" in rows[0][2]


def test_negation_is_not_an_alarm(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    replies = rasa_server.say(sender, "je n'ai pas de fièvre, c'est normal d'avoir encore mal au dos après ?")
    assert not any(t.startswith("🚨") for t in texts(replies))
    assert alerts_for(rasa_server, sender) == []


def test_emergency_answer_even_when_the_action_server_is_down(rasa_server) -> None:
    rasa_server.stop_actions()
    try:
        sender = new_id()
        replies = rasa_server.say(sender, "j'ai beaucoup de mal a respirer depuis ce matin")
        assert replies and replies[0]["text"].startswith("🚨")
        assert "15" in replies[0]["text"]
    finally:
        rasa_server.start_actions()


# ---------- Callback request (issue 6) ----------

def callbacks_for(rasa_server, sender: str) -> list:
    engine = create_engine(rasa_server.database_url)
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT name, phone, time_slot, reason FROM callback_requests WHERE conversation_id = :c"),
            {"c": sender},
        ).fetchall()
    engine.dispose()
    return rows


def test_whole_callback_request_is_stored(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "bonjour")
    assert "nom" in joined(rasa_server.say(sender, "je voudrais qu'on me rappelle"))
    assert "numéro" in joined(rasa_server.say(sender, "Jeanne Martin"))
    again = joined(rasa_server.say(sender, "12 34"))
    assert "pas valide" in again
    assert "Quand" in joined(rasa_server.say(sender, "+33 6 12 34 56 78"))
    assert "quel sujet" in joined(rasa_server.say(sender, "le matin"))
    consent = joined(rasa_server.say(sender, "question sur le rendez-vous de ma mère"))
    assert "Acceptez-vous" in consent and f"{RETENTION_DAYS} jours" in consent
    done = joined(rasa_server.say(sender, "/affirm"))
    assert "06 12 34 56 78" in done
    expected = ("Jeanne Martin", "06 12 34 56 78", "le matin", "question sur le rendez-vous de ma mère")
    assert callbacks_for(rasa_server, sender) == [expected]


def test_refused_consent_stores_nothing(rasa_server) -> None:
    sender = new_id()
    for message in ["rappelez moi svp", "Paul Durand", "0139637139", "l'après-midi", "un renseignement"]:
        rasa_server.say(sender, message)
    assert "rien enregistré" in joined(rasa_server.say(sender, "/deny"))
    assert callbacks_for(rasa_server, sender) == []


def test_callback_can_be_cancelled_halfway(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "je veux etre rappelé")
    rasa_server.say(sender, "Marie Curie")
    assert "annulée" in joined(rasa_server.say(sender, "annuler"))
    assert callbacks_for(rasa_server, sender) == []
    assert "à jeun" in joined(rasa_server.say(sender, "faut il etre a jeun ?"))


def test_appointments_are_routed_to_a_callback(rasa_server) -> None:
    sender = new_id()
    reply = joined(rasa_server.say(sender, "je voudrais prendre rendez-vous pour une vertebroplastie"))
    assert "Je ne peux pas prendre" in reply and CENTRE.phone in reply


# ---------- Vague symptoms: follow-up questions (issues 3 and 11) ----------

QUESTIONS = ["jambes", "uriner", "respirer", "saigne", "malaise", "fièvre"]  # in the asking order


def is_question(replies: list[dict]) -> bool:
    return any([b["payload"] for b in r.get("buttons", [])] == ["/affirm", "/deny"] for r in replies)


def test_vague_symptom_gets_follow_up_questions_then_reassurance(rasa_server) -> None:
    sender = new_id()
    first = joined(rasa_server.say(sender, "j'ai des fourmis dans les pieds"))
    assert "quelques questions" in first and "appelez le 15 sans attendre" in first and QUESTIONS[0] in first
    asked = []
    for expected in QUESTIONS[1:]:
        replies = rasa_server.say(sender, "/deny")
        assert expected in joined(replies) and is_question(replies), expected
        asked.append(joined(replies))
    assert asked[0].startswith("Depuis peu"), "a new bladder problem, not a long-standing one"
    end = rasa_server.say(sender, "non")
    assert not is_question(end)
    assert "pas de signe d'urgence, parmi ceux que j'ai demandés" in joined(end) and CENTRE.phone in joined(end)
    assert alerts_for(rasa_server, sender) == []


def test_follow_up_questions_answered_in_words_end_on_reassurance(rasa_server) -> None:
    # "non je respire bien" names a red-flag topic: it must count as a no, not raise the emergency answer.
    sender = new_id()
    rasa_server.say(sender, "j'ai des fourmis dans les pieds")
    assert "uriner" in joined(rasa_server.say(sender, "non je sens bien mes jambes"))
    assert "respirer" in joined(rasa_server.say(sender, "non j'urine normalement"))
    replies = rasa_server.say(sender, "non je respire bien")
    assert not replies[0]["text"].startswith("🚨") and "saigne" in joined(replies)
    assert "malaise" in joined(rasa_server.say(sender, "non ça ne saigne pas"))
    assert "fièvre" in joined(rasa_server.say(sender, "non pas de malaise"))
    end = rasa_server.say(sender, "non pas de fievre")
    assert not end[0]["text"].startswith("🚨")
    assert "pas de signe d'urgence" in joined(end)
    assert alerts_for(rasa_server, sender) == []


def test_the_first_yes_gives_the_emergency_answer_at_once(rasa_server) -> None:
    sender = new_id()
    first = rasa_server.say(sender, "j'ai plus mal qu'avant depuis l'intervention")
    assert is_question(first) and "jambes" in joined(first)
    replies = rasa_server.say(sender, "oui")
    assert replies[0]["text"].startswith("🚨") and "appelez le 15" in replies[0]["text"]
    assert "Ne conduisez pas vous-même" in replies[0]["text"]
    assert not is_question(replies), "no further question after a yes"
    assert [row[0] for row in alerts_for(rasa_server, sender)] == ["A"]
    # The questions are over: the next message is an ordinary question.
    assert "à jeun" in joined(rasa_server.say(sender, "faut il etre a jeun ?"))


def test_a_yes_to_the_bleeding_question_gives_the_bleeding_answer(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "j'ai des fourmis dans les pieds")
    for _ in range(3):  # legs, bladder, breathing
        rasa_server.say(sender, "/deny")
    replies = rasa_server.say(sender, "/affirm")
    assert replies[0]["text"].startswith("🚨 SAIGNEMENT") and "faites appuyer un proche" in replies[0]["text"]
    assert not is_question(replies)
    assert [row[0] for row in alerts_for(rasa_server, sender)] == ["C"]


def test_a_red_flag_said_in_words_ends_the_questions_and_a_new_round_starts_afresh(rasa_server) -> None:
    sender = new_id()
    rasa_server.say(sender, "j'ai des fourmis dans les pieds")
    replies = rasa_server.say(sender, "oui je ne sens plus mes jambes")
    assert replies[0]["text"].startswith("🚨 URGENCE") and not is_question(replies)
    assert [row[0] for row in alerts_for(rasa_server, sender)] == ["A"]
    # A later vague symptom asks every question again: the earlier round's answers are forgotten.
    again = rasa_server.say(sender, "j'ai des fourmis dans les pieds")
    assert "jambes" in joined(again) and is_question(again)
    assert "uriner" in joined(rasa_server.say(sender, "non"))
