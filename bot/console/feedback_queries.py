"""Reading the patients' feedback, the review queue's events and its labels (SQLAlchemy, bound parameters)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console.review import ChatEvent
from bot.console.satisfaction import FeedbackRow
from bot.console.timeutil import LOCAL_TZ
from bot.core.intents import FEEDBACK_INTENT
from bot.storage.events import chunks, event_data, events, has_events_table
from bot.storage.models import AnswerFeedback, MessageLabel

_QUEUE_TYPES = ("user", "bot", "active_loop")


def _local_day(value: datetime) -> date:
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).date()


def feedback_rows(session: Session, since: datetime, until: datetime) -> list[FeedbackRow]:
    """The feedback given in [since, until) (naive UTC), on the local day it was given."""
    rows = session.execute(
        select(AnswerFeedback)
        .where(AnswerFeedback.created_at >= since, AnswerFeedback.created_at < until)
        .order_by(AnswerFeedback.created_at)
    ).scalars()
    return [
        FeedbackRow(r.conversation_id, _local_day(r.created_at), r.intent or "", r.answer, r.value, r.comment or "")
        for r in rows
    ]


def feedback_counts(session: Session, since: datetime, until: datetime) -> tuple[int, int]:
    """("Oui", "Non") given in [since, until)."""
    rows = session.execute(
        select(AnswerFeedback.value, func.count(AnswerFeedback.id))
        .where(AnswerFeedback.created_at >= since, AnswerFeedback.created_at < until)
        .group_by(AnswerFeedback.value)
    ).all()
    counts = {value: int(n) for value, n in rows}
    return counts.get("oui", 0), counts.get("non", 0)


def negative_feedback_questions(session: Session, conversation_ids: Sequence[str]) -> dict[tuple[str, float], str]:
    """(conversation, time of the question) -> comment, for every answer that got a "Non"."""
    out: dict[tuple[str, float], str] = {}
    for part in chunks(sorted(set(conversation_ids))):
        rows = session.execute(
            select(AnswerFeedback.conversation_id, AnswerFeedback.question_at, AnswerFeedback.comment).where(
                AnswerFeedback.value == "non",
                AnswerFeedback.question_at.is_not(None),
                AnswerFeedback.conversation_id.in_(part),
            )
        ).all()
        out.update({(r.conversation_id, float(r.question_at)): r.comment or "" for r in rows})
    return out


def chat_event(row: Any) -> ChatEvent:
    """A row of Rasa's `events` table (id, sender_id, type_name, timestamp, action_name, data)."""
    data = event_data(row.data)
    base = {"event_id": int(row.id), "conversation_id": row.sender_id, "type_name": row.type_name,
            "timestamp": float(row.timestamp or 0.0)}
    if row.type_name == "user":
        parse = data["parse_data"] if isinstance(data.get("parse_data"), dict) else {}
        intent = parse["intent"] if isinstance(parse.get("intent"), dict) else {}
        confidence = intent.get("confidence")
        ranking = tuple(
            str(r.get("name")) for r in parse.get("intent_ranking") or [] if isinstance(r, dict) and r.get("name")
        )
        return ChatEvent(
            **base,
            text=str(data.get("text") or ""),
            intent=intent.get("name"),
            confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
            ranking=ranking,
        )
    if row.type_name == "bot":
        metadata = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
        return ChatEvent(**base, text=str(data.get("text") or ""), answer=str(metadata.get("utter_action") or ""))
    return ChatEvent(**base, form=row.action_name)


def _columns():
    return select(
        events.c.id, events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.action_name, events.c.data
    )


def chat_events_between(session: Session, start: float, end: float) -> list[ChatEvent]:
    """The events the queue reads, of [start, end) (epoch), in order within each conversation."""
    if not has_events_table(session):
        return []
    rows = session.execute(
        _columns()
        .where(events.c.type_name.in_(_QUEUE_TYPES), events.c.timestamp >= start, events.c.timestamp < end)
        .order_by(events.c.sender_id, events.c.id)
    ).all()
    return [chat_event(r) for r in rows]


def patient_message(session: Session, event_id: int) -> ChatEvent | None:
    """One message the patient typed, by its event id (None for anything else)."""
    if not has_events_table(session):
        return None
    row = session.execute(_columns().where(events.c.id == event_id, events.c.type_name == "user")).first()
    if row is None:
        return None
    event = chat_event(row)
    return None if event.intent == FEEDBACK_INTENT else event


def labels_for(session: Session, conversation_ids: Sequence[str]) -> dict[tuple[str, float], MessageLabel]:
    """The queue's rows (flagged or labelled) of these conversations, by (conversation, message time)."""
    out: dict[tuple[str, float], MessageLabel] = {}
    for part in chunks(sorted(set(conversation_ids))):
        for row in session.execute(select(MessageLabel).where(MessageLabel.conversation_id.in_(part))).scalars():
            out[(row.conversation_id, float(row.message_at))] = row
    return out


def flagged_waiting(session: Session) -> list[MessageLabel]:
    """Messages flagged by a staff member and not labelled yet, newest first."""
    return list(
        session.execute(
            select(MessageLabel).where(MessageLabel.label.is_(None)).order_by(MessageLabel.message_at.desc())
        ).scalars()
    )


def event_id_at(session: Session, conversation_id: str, message_at: float) -> int | None:
    """The event id of a patient message (None once retention has deleted it)."""
    if not has_events_table(session):
        return None
    return session.execute(
        select(events.c.id).where(
            events.c.sender_id == conversation_id, events.c.type_name == "user", events.c.timestamp == message_at
        )
    ).scalar()
