"""Tables owned by the project. Rasa's own `events` table (SQL tracker store) sits in the same database."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import declarative_base

Base: Any = declarative_base()  # SQLAlchemy 1.4 is untyped (pyproject.toml, [tool.mypy])


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
    # Last change (review or tags): a review without a review date still ages out (retention).
    updated_at = Column(DateTime, default=utcnow, onupdate=utcnow, index=True)


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


class ContentDecision(Base):
    """A clinician's decision on one answer's text: approved, or a change asked for (bot/content/signoff.py)."""

    __tablename__ = "content_decisions"
    id = Column(Integer, primary_key=True)
    answer_id = Column(String(200), nullable=False, index=True)  # response name, or "pratique:<intent>"
    version = Column(String(64), nullable=False)  # sha256 of the text read
    decision = Column(String(16), nullable=False)  # approuvé | modification
    comment = Column(Text, nullable=False, default="")
    text = Column(Text, nullable=False, default="")  # the text read, so that the record stands on its own
    source = Column(String(500), nullable=False, default="")
    decided_by = Column(String(120), nullable=False)
    decided_at = Column(DateTime, nullable=False, default=utcnow, index=True)


class ConsoleSession(Base):
    """A staff member's open session; the cookie carries a random token, the table only its SHA-256.

    Deleting the row ends the session whatever the browser keeps (logout, password change, timeouts).
    """

    __tablename__ = "console_sessions"
    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    address = Column(String(45), nullable=False, default="")


class AuditLog(Base):
    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    username = Column(String(120), nullable=False)
    action = Column(String(64), nullable=False)
    target = Column(String(500), nullable=False, default="")


class AnswerFeedback(Base):
    """A patient's "Oui" / "Non" on one answer, and what was missing (one row per answer given)."""

    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("conversation_id", "answer", "answer_at", name="uq_answer_feedback_answer"),)
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    answer = Column(String(120), nullable=False)  # utter_ask_fasting, action_practical_answer:ask_cost
    intent = Column(String(120), nullable=False, default="")  # the topic the answer was given for
    answer_at = Column(Float, nullable=False)  # Rasa timestamp of the answer
    question_at = Column(Float)  # Rasa timestamp of the patient message it answered
    value = Column(String(8), nullable=False)  # oui | non
    comment = Column(Text, nullable=False, default="")
    comment_red_flag = Column(String(8))  # red-flag group reported in the comment (it got the emergency answer)


class MessageLabel(Base):
    """A patient message in the review queue: flagged by a staff member and/or labelled by a clinician.

    The labelled rows are the training data of `python -m bot learn`: the masked text, its label (an
    intent, "hors_sujet" or "nouveau_sujet"), the comment, who labelled it and when, the conversation
    it came from, and whether it held red-flag words (such a text is never learned without review).
    """

    __tablename__ = "message_labels"
    __table_args__ = (UniqueConstraint("conversation_id", "message_at", name="uq_message_labels_message"),)
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    message_at = Column(Float, nullable=False)  # Rasa timestamp of the patient message
    text = Column(Text, nullable=False)  # masked (phones and e-mails) copy of the message
    predicted_intent = Column(String(120), nullable=False, default="")
    confidence = Column(Float)
    reason = Column(String(64), nullable=False)  # bot.console.review.REASONS, comma-separated
    flagged_by = Column(String(120))
    flagged_at = Column(DateTime)
    label = Column(String(64), index=True)  # None while waiting in the queue
    comment = Column(Text, nullable=False, default="")
    labelled_by = Column(String(120))
    labelled_at = Column(DateTime)
    red_flag_words = Column(Boolean, nullable=False, default=False)
    red_flag_groups = Column(String(16), nullable=False, default="")  # e.g. "AD"
    learned_at = Column(DateTime)  # set by `bot learn` once the label is in its training file
    # A clinician confirmed this text with red-flag words may be trained on (never by default).
    reviewed_red_flag = Column(Boolean, nullable=False, default=False)


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
