"""The phone channel: requests in the format Twilio sends, TwiML answers from the running server."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import pytest
import requests

pytestmark = pytest.mark.e2e


def post(rasa_server, **form: str) -> requests.Response:
    return requests.post(f"{rasa_server.rasa_url}/webhooks/twilio_voice/webhook", data=form, timeout=60)


def caller() -> str:
    return f"+3361{uuid.uuid4().int % 10**7:07d}"


def spoken(twiml: str) -> str:
    root = ET.fromstring(twiml)
    return " ".join((say.text or "") for say in root.iter("Say"))


def test_a_call_is_answered_in_french_and_a_question_gets_a_spoken_answer(rasa_server) -> None:
    number = caller()
    ring = post(rasa_server, From=number, CallStatus="ringing", CallSid="CA1", AccountSid="AC1")
    assert ring.status_code == 200 and ring.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(ring.text)
    gather = root.find("Gather")
    assert gather is not None and gather.get("language") == "fr-FR" and gather.get("input") == "speech"
    assert "ne remplace pas" in spoken(ring.text)

    answer = post(rasa_server, From=number, CallStatus="in-progress", SpeechResult="est-ce que je dois être à jeun")
    text = spoken(answer.text)
    assert "à jeun" in text
    assert "/ask_" not in answer.text and "http" not in text
    assert "aidé" not in text and "utter_" not in answer.text  # the phone asks for no feedback
    contact = spoken(post(rasa_server, From=number, CallStatus="in-progress",
                          SpeechResult="quel est le numéro de téléphone du centre").text)
    assert "zéro un, trente-neuf, soixante-trois, soixante et onze, trente-neuf" in contact
    assert "@" not in contact


def test_an_emergency_on_the_phone_is_spoken_without_emoji(rasa_server) -> None:
    number = caller()
    answer = post(rasa_server, From=number, CallStatus="in-progress",
                  SpeechResult="je ne sens plus mes jambes depuis ce matin")
    text = spoken(answer.text)
    assert "appelez le 15" in text and "🚨" not in text


def test_silence_repeats_the_last_answer_and_bad_requests_get_4xx(rasa_server) -> None:
    number = caller()
    post(rasa_server, From=number, CallStatus="in-progress", SpeechResult="combien de séances de kiné après")
    again = post(rasa_server, From=number, CallStatus="in-progress")
    assert "20 séances" in spoken(again.text)
    assert post(rasa_server).status_code == 400
    r = requests.post(f"{rasa_server.rasa_url}/webhooks/twilio_voice/webhook", data=b"\xff\x00garbage",
                      headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert r.status_code < 500
