"""The console's notion of "now" (naive UTC), replaceable in tests to age sessions and locks."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from bot.storage.models import utcnow


def now() -> datetime:
    clock = current_app.config.get("CLOCK") or utcnow
    return clock()
