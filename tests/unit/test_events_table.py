"""bot/storage/events.py: Rasa's `events` table as Rasa 3.6 creates it, and the queries its readers share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.load import LoadConfig, LoadReport, MessageResult, verify_events
from bot.storage.events import (
    conversations_by_last_event,
    count_user_messages_containing,
    delete_conversations,
    event_data,
    events,
    has_events_table,
    user_messages,
)
from bot.storage.session import engine_for, session_scope

RASA_EVENTS = SQLTrackerStore.SQLEvent.__table__


def test_the_table_is_rasas_own() -> None:
    def shape(table: Any) -> dict[str, tuple[Any, ...]]:
        return {c.name: (type(c.type), getattr(c.type, "length", None), c.nullable, c.primary_key, bool(c.index))
                for c in table.columns}

    assert shape(events) == shape(RASA_EVENTS)
    assert list(shape(events)) == ["id", "sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    yield url
    engine_for(url).dispose()


def _create_rasa_table(url: str) -> None:
    RASA_EVENTS.metadata.create_all(engine_for(url), tables=[RASA_EVENTS])


def _add(session: Session, sender: str, type_name: str, timestamp: float, **data: Any) -> None:
    session.execute(insert(events).values(sender_id=sender, type_name=type_name, timestamp=timestamp,
                                          intent_name=data.pop("intent", None), data=json.dumps(data)))


def test_before_rasa_writes_the_readers_see_no_conversation(database: str) -> None:
    with session_scope(database) as s:
        assert not has_events_table(s)
        assert conversations_by_last_event(s, 100.0) == ([], set())
        assert delete_conversations(s, ["a"]) == 0


def test_retention_splits_and_deletes_by_last_event(database: str) -> None:
    _create_rasa_table(database)
    with session_scope(database) as s:
        _add(s, "ancienne", "user", 10.0, text="bonjour")
        _add(s, "ancienne", "bot", 11.0, text="Bonjour")
        _add(s, "recente", "user", 10.0, text="bonjour")
        _add(s, "recente", "user", 500.0, text="encore")
    with session_scope(database) as s:
        assert has_events_table(s)
        assert conversations_by_last_event(s, 100.0) == (["ancienne"], {"recente"})
        assert delete_conversations(s, ["ancienne"]) == 2
    with session_scope(database) as s:
        assert set(s.execute(select(events.c.sender_id)).scalars()) == {"recente"}


def test_user_messages_in_order_and_the_count_outside_some_conversations(database: str) -> None:
    _create_rasa_table(database)
    with session_scope(database) as s:
        _add(s, "a", "user", 1.0, text="un", metadata={"load_run": "r1"})
        _add(s, "a", "bot", 2.0, text="réponse")
        _add(s, "b", "user", 3.0, text="deux", metadata={"load_run": "r1"})
        _add(s, "a", "user", 4.0, text="trois", metadata={"load_run": "r1"})
        _add(s, "ailleurs", "user", 5.0, text="égaré", metadata={"load_run": "r1"})
        _add(s, "autre", "user", 6.0, text="autre run", metadata={"load_run": "r2"})
    with session_scope(database) as s:
        got = [(sender, e["text"]) for sender, e in user_messages(s, ["a", "b"])]
        assert got == [("a", "un"), ("b", "deux"), ("a", "trois")]
        fragment = json.dumps({"load_run": "r1"})[1:-1]
        assert count_user_messages_containing(s, fragment) == 4
        assert count_user_messages_containing(s, fragment, excluding=["a", "b", "b"]) == 1


def test_event_data_reads_only_json_objects() -> None:
    assert event_data('{"text": "é"}') == {"text": "é"}
    assert event_data(None) == {} and event_data("[1]") == {} and event_data("pas du json") == {}


def test_the_load_check_reads_the_table_through_it(database: str) -> None:
    _create_rasa_table(database)
    config = LoadConfig(run_id="run42")
    results = [MessageResult("c1", 0, "bonjour", 0.0, attempts=1), MessageResult("c1", 1, "le prix", 1.0, attempts=1),
               MessageResult("c2", 0, "bonjour", 0.0, attempts=1)]
    report = LoadReport(config, results, started=0.0, duration=1.0)
    with session_scope(database) as s:
        for r in results:
            _add(s, r.sender, "user", 1.0 + r.seq, text=r.text,
                 metadata={"load_run": "run42", "conversation": r.sender, "seq": r.seq})
        _add(s, "inconnu", "user", 9.0, text="x", metadata={"load_run": "run42", "conversation": "inconnu", "seq": 0})
    verification = verify_events(database, report)
    assert verification["conversations"] == 2 and verification["conversations_exact"] == 2
    assert verification["events_of_this_run_under_unknown_senders"] == 1
    assert verification["user_events_missing"] == 0 and verification["problems"] == []
