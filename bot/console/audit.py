"""Audit log: who viewed, exported or changed what."""

from __future__ import annotations

from flask import g

from bot.console.db import db
from bot.db.models import AuditLog


def audit(action: str, target: str = "", username: str | None = None) -> None:
    """Record one audit row now (committed at once, even for a GET)."""
    if username is None:
        user = g.get("user")
        username = user.username if user is not None else "-"
    session = db()
    session.add(AuditLog(username=username[:120], action=action[:64], target=target[:500]))
    session.commit()
