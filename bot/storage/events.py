"""Rasa's `events` table: the one place that knows its schema, and the queries more than one reader shares.

The table belongs to Rasa's SQL tracker store (Rasa 3.6, `SQLTrackerStore.SQLEvent`): Rasa creates and
writes it; the project only reads it (console, load check) and deletes from it (retention). It is never
created nor migrated here, and before Rasa has written anything it may not exist: the readers then
answer as if there were no conversation. One row per event; `data` is the event as JSON.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Sequence

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, func, inspect, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),  # the conversation id
    Column("type_name", String(255), nullable=False),  # user, bot, action, slot, active_loop, session_started…
    Column("timestamp", Float),  # epoch seconds
    Column("intent_name", String(255)),  # user events: the intent understood
    Column("action_name", String(255)),  # action and active_loop events
    Column("data", Text),  # the whole event, JSON
)

CHUNK = 500  # ids per IN (...) list, far below SQLite's limit on bound parameters


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def has_events_table(session: Session) -> bool:
    return inspect(session.get_bind()).has_table("events")


def event_data(data: str | None) -> dict[str, Any]:
    """The `data` column decoded; a row that is not a JSON object reads as empty."""
    try:
        value = json.loads(data or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class event_text(FunctionElement):  # noqa: N801 - SQL function style
    """The `text` field of an event's JSON `data`, decoded (so accents match as typed)."""

    type = Text()
    name = "event_text"
    inherit_cache = True


@compiles(event_text)
def _event_text_default(element: event_text, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(event_text, "sqlite")
def _event_text_sqlite(element: event_text, compiler: Any, **kw: Any) -> str:
    return f"json_extract({compiler.process(element.clauses, **kw)}, '$.text')"


@compiles(event_text, "postgresql")
def _event_text_pg(element: event_text, compiler: Any, **kw: Any) -> str:
    return f"(CAST({compiler.process(element.clauses, **kw)} AS JSON) ->> 'text')"


# --- retention ---------------------------------------------------------------------------------


def conversations_by_last_event(session: Session, cutoff: float) -> tuple[list[str], set[str]]:
    """Conversations whose last event is before `cutoff` (epoch), sorted, and those with a later one."""
    if not has_events_table(session):
        return [], set()
    last = func.max(events.c.timestamp)
    by_sender = select(events.c.sender_id).group_by(events.c.sender_id)
    old = session.execute(by_sender.having(last < cutoff)).scalars()
    recent = session.execute(by_sender.having(last >= cutoff)).scalars()
    return sorted(old), set(recent)


def delete_conversations(session: Session, conversation_ids: Sequence[str]) -> int:
    """Deletes every event of these conversations; the number of rows (commit is the caller's)."""
    if not conversation_ids or not has_events_table(session):
        return 0
    deleted = 0
    for part in chunks(list(conversation_ids)):
        deleted += session.execute(delete(events).where(events.c.sender_id.in_(part))).rowcount or 0
    return deleted


# --- the load check (bench/load.py) ------------------------------------------------------------


def user_messages(session: Session, conversation_ids: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """(conversation id, event) of every patient message of these conversations, in order within each."""
    out: list[tuple[str, dict[str, Any]]] = []
    for part in chunks(list(conversation_ids)):
        rows = session.execute(
            select(events.c.sender_id, events.c.data)
            .where(events.c.type_name == "user", events.c.sender_id.in_(part))
            .order_by(events.c.id)
        ).all()
        out.extend((r.sender_id, event_data(r.data)) for r in rows)
    return out


def count_user_messages_containing(session: Session, fragment: str, excluding: Sequence[str] = ()) -> int:
    """Patient messages whose JSON `data` contains `fragment`, outside the `excluding` conversations."""
    def count(query: Any) -> int:
        return int(session.execute(query).scalar_one())

    base = select(func.count()).select_from(events).where(
        events.c.type_name == "user", events.c.data.contains(fragment, autoescape=True)
    )
    inside = sum(count(base.where(events.c.sender_id.in_(part))) for part in chunks(sorted(set(excluding))))
    return count(base) - inside
