"""Slowing down repeated failed logins, stored in the database (it survives restarts, several consoles share it).

Three counters per attempt, each with its own policy:

- the pair (username, address): locked after PAIR.max_failures failures, for 30 s doubling up to
  15 min. This is the lock a guesser meets; it does not touch the same account from another address,
  so a third party cannot keep a clinician out of the console;
- the address: locked after ADDRESS.max_failures failures whatever the usernames (password spraying);
- the username, from any address: a soft slowdown (at most USER.max_delay between attempts) against
  guessing spread over many addresses, short enough never to lock the real person out for long.

An attempt is *reserved* before the password is checked: in one transaction that holds the three rows
(row locks on PostgreSQL, the write lock on SQLite), the locks are checked and the attempt is counted
as a failure; a correct password then clears the username's counters. Parallel requests therefore
cannot test more passwords than the policy allows. Attempts refused while locked are not counted and
do not extend the lock. Counters are forgotten after FORGET_AFTER without a failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import LoginThrottle


@dataclass(frozen=True)
class Policy:
    prefix: str
    max_failures: int
    base_delay: timedelta
    max_delay: timedelta

    def delay(self, failures: int) -> timedelta:
        """How long the key stays locked after its `failures`-th failure in a row."""
        if failures < self.max_failures:
            return timedelta(0)
        return min(self.base_delay * (2 ** min(failures - self.max_failures, 16)), self.max_delay)


PAIR = Policy("pair", 5, timedelta(seconds=30), timedelta(minutes=15))
ADDRESS = Policy("ip", 20, timedelta(minutes=1), timedelta(minutes=15))
USER = Policy("user", 10, timedelta(seconds=2), timedelta(seconds=30))
FORGET_AFTER = timedelta(hours=1)
AUDIT_SUPPRESSED_KEY = "audit:login-rows-not-written"


def _name(username: str) -> str:
    return username.strip().lower()[:120]


def _address(address: str | None) -> str:
    return (address or "inconnue")[:45]


def keys_for(username: str, address: str | None) -> dict[Policy, str]:
    name, addr = _name(username), _address(address)
    return {PAIR: f"pair:{addr}|{name}", ADDRESS: f"ip:{addr}", USER: f"user:{name}"}


def _ensure_rows(session: Session, keys: Sequence[str]) -> None:
    """Insert the missing rows without ever failing on a concurrent insert of the same key."""
    dialect = session.get_bind().dialect.name
    values = [{"key": key, "failures": 0} for key in sorted(keys)]
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        session.execute(insert(LoginThrottle).values(values).on_conflict_do_nothing(index_elements=["key"]))
        return
    for value in values:  # other databases: one savepoint per key
        try:
            with session.begin_nested():
                session.add(LoginThrottle(**value))
        except IntegrityError:
            pass


def _locked_rows(session: Session, keys: Sequence[str]) -> dict[str, LoginThrottle]:
    """The rows of `keys`, created if needed and locked until the transaction ends."""
    session.commit()  # start a fresh, short transaction
    _ensure_rows(session, keys)  # on SQLite this write takes the database's write lock
    rows = session.execute(
        select(LoginThrottle)
        .where(LoginThrottle.key.in_(sorted(keys)))
        .order_by(LoginThrottle.key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalars()
    return {row.key: row for row in rows}


def _remaining(row: LoginThrottle, now: datetime) -> float:
    if row.locked_until is None or row.locked_until <= now:
        return 0.0
    return (row.locked_until - now).total_seconds()


def reserve(session: Session, username: str, address: str | None, now: datetime) -> int:
    """Reserve one password check: 0 when allowed (counted as a failure until `succeeded`), else seconds to wait."""
    keys = keys_for(username, address)
    rows = _locked_rows(session, list(keys.values()))
    wait = max(_remaining(rows[key], now) for key in keys.values())
    if wait > 0:
        session.commit()
        return math.ceil(wait)
    for policy, key in keys.items():
        row = rows[key]
        if row.last_failed_at is None or now - row.last_failed_at > FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failed_at = now
        delay = policy.delay(row.failures)
        row.locked_until = now + delay if delay else None
    session.commit()
    return 0


def succeeded(session: Session, username: str, address: str | None) -> None:
    """The reserved attempt had the right password: clear the account's counters, take it off the address's."""
    keys = keys_for(username, address)
    rows = _locked_rows(session, [keys[ADDRESS]])
    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_([keys[PAIR], keys[USER]])))
    row = rows[keys[ADDRESS]]
    row.failures = max((row.failures or 0) - 1, 0)
    if ADDRESS.delay(row.failures) == timedelta(0):
        row.locked_until = None
    session.commit()


def count_suppressed(session: Session, now: datetime) -> None:
    """One more audit row not written (rate limit of the failed-login rows)."""
    row = _locked_rows(session, [AUDIT_SUPPRESSED_KEY])[AUDIT_SUPPRESSED_KEY]
    row.failures = (row.failures or 0) + 1
    row.last_failed_at = now
    session.commit()


def take_suppressed(session: Session) -> int:
    """How many audit rows were not written since the last call (and reset the count)."""
    row = _locked_rows(session, [AUDIT_SUPPRESSED_KEY])[AUDIT_SUPPRESSED_KEY]
    count, row.failures = row.failures or 0, 0
    session.commit()
    return count


def purge(session: Session, now: datetime) -> int:
    """Delete counters that no longer matter (forgotten and unlocked); commit is the caller's."""
    cutoff = now - FORGET_AFTER
    stmt = delete(LoginThrottle).where(
        (LoginThrottle.last_failed_at.is_(None)) | (LoginThrottle.last_failed_at < cutoff),
        (LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until <= now),
        (LoginThrottle.key != AUDIT_SUPPRESSED_KEY) | (LoginThrottle.failures == 0),  # a count not yet reported
    )
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount or 0
