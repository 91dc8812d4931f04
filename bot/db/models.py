"""Tables owned by the project. Rasa's own `events` table (SQL tracker store) sits in the same database."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Alert(Base):
    """A red-flag message, stored for the clinicians."""

    __tablename__ = "alerts"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    group = Column("flag_group", String(8), nullable=False)
    matched = Column(Text, nullable=False, default="")  # matched words, joined with " | "
    message_text = Column(Text, nullable=False, default="")
    acknowledged_by = Column(String(120))
    acknowledged_at = Column(DateTime)


class CallbackRequest(Base):
    """A request to be called back by the secretariat, stored only with the patient's consent."""

    __tablename__ = "callback_requests"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    name = Column(String(200), nullable=False)
    phone = Column(String(32), nullable=False)
    time_slot = Column(String(200), nullable=False, default="")
    reason = Column(Text, nullable=False, default="")
    status = Column(String(16), nullable=False, default="nouveau")  # nouveau | traité
    handled_by = Column(String(120))
    handled_at = Column(DateTime)


class ConversationReview(Base):
    """What the staff recorded about one conversation."""

    __tablename__ = "conversation_reviews"
    conversation_id = Column(String(255), primary_key=True)
    reviewed = Column(Boolean, nullable=False, default=False)
    reviewed_by = Column(String(120))
    reviewed_at = Column(DateTime)
    tags = Column(String(500), nullable=False, default="")  # comma-separated


class ConversationNote(Base):
    __tablename__ = "conversation_notes"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    author = Column(String(120), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    text = Column(Text, nullable=False)


class StaffUser(Base):
    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(120), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)  # secretariat | clinician | admin
    created_at = Column(DateTime, nullable=False, default=utcnow)
    failed_logins = Column(Integer, nullable=False, default=0)
    last_failed_at = Column(DateTime)


class LoginThrottle(Base):
    """Failed logins per key ("user:<name>" or "ip:<address>"), so that the slowdown survives restarts."""

    __tablename__ = "login_throttle"
    key = Column(String(200), primary_key=True)
    failures = Column(Integer, nullable=False, default=0)
    last_failed_at = Column(DateTime)
    locked_until = Column(DateTime)


class AuditLog(Base):
    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    username = Column(String(120), nullable=False)
    action = Column(String(64), nullable=False)
    target = Column(String(500), nullable=False, default="")


class ReviewLabel(Base):
    """A misunderstood message labelled by a clinician or an admin: what `python -m bot learn` reads.

    `label` is an intent of domain.yml, "hors_sujet" or "nouveau_sujet". A text with red-flag words is
    trained on only once a clinician confirmed it may be (`reviewed_red_flag`).
    """

    __tablename__ = "review_labels"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, default="", index=True)
    text = Column(Text, nullable=False)
    label = Column(String(120), nullable=False)
    comment = Column(Text, nullable=False, default="")
    labelled_by = Column(String(120), nullable=False)
    labelled_at = Column(DateTime, nullable=False, default=utcnow)
    has_red_flag_words = Column(Boolean, nullable=False, default=False)
    reviewed_red_flag = Column(Boolean, nullable=False, default=False)
    used_in_training_at = Column(DateTime, index=True)


class LearningRun(Base):
    """One run of `python -m bot learn`: the gate's figures before and after, and its decision."""

    __tablename__ = "learning_runs"
    id = Column(Integer, primary_key=True)
    started_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    finished_at = Column(DateTime)
    status = Column(String(16), nullable=False)  # accepté | refusé | échec
    accepted = Column(Boolean, nullable=False, default=False)
    examples_added = Column(Integer, nullable=False, default=0)
    figures_before = Column(JSON)  # {set: {figure: value}}
    figures_after = Column(JSON)
    reasons = Column(JSON)  # [str]: why refused, or the warnings of an accepted run
    labels_used = Column(JSON)  # [{"id": int, "intent": str}]
    labels_skipped = Column(JSON)  # [{"id": int, "reason": str}]
    model_before = Column(String(64), nullable=False, default="")  # sha256 of the model file
    model_after = Column(String(64), nullable=False, default="")


Index("ix_alerts_unacknowledged", Alert.acknowledged_at)
