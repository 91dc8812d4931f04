"""Deletion of old conversations with everything attached to them (events, alerts, callbacks, reviews, notes,
feedback, messages flagged for review). Labelled messages stay: masked, they are the training data of
`bot learn`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from bot.console.queries import chunks, events, has_events_table
from bot.db.models import (
    Alert,
    AnswerFeedback,
    CallbackRequest,
    ConversationNote,
    ConversationReview,
    MessageLabel,
    utcnow,
)

ATTACHED = (Alert, CallbackRequest, ConversationReview, ConversationNote)


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


def _old_and_recent(session: Session, days: int, now: float | None) -> tuple[list[str], set[str]]:
    cutoff = (now if now is not None else time.time()) - days * 86400
    if not has_events_table(session):
        return [], set()
    last = func.max(events.c.timestamp)
    old = session.execute(select(events.c.sender_id).group_by(events.c.sender_id).having(last < cutoff)).scalars()
    recent = session.execute(select(events.c.sender_id).group_by(events.c.sender_id).having(last >= cutoff)).scalars()
    return sorted(old), set(recent)


def _orphans(session: Session, days: int, recent: set[str], known: set[str]) -> set[str]:
    """Conversation ids of project rows older than the cutoff whose conversation has no event left."""
    cutoff = utcnow() - timedelta(days=days)
    found: set[str] = set()
    for model, column in (
        (Alert, Alert.created_at),
        (CallbackRequest, CallbackRequest.created_at),
        (ConversationNote, ConversationNote.created_at),
    ):
        found.update(session.execute(select(model.conversation_id).where(column < cutoff)).scalars())
    found.update(
        session.execute(
            select(ConversationReview.conversation_id).where(
                and_(ConversationReview.reviewed_at.is_not(None), ConversationReview.reviewed_at < cutoff)
            )
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
    ids = old + sorted(_orphans(session, days, recent, set(old)))
    result = RetentionResult(conversations=len(ids))
    for part in chunks(ids):
        if old:
            result.events += session.execute(delete(events).where(events.c.sender_id.in_(part))).rowcount or 0
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


def _delete(session: Session, model: type, ids: object) -> int:
    stmt = delete(model).where(model.conversation_id.in_(ids)).execution_options(synchronize_session=False)
    return session.execute(stmt).rowcount or 0
