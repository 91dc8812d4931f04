"""Deletion of old data: conversations with everything attached to them (events, alerts, callbacks,
reviews, notes), and the console's own traces (audit log, login counters, ended sessions).

`purge` deletes the conversations; `purge_database` adds the traces, each with its own period. The
daily job that also covers the files (pending alerts, logs) is bot/console/purge.py.
Feedback and messages flagged for review go with their conversation; labelled messages stay: masked, they
are the training data of `bot learn`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bot.console import sessions, throttle
from bot.storage.events import chunks, conversations_by_last_event, delete_conversations
from bot.storage.models import (
    Alert,
    AnswerFeedback,
    AuditLog,
    CallbackRequest,
    ConversationNote,
    ConversationReview,
    MessageLabel,
    utcnow,
)


@dataclass
class RetentionResult:
    conversations: int = 0
    events: int = 0
    alerts: int = 0
    callback_requests: int = 0
    reviews: int = 0
    notes: int = 0
    feedback: int = 0
    flags: int = 0

    def as_text(self) -> str:
        return (
            f"{self.conversations} conversation(s), {self.events} événement(s), {self.alerts} alerte(s), "
            f"{self.callback_requests} demande(s) de rappel, {self.reviews} revue(s), {self.notes} note(s), "
            f"{self.feedback} avis, {self.flags} message(s) signalé(s)"
        )


@dataclass
class DatabasePurge:
    conversations: RetentionResult = field(default_factory=RetentionResult)
    audit_rows: int = 0
    login_counters: int = 0
    sessions: int = 0

    def as_text(self) -> str:
        return (
            f"{self.conversations.as_text()}, {self.audit_rows} ligne(s) du journal d'audit, "
            f"{self.login_counters} compteur(s) de connexion, {self.sessions} session(s) terminée(s)"
        )


def _old_and_recent(session: Session, days: int, now: float | None) -> tuple[list[str], set[str]]:
    cutoff = (now if now is not None else time.time()) - days * 86400
    return conversations_by_last_event(session, cutoff)


def _orphans(session: Session, cutoff: datetime, recent: set[str], known: set[str]) -> set[str]:
    """Conversation ids of project rows older than the cutoff whose conversation has no recent event.

    A review is dated by its last change; one with no date at all counts as old.
    """
    found: set[str] = set()
    for model, column in (
        (Alert, Alert.created_at),
        (CallbackRequest, CallbackRequest.created_at),
        (ConversationNote, ConversationNote.created_at),
    ):
        found.update(session.execute(select(model.conversation_id).where(column < cutoff)).scalars())
    review_date = func.coalesce(ConversationReview.updated_at, ConversationReview.reviewed_at)
    found.update(
        session.execute(
            select(ConversationReview.conversation_id).where(or_(review_date.is_(None), review_date < cutoff))
        ).scalars()
    )
    return found - recent - known


def count_expired(session: Session, days: int, now: float | None = None) -> int:
    old, _recent = _old_and_recent(session, days, now)
    return len(old)


def purge(session: Session, days: int, now: float | None = None) -> RetentionResult:
    """Delete conversations whose last event is older than `days` days (commit is the caller's)."""
    if days < 1:
        raise ValueError("la durée de conservation doit être d'au moins 1 jour")
    old, recent = _old_and_recent(session, days, now)
    today = datetime.fromtimestamp(now, timezone.utc).replace(tzinfo=None) if now is not None else utcnow()
    cutoff = today - timedelta(days=days)
    ids = old + sorted(_orphans(session, cutoff, recent, set(old)))
    result = RetentionResult(conversations=len(ids))
    for part in chunks(ids):
        if old:
            result.events += delete_conversations(session, part)
        result.alerts += _delete(session, Alert, part)
        result.callback_requests += _delete(session, CallbackRequest, part)
        result.reviews += _delete(session, ConversationReview, part)
        result.notes += _delete(session, ConversationNote, part)
        result.feedback += _delete(session, AnswerFeedback, part)
        result.flags += (
            session.execute(
                delete(MessageLabel)
                .where(MessageLabel.conversation_id.in_(part), MessageLabel.label.is_(None))
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    return result


def purge_database(session: Session, days: int, audit_days: int, now: datetime | None = None) -> DatabasePurge:
    """Conversations older than `days`, audit rows older than `audit_days`, spent counters and sessions.

    `now` is naive UTC; commit is the caller's.
    """
    if audit_days < 1:
        raise ValueError("la durée de conservation du journal d'audit doit être d'au moins 1 jour")
    now = now or utcnow()
    epoch = (now - datetime(1970, 1, 1)).total_seconds()
    result = DatabasePurge(conversations=purge(session, days, now=epoch))
    stmt = delete(AuditLog).where(AuditLog.at < now - timedelta(days=audit_days))
    result.audit_rows = session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0
    result.login_counters = throttle.purge(session, now)
    result.sessions = sessions.purge_expired(session, now)
    return result


def _delete(session: Session, model: type[Any], ids: object) -> int:
    stmt = delete(model).where(model.conversation_id.in_(ids)).execution_options(synchronize_session=False)
    return session.execute(stmt).rowcount or 0
