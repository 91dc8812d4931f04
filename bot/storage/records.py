"""Writes of the assistant into the project's database (alerts, callback requests, answer feedback)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import func, select

from bot.storage.models import Alert, AnswerFeedback, CallbackRequest, utcnow
from bot.storage.session import session_scope

logger = logging.getLogger(__name__)

MAX_TEXT = 10_000  # a message can be huge; the alert keeps what a clinician can read


def store_alert(
    conversation_id: str,
    group: str,
    matched: Iterable[str],
    message_text: str,
    created_at: datetime | None = None,
    url: str | None = None,
) -> int:
    """Store an alert; `created_at` (naive UTC) for an alert that waited while the database was down."""
    with session_scope(url) as s:
        alert = Alert(
            conversation_id=conversation_id,
            group=group,
            matched=" | ".join(matched),
            message_text=(message_text or "")[:MAX_TEXT],
        )
        if created_at is not None:
            alert.created_at = created_at
        s.add(alert)
        s.flush()
        return int(alert.id)


def store_callback(conversation_id: str, name: str, phone: str, time_slot: str, reason: str) -> int:
    with session_scope() as s:
        request = CallbackRequest(
            conversation_id=conversation_id,
            name=name[:200],
            phone=phone,
            time_slot=time_slot[:200],
            reason=reason[:MAX_TEXT],
        )
        s.add(request)
        s.flush()
        return int(request.id)


def recent_count(table: type[Alert] | type[CallbackRequest], conversation_id: str, hours: float) -> int:
    """Rows of `table` stored for this conversation in the last `hours` (per-conversation caps)."""
    since = utcnow() - timedelta(hours=hours)
    with session_scope() as s:
        query = select(func.count()).select_from(table).where(
            table.conversation_id == conversation_id, table.created_at >= since
        )
        return int(s.execute(query).scalar_one())


def store_feedback(
    conversation_id: str,
    answer: str,
    answer_at: float,
    intent: str,
    value: str,
    comment: str = "",
    question_at: float | None = None,
    comment_red_flag: str | None = None,
) -> int:
    """One row per answer given: a later click changes the value, a later comment is added to it."""
    with session_scope() as s:
        row = s.execute(
            select(AnswerFeedback).where(
                AnswerFeedback.conversation_id == conversation_id,
                AnswerFeedback.answer == answer,
                AnswerFeedback.answer_at == answer_at,
            )
        ).scalar_one_or_none()
        if row is None:
            row = AnswerFeedback(conversation_id=conversation_id, answer=answer, answer_at=answer_at, comment="")
            s.add(row)
        row.intent = intent
        row.question_at = question_at
        row.value = value
        row.updated_at = utcnow()
        if comment:
            row.comment = comment
        if comment_red_flag:
            row.comment_red_flag = comment_red_flag
        s.flush()
        return int(row.id)
