"""Slowing down repeated failed logins, per username and per client address, stored in the database.

After MAX_FAILURES failures in a row for a key (less than FORGET_AFTER apart), the key is locked for
BASE_DELAY, doubled at each further failure, up to MAX_DELAY. Attempts while locked are refused
without checking the password and do not extend the lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import LoginThrottle, utcnow

MAX_FAILURES = 5
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)


def keys_for(username: str, address: str | None) -> list[str]:
    return [f"user:{username.strip().lower()[:150]}", f"ip:{(address or 'inconnue')[:45]}"]


def lock_delay(failures: int) -> timedelta:
    """How long a key stays locked after its `failures`-th failure in a row."""
    if failures < MAX_FAILURES:
        return timedelta(0)
    return min(BASE_DELAY * (2 ** min(failures - MAX_FAILURES, 16)), MAX_DELAY)


def seconds_locked(session: Session, keys: list[str], now: datetime | None = None) -> int:
    now = now or utcnow()
    remaining = 0.0
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            remaining = max(remaining, (row.locked_until - now).total_seconds())
    return int(remaining + 0.999)


def record_failure(session: Session, keys: list[str], now: datetime | None = None) -> None:
    now = now or utcnow()
    for key in keys:
        for _attempt in range(2):
            try:
                _bump(session, key, now)
                session.commit()
                break
            except IntegrityError:  # another request inserted the same key first
                session.rollback()


def _bump(session: Session, key: str, now: datetime) -> None:
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        session.add(row)
    if row.last_failed_at is None or now - row.last_failed_at > FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failed_at = now
    delay = lock_delay(row.failures)
    row.locked_until = now + delay if delay else None
    session.flush()


def reset(session: Session, keys: list[str]) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    session.commit()
