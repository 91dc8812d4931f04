"""The widget's channel, socket.io, with a real client: replies arrive, emergencies are stored, origins checked,
and the conversation is the one the server gave (issue 14: borrowing a room, huge messages, floods).

Guards two traps of Rasa 3.6 (../shared/stack.md): python-socketio >= 5.10 silently drops every reply
(enter_room not awaited), and custom JSON in a reply crashes the channel before the alert is stored.
"""

from __future__ import annotations

import queue
import time
import uuid

import pytest
import socketio
from sqlalchemy import create_engine, text

from bot.core.conversation_ids import sign
from bot.rasa_server.channels import MAX_MESSAGE_CHARS, SOCKET_BURST, TOO_FAST

pytestmark = pytest.mark.e2e
ALLOWED = "http://localhost:8080"


def connect(rasa_server, origin: str = ALLOWED) -> tuple[socketio.Client, queue.Queue]:
    client = socketio.Client(reconnection=False)
    replies: queue.Queue = queue.Queue()
    client.on("bot_uttered", lambda data: replies.put(data))
    client.on("session_confirm", lambda data: replies.put({"session_confirm": data}))
    client.connect(rasa_server.rasa_url, headers={"Origin": origin}, transports=["polling"], wait_timeout=20)
    return client, replies


def open_session(rasa_server, asked: object = None) -> tuple[socketio.Client, queue.Queue, str]:
    """A widget's connection: asks for the session `asked` (None: a new one), returns the server's token."""
    client, replies = connect(rasa_server)
    client.emit("session_request", {"session_id": asked})
    confirm = replies.get(timeout=20)
    return client, replies, confirm["session_confirm"]


def conversation_of(token: str) -> str:
    return token.rpartition(".")[0]


def collect(replies: queue.Queue, minimum: int, timeout: float = 60, quiet: float = 3) -> list[dict]:
    got = [replies.get(timeout=timeout) for _ in range(minimum)]
    try:
        while True:
            got.append(replies.get(timeout=quiet))
    except queue.Empty:
        return got


def user_texts(rasa_server, conversation_id: str) -> list[str]:
    import json

    engine = create_engine(rasa_server.database_url)
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
            {"s": conversation_id},
        ).scalars().all()
    engine.dispose()
    return [json.loads(r).get("text") or "" for r in rows]


def test_widget_origin_gets_answers_and_an_emergency_is_stored(rasa_server) -> None:
    client, replies, token = open_session(rasa_server)
    session = conversation_of(token)
    assert session.startswith("web-")
    try:
        client.emit("user_uttered", {"message": "faut-il être à jeun ?", "session_id": token})
        texts = [r.get("text", "") for r in collect(replies, 1)]
        assert any("à jeun" in t for t in texts)
        client.emit("user_uttered", {"message": "je ne sens plus mes jambes depuis ce matin", "session_id": token})
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
    client, replies, token = open_session(rasa_server)
    session = conversation_of(token)
    try:
        client.emit("user_uttered", {"message": "faut-il être à jeun ?", "session_id": token})
        answer = [r for r in collect(replies, 1) if "à jeun" in r.get("text", "")][-1]
        assert answer["metadata"] == {"utter_action": "utter_ask_fasting", "ask_feedback": True}
        assert answer["quick_replies"]
        payload = '/feedback{"feedback_value": "oui", "feedback_answer": "utter_ask_fasting"}'
        ack = client.call("user_uttered", {"message": payload, "session_id": token}, timeout=60)
        assert ack is None or ack == []  # acknowledged once handled
        client.emit("user_uttered", {"message": "je ne sens plus mes jambes depuis ce matin", "session_id": token})
        emergency = collect(replies, 1)
        assert emergency[0]["text"].startswith("🚨")
        assert emergency[0]["metadata"]["ask_feedback"] is False
        client.emit("user_uttered", {"message": {"not": "text"}, "session_id": token})  # bad input: ignored
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


def test_a_widget_rejoins_its_conversation_with_its_token(rasa_server) -> None:
    first, replies, token = open_session(rasa_server)
    first.emit("user_uttered", {"message": "bonjour"})
    collect(replies, 1)
    first.disconnect()
    again, replies, confirmed = open_session(rasa_server, token)
    try:
        assert confirmed == token
        again.emit("user_uttered", {"message": "combien de séances de kiné après ?"})
        assert any("20 séances" in r.get("text", "") for r in collect(replies, 1))
    finally:
        again.disconnect()
    assert user_texts(rasa_server, conversation_of(token)) == ["bonjour", "combien de séances de kiné après ?"]


def test_client_chosen_and_forged_session_ids_get_a_new_conversation(rasa_server) -> None:
    victim, victim_replies, victim_token = open_session(rasa_server)
    victim_id = conversation_of(victim_token)
    key_of_another_server = sign(victim_id, "not-the-servers-key")
    chosen = [
        uuid.uuid4().hex,  # what Rasa's own channel accepted: any id of the client's choosing
        victim_id,  # the id, as staff read it in the console, without its signature
        key_of_another_server,  # signed with the wrong key
        victim_token.replace("web-", "rest-"),  # another channel's prefix
        victim_token[:-2] + ("AA" if not victim_token.endswith("AA") else "BB"),  # a tampered signature
        {"id": victim_id}, 12, "",
    ]
    try:
        for asked in chosen:
            thief, thief_replies, thief_token = open_session(rasa_server, asked)
            try:
                assert conversation_of(thief_token) not in ("", victim_id), asked
                assert conversation_of(thief_token).startswith("web-")
                # The thief writes with the victim's id in the message: it lands in its own conversation...
                thief.emit("user_uttered", {"message": "je ne sens plus mes jambes", "session_id": victim_id})
                assert collect(thief_replies, 1)[0].get("text", "").startswith("🚨")
            finally:
                thief.disconnect()
        # ... and the victim's conversation received nothing, neither messages nor replies.
        assert user_texts(rasa_server, victim_id) == []
        assert victim_replies.empty()
    finally:
        victim.disconnect()


def test_a_borrowed_room_receives_nothing(rasa_server) -> None:
    """A second socket presenting the victim's bare id never hears the victim's answers."""
    victim, victim_replies, victim_token = open_session(rasa_server)
    thief, thief_replies, _ = open_session(rasa_server, conversation_of(victim_token))
    try:
        victim.emit("user_uttered", {"message": "faut-il être à jeun ?"})
        assert any("à jeun" in r.get("text", "") for r in collect(victim_replies, 1))
        with pytest.raises(queue.Empty):
            thief_replies.get(timeout=3)
    finally:
        victim.disconnect()
        thief.disconnect()


def test_a_1_mb_message_never_reaches_the_assistant(rasa_server) -> None:
    client, replies, token = open_session(rasa_server)
    marker = uuid.uuid4().hex
    huge = marker + " jeun" * 200_000  # 1 MB
    try:
        client.emit("user_uttered", {"message": huge})
        with pytest.raises(queue.Empty):
            replies.get(timeout=5)
    finally:
        client.disconnect()
    assert user_texts(rasa_server, conversation_of(token)) == []
    # The server dropped that socket, not the others.
    fresh, fresh_replies, _ = open_session(rasa_server)
    try:
        fresh.emit("user_uttered", {"message": "bonjour"})
        assert collect(fresh_replies, 1)
    finally:
        fresh.disconnect()


def test_a_long_message_under_the_cap_is_cut_like_on_rest(rasa_server) -> None:
    client, replies, token = open_session(rasa_server)
    try:
        client.emit("user_uttered", {"message": "est-ce qu'il faut être à jeun " * 2_500})  # 75 000 characters
        assert collect(replies, 1)
    finally:
        client.disconnect()
    [stored] = user_texts(rasa_server, conversation_of(token))
    assert len(stored) == MAX_MESSAGE_CHARS


def test_a_flood_of_messages_on_one_socket_is_slowed_down(rasa_server) -> None:
    client, replies, token = open_session(rasa_server)
    try:
        for i in range(SOCKET_BURST + 10):
            client.emit("user_uttered", {"message": f"bonjour {i}"})
            time.sleep(0.05)  # one polling request each: Engine.IO itself refuses more than 16 packets per request
        got = collect(replies, SOCKET_BURST + 10, timeout=120, quiet=5)
    finally:
        client.disconnect()
    assert sum(1 for r in got if r.get("text") == TOO_FAST) >= 5
    assert "appelez le 15" in TOO_FAST
    time.sleep(0.5)
    assert len(user_texts(rasa_server, conversation_of(token))) <= SOCKET_BURST + 2
