"""The project's own tables, beside Rasa's tracker store, through SQLAlchemy."""

from bot.storage.models import (
    Alert,
    AnswerFeedback,
    AuditLog,
    Base,
    CallbackRequest,
    ConversationNote,
    ConversationReview,
    MessageLabel,
    StaffUser,
)
from bot.storage.session import engine_for, init_db, session_scope

__all__ = [
    "Alert",
    "AnswerFeedback",
    "AuditLog",
    "Base",
    "CallbackRequest",
    "ConversationNote",
    "ConversationReview",
    "MessageLabel",
    "StaffUser",
    "engine_for",
    "init_db",
    "session_scope",
]
