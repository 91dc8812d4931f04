"""Server-side staff sessions: the cookie carries a random token, the table decides whether it still counts.

A session ends after IDLE_TIMEOUT without a request that the staff member made (the page's one-minute
polling does not count), after ABSOLUTE_TIMEOUT whatever happens, at logout and when the password
changes; ending means deleting the row, so a copied or replayed cookie is worth nothing afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from bot.storage.models import ConsoleSession, StaffUser

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=8)
# last_seen_at is written at most once per TOUCH_EVERY: one write a minute, not one per request.
TOUCH_EVERY = timedelta(seconds=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def open_session(db: Session, user_id: int, now: datetime, address: str | None) -> str:
    """Create a session (committed) and return its token, for the cookie only."""
    token = secrets.token_urlsafe(32)
    db.add(
        ConsoleSession(
            token_hash=token_hash(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            address=(address or "")[:45],
        )
    )
    db.commit()
    return token


def expired(row: ConsoleSession, now: datetime) -> bool:
    return now - row.last_seen_at >= IDLE_TIMEOUT or now - row.created_at >= ABSOLUTE_TIMEOUT


def resume(db: Session, token: object, now: datetime, active: bool) -> StaffUser | None:
    """The user of a live session, or None (an expired session is deleted).

    `active`: the request was made by the person (not background polling): it keeps the session alive.
    """
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    row = db.get(ConsoleSession, token_hash(token))
    if row is None:
        return None
    if expired(row, now):
        db.delete(row)
        db.commit()
        return None
    user = db.get(StaffUser, row.user_id)
    if user is None:
        db.delete(row)
        db.commit()
        return None
    if active and now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.commit()
    return user


def end_all_sessions(db: Session, user_id: int) -> int:
    """End every session of a user (logout, password change, account deleted); commit is the caller's."""
    result = db.execute(
        delete(ConsoleSession).where(ConsoleSession.user_id == user_id).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def purge_expired(db: Session, now: datetime) -> int:
    """Delete the rows of sessions that can no longer be used (commit is the caller's)."""
    stmt = delete(ConsoleSession).where(
        or_(ConsoleSession.last_seen_at <= now - IDLE_TIMEOUT, ConsoleSession.created_at <= now - ABSOLUTE_TIMEOUT)
    )
    return db.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0
