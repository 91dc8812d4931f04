"""The widget's channel, socket.io, with a real client: replies arrive, emergencies are stored, origins checked.

Guards two traps of Rasa 3.6 (../shared/stack.md): python-socketio >= 5.10 silently drops every reply
(enter_room not awaited), and custom JSON in a reply crashes the channel before the alert is stored.
"""

from __future__ import annotations

import queue
import uuid

import pytest
import socketio
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.e2e
ALLOWED = "http://localhost:8080"


def connect(rasa_server, origin: str) -> tuple[socketio.Client, queue.Queue]:
    client = socketio.Client(reconnection=False)
    replies: queue.Queue = queue.Queue()
    client.on("bot_uttered", lambda data: replies.put(data))
    client.on("session_confirm", lambda data: replies.put({"session_confirm": data}))
    client.connect(rasa_server.rasa_url, headers={"Origin": origin}, transports=["polling"], wait_timeout=20)
    return client, replies


def collect(replies: queue.Queue, minimum: int, timeout: float = 60) -> list[dict]:
    got = [replies.get(timeout=timeout) for _ in range(minimum)]
    try:
        while True:
            got.append(replies.get(timeout=3))
    except queue.Empty:
        return got


def test_widget_origin_gets_answers_and_an_emergency_is_stored(rasa_server) -> None:
    client, replies = connect(rasa_server, ALLOWED)
    session = uuid.uuid4().hex
    try:
        client.emit("session_request", {"session_id": session})
        assert replies.get(timeout=20) == {"session_confirm": session}
        client.emit("user_uttered", {"message": "faut-il être à jeun ?", "session_id": session})
        texts = [r.get("text", "") for r in collect(replies, 1)]
        assert any("à jeun" in t for t in texts)
        client.emit("user_uttered", {"message": "je ne sens plus mes jambes depuis ce matin", "session_id": session})
        texts = [r.get("text", "") for r in collect(replies, 1)]
        assert texts[0].startswith("🚨")
    finally:
        client.disconnect()
    engine = create_engine(rasa_server.database_url)
    with engine.connect() as c:
        groups = c.execute(text("SELECT flag_group FROM alerts WHERE conversation_id = :s"), {"s": session}).scalars()
        assert list(groups) == ["A"]
    engine.dispose()


def test_answers_name_themselves_and_feedback_is_stored_through_the_channel(rasa_server) -> None:
    client, replies = connect(rasa_server, ALLOWED)
    session = uuid.uuid4().hex
    try:
        client.emit("session_request", {"session_id": session})
        assert replies.get(timeout=20) == {"session_confirm": session}
        client.emit("user_uttered", {"message": "faut-il être à jeun ?", "session_id": session})
        answer = [r for r in collect(replies, 1) if "à jeun" in r.get("text", "")][-1]
        assert answer["metadata"] == {"utter_action": "utter_ask_fasting", "ask_feedback": True}
        assert answer["quick_replies"]
        payload = '/feedback{"feedback_value": "oui", "feedback_answer": "utter_ask_fasting"}'
        ack = client.call("user_uttered", {"message": payload, "session_id": session}, timeout=60)
        assert ack is None or ack == []  # acknowledged once handled
        client.emit("user_uttered", {"message": "je ne sens plus mes jambes depuis ce matin", "session_id": session})
        emergency = collect(replies, 1)
        assert emergency[0]["text"].startswith("🚨")
        assert emergency[0]["metadata"]["ask_feedback"] is False
        client.emit("user_uttered", {"message": {"not": "text"}, "session_id": session})  # bad input: ignored
    finally:
        client.disconnect()
    engine = create_engine(rasa_server.database_url)
    with engine.connect() as c:
        stored = c.execute(text("SELECT answer, value FROM answer_feedback WHERE conversation_id = :s"), {"s": session})
        assert [tuple(r) for r in stored] == [("utter_ask_fasting", "oui")]
    engine.dispose()


def test_other_origins_are_refused(rasa_server) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(rasa_server, "http://evil.example")
