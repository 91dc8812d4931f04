"""Attacks on the REST channel, the action server and the per-conversation caps (issue 14, holes 2, 5, 9),
against the real servers in production mode (tests/servers.py)."""

from __future__ import annotations

import socket
import uuid

import pytest
import requests
from conftest import texts
from sqlalchemy import create_engine, text

from bot.core.conversation_ids import sign
from bot.settings import MAX_ALERTS_PER_CONVERSATION, MAX_CALLBACKS_PER_CONVERSATION

pytestmark = pytest.mark.e2e
RED_FLAG = "je ne sens plus mes jambes depuis ce matin"
CALLBACK = ["rappelez moi svp", "Jean Test", "06 11 22 33 44", "le matin", "une question", "/affirm"]


def new_id() -> str:
    return f"rest-attack-{uuid.uuid4().hex[:12]}"


def count(rasa_server, sql: str, conversation_id: str) -> int:
    engine = create_engine(rasa_server.database_url)
    with engine.connect() as c:
        n = int(c.execute(text(sql), {"c": conversation_id}).scalar())
    engine.dispose()
    return n


def user_messages(rasa_server, conversation_id: str) -> int:
    return count(rasa_server, "SELECT count(*) FROM events WHERE sender_id = :c AND type_name = 'user'",
                 conversation_id)


def post(rasa_server, sender: object, message: str = "bonjour") -> requests.Response:
    return requests.post(rasa_server.webhook, json={"sender": sender, "message": message}, timeout=60)


# ---------- REST: a sender must be a token the server signed (production) ----------

def test_posting_into_another_conversation_over_rest_is_refused(rasa_server) -> None:
    victim = new_id()
    rasa_server.say(victim, "bonjour")
    web_victim, phone_victim = "web-" + uuid.uuid4().hex, "tel-CA" + uuid.uuid4().hex
    attempts = [
        victim,  # the bare id, as the console shows it
        victim.removeprefix("rest-"),  # the name a development server would prefix itself
        sign(victim, "not-the-servers-key"),  # signed with another key
        rasa_server.token(victim)[:-3] + "AAA",  # tampered signature
        web_victim, sign(web_victim, rasa_server.token_key),  # a widget's conversation, even genuinely signed
        phone_victim, sign(phone_victim, rasa_server.token_key),  # a call's conversation
        "+33612345678",  # what the phone channel used to file calls under
    ]
    for sender in attempts:
        r = post(rasa_server, sender, RED_FLAG)
        assert r.status_code == 403, (sender, r.status_code, r.text)
        assert "jeton" in r.json()["erreur"]
    assert user_messages(rasa_server, victim) == 1
    for conversation_id in (web_victim, phone_victim, "rest-" + victim):
        assert user_messages(rasa_server, conversation_id) == 0
    assert count(rasa_server, "SELECT count(*) FROM alerts WHERE conversation_id = :c", victim) == 0


def test_the_session_endpoint_gives_a_new_signed_conversation(rasa_server) -> None:
    first = requests.post(f"{rasa_server.rasa_url}/webhooks/rest/session", timeout=30).json()
    second = requests.post(f"{rasa_server.rasa_url}/webhooks/rest/session", timeout=30).json()
    assert first["conversation_id"].startswith("rest-") and first["conversation_id"] != second["conversation_id"]
    replies = post(rasa_server, first["sender"], "faut-il être à jeun ?").json()
    assert any("à jeun" in t for t in texts(replies))
    assert {r.get("recipient_id") for r in replies} == {first["conversation_id"]}
    assert user_messages(rasa_server, first["conversation_id"]) == 1


# ---------- action server: loopback only, and a token on every request ----------

def test_the_action_server_refuses_requests_without_its_token(rasa_server) -> None:
    base = f"http://127.0.0.1:{rasa_server.actions_port}"
    call = {"next_action": "action_practical_answer", "sender_id": "rest-x", "version": "3.6.21",
            "tracker": {"sender_id": "rest-x", "slots": {}, "latest_message": {}, "events": []}, "domain": {}}
    for headers in ({}, {"X-Action-Token": ""}, {"X-Action-Token": "wrong"},
                    {"Authorization": f"Bearer {rasa_server.action_token}"}):
        assert requests.post(f"{base}/webhook", json=call, headers=headers, timeout=30).status_code == 401
        assert requests.get(f"{base}/actions", headers=headers, timeout=30).status_code == 401
    assert requests.get(f"{base}/health", timeout=30).status_code == 200  # the probes
    good = requests.get(f"{base}/actions", headers={"X-Action-Token": rasa_server.action_token}, timeout=30)
    assert good.status_code == 200 and {"name": "action_store_alert"} in good.json()
    # The Rasa server carries the token (endpoints.yml headers): its custom actions still run.
    assert any("01 39 63 71 39" in t for t in texts(rasa_server.say(new_id(), "quel est le numéro du centre ?")))


def test_the_action_server_listens_on_loopback_only(rasa_server) -> None:
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.123", 9))  # no packet sent: only picks the outward interface
            addresses.add(s.getsockname()[0])
    except OSError:
        pass
    outward = sorted(a for a in addresses if not a.startswith("127."))
    if not outward:
        pytest.skip("this machine has no address besides loopback")
    for address in outward:
        with pytest.raises(OSError):
            socket.create_connection((address, rasa_server.actions_port), timeout=3).close()
    socket.create_connection(("127.0.0.1", rasa_server.actions_port), timeout=3).close()


# ---------- per-conversation caps: floods of callbacks and alerts ----------

def test_a_flood_of_callback_requests_stops_at_the_cap(rasa_server) -> None:
    sender = new_id()
    endings = []
    for _ in range(MAX_CALLBACKS_PER_CONVERSATION + 2):
        for message in CALLBACK:
            replies = rasa_server.say(sender, message)
        endings.append("\n".join(texts(replies)))
    stored = count(rasa_server, "SELECT count(*) FROM callback_requests WHERE conversation_id = :c", sender)
    assert stored == MAX_CALLBACKS_PER_CONVERSATION
    assert all("C'est noté" in e for e in endings[:MAX_CALLBACKS_PER_CONVERSATION])
    assert all("pas pu enregistrer" in e and "01 39 63 71 39" in e for e in endings[MAX_CALLBACKS_PER_CONVERSATION:])


def test_a_flood_of_alerts_stops_at_the_cap_but_every_emergency_is_answered(rasa_server) -> None:
    sender = new_id()
    for _ in range(MAX_ALERTS_PER_CONVERSATION + 3):
        replies = rasa_server.say(sender, RED_FLAG)
        assert replies[0]["text"].startswith("🚨") and "15" in replies[0]["text"]
    stored = count(rasa_server, "SELECT count(*) FROM alerts WHERE conversation_id = :c", sender)
    assert stored == MAX_ALERTS_PER_CONVERSATION
