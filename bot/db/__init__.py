"""The project's own tables, beside Rasa's tracker store, through SQLAlchemy."""

from bot.db.models import Alert, AuditLog, Base, CallbackRequest, ConversationNote, ConversationReview, StaffUser
from bot.db.session import engine_for, init_db, session_scope

__all__ = [
    "Alert",
    "AuditLog",
    "Base",
    "CallbackRequest",
    "ConversationNote",
    "ConversationReview",
    "StaffUser",
    "engine_for",
    "init_db",
    "session_scope",
]
