"""Audit log: who viewed, exported or changed what."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g
from sqlalchemy import func, select

from bot import settings
from bot.console import clock, throttle
from bot.console.db import db
from bot.storage.models import AuditLog

# Rows an anonymous client can cause: limited in number (audit_login_problem).
LOGIN_PROBLEMS = ("login_failed", "login_blocked")


def audit(action: str, target: str = "", username: str | None = None, at: datetime | None = None) -> None:
    """Record one audit row now (committed at once, even for a GET)."""
    if username is None:
        user = g.get("user")
        username = user.username if user is not None else "-"
    session = db()
    session.add(AuditLog(username=username[:120], action=action[:64], target=target[:500], at=at or clock.now()))
    session.commit()


def audit_login_problem(action: str, target: str) -> bool:
    """Audit a failed or refused login, at most AUDIT_FAILED_LOGINS_PER_MINUTE rows a minute.

    Beyond that the attempts are only counted, and the next row written says how many were left out:
    a flood of wrong passwords cannot fill the database. True when the row was written.
    """
    now = clock.now()
    session = db()
    recent = session.execute(
        select(func.count(AuditLog.id)).where(
            AuditLog.action.in_(LOGIN_PROBLEMS), AuditLog.at > now - timedelta(minutes=1)
        )
    ).scalar_one()
    if recent >= settings.audit_failed_logins_per_minute():
        throttle.count_suppressed(session, now)
        return False
    left_out = throttle.take_suppressed(session)
    if left_out:
        target = f"{target} (+{left_out} tentative(s) non journalisée(s) auparavant)"
    audit(action, target, username="-", at=now)
    return True
