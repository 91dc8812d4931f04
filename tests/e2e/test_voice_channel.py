"""The phone channel: requests in the format Twilio sends, TwiML answers from the running server.

The server checks Twilio's signature against its public URL (issue 14): forged or missing signatures
get a 403; a call is filed under its CallSid, never under the caller's number, which is not stored.
"""

from __future__ import annotations

import json
import secrets
import uuid
import xml.etree.ElementTree as ET

import pytest
import requests
from sqlalchemy import create_engine, text

from bot.core.twilio_signature import twilio_signature

pytestmark = pytest.mark.e2e


def caller() -> str:
    return f"+3361{uuid.uuid4().int % 10**7:07d}"


def call_sid() -> str:
    return "CA" + secrets.token_hex(16)


def spoken(twiml: str) -> str:
    root = ET.fromstring(twiml)
    return " ".join((say.text or "") for say in root.iter("Say"))


def say(rasa_server, sid: str, number: str, speech: str | None = None, **extra: str) -> requests.Response:
    form = {"CallSid": sid, "From": number, "AccountSid": "AC" + "0" * 32, "CallStatus": "in-progress", **extra}
    if speech is not None:
        form["SpeechResult"] = speech
    return rasa_server.call(form)


def stored_events(rasa_server, sender: str) -> list[str]:
    engine = create_engine(rasa_server.database_url)
    with engine.connect() as c:
        rows = c.execute(text("SELECT data FROM events WHERE sender_id = :s"), {"s": sender}).scalars().all()
    engine.dispose()
    return list(rows)


def test_a_call_is_answered_in_french_and_a_question_gets_a_spoken_answer(rasa_server) -> None:
    number, sid = caller(), call_sid()
    ring = say(rasa_server, sid, number, CallStatus="ringing")
    assert ring.status_code == 200 and ring.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(ring.text)
    gather = root.find("Gather")
    assert gather is not None and gather.get("language") == "fr-FR" and gather.get("input") == "speech"
    assert "ne remplace pas" in spoken(ring.text)
    assert "Centre Spécialisé de Radiologie Interventionnelle" in spoken(ring.text) and "{" not in ring.text

    answer = say(rasa_server, sid, number, "est-ce que je dois être à jeun")
    text_ = spoken(answer.text)
    assert "à jeun" in text_
    assert "/ask_" not in answer.text and "http" not in text_
    assert "aidé" not in text_ and "utter_" not in answer.text  # the phone asks for no feedback
    contact = spoken(say(rasa_server, sid, number, "quel est le numéro de téléphone du centre").text)
    assert "zéro un, trente-neuf, soixante-trois, soixante et onze, trente-neuf" in contact
    assert "@" not in contact

    # Filed under the call, and the caller's number is nowhere in what was stored.
    events = stored_events(rasa_server, f"tel-{sid}")
    assert events and not any(number in e or number[1:] in e for e in events)
    assert stored_events(rasa_server, number) == []


def test_an_emergency_on_the_phone_is_spoken_without_emoji(rasa_server) -> None:
    answer = say(rasa_server, call_sid(), caller(), "je ne sens plus mes jambes depuis ce matin")
    text_ = spoken(answer.text)
    assert "appelez le 15" in text_ and "🚨" not in text_


def test_silence_repeats_the_last_answer_and_bad_requests_get_4xx(rasa_server) -> None:
    number, sid = caller(), call_sid()
    say(rasa_server, sid, number, "combien de séances de kiné après")
    again = say(rasa_server, sid, number)
    assert "20 séances" in spoken(again.text)
    assert rasa_server.call({}).status_code == 400  # signed, but no CallSid
    assert say(rasa_server, "CA-not-a-sid", number, "bonjour").status_code == 400
    r = requests.post(rasa_server.voice_webhook, data=b"\xff\x00garbage",
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert r.status_code < 500


# ---------- attacks (issue 14, hole 1) ----------

def test_forged_and_missing_signatures_are_refused(rasa_server) -> None:
    sid = call_sid()
    form = {"CallSid": sid, "From": caller(), "CallStatus": "in-progress", "SpeechResult": "je ne sens plus mes jambes"}
    forged = [
        None,  # no signature at all
        "",
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=",  # Twilio's documented example, for another URL and token
        twilio_signature("not-the-auth-token", rasa_server.voice_webhook, form),
        twilio_signature(rasa_server.twilio_token, "https://attacker.example/webhooks/twilio_voice/webhook", form),
        twilio_signature(rasa_server.twilio_token, rasa_server.voice_webhook, {**form, "SpeechResult": "bonjour"}),
    ]
    for signature in forged:
        r = rasa_server.call(form, signature=signature)
        assert r.status_code == 403, (signature, r.status_code)
    assert stored_events(rasa_server, f"tel-{sid}") == []  # nothing written, no alert raised
    engine = create_engine(rasa_server.database_url)
    with engine.connect() as c:
        alerts = c.execute(text("SELECT count(*) FROM alerts WHERE conversation_id = :s"), {"s": f"tel-{sid}"})
        assert alerts.scalar() == 0
    engine.dispose()


def test_the_callers_number_does_not_read_back_another_call(rasa_server) -> None:
    """Readback by `From`: a second call from the victim's number (even genuinely signed, even a real
    call) hears nothing of the first call's answers."""
    number = caller()
    victim = call_sid()
    say(rasa_server, victim, number, "combien de séances de kiné après")
    assert "20 séances" in spoken(say(rasa_server, victim, number).text)
    attacker = say(rasa_server, call_sid(), number)  # silence: "repeat the last answer"
    assert attacker.status_code == 200
    assert "20 séances" not in spoken(attacker.text)
    assert "Je n'ai pas entendu" in spoken(attacker.text)


def test_two_anonymous_callers_get_distinct_conversations(rasa_server) -> None:
    first, second = call_sid(), call_sid()
    say(rasa_server, first, "anonymous", "combien de séances de kiné après")
    say(rasa_server, second, "anonymous", "est-ce que je dois être à jeun")
    assert "20 séances" in spoken(say(rasa_server, first, "anonymous").text)
    second_again = spoken(say(rasa_server, second, "anonymous").text)
    assert "à jeun" in second_again and "20 séances" not in second_again
    texts = [json.loads(e).get("text") for e in stored_events(rasa_server, f"tel-{second}")]
    assert "combien de séances de kiné après" not in texts
