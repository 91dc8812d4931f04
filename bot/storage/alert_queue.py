"""Alerts are never lost: if the database is down, they wait in a local file and are stored later.

Each waiting line carries the time it was queued, so that the alert keeps its real date once stored
and so that the daily purge can drop lines older than the retention period (bot/console/purge.py).
A file lock keeps the action server and the purge from storing the same lines twice.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from bot.settings import ALERT_WINDOW_HOURS, MAX_ALERTS_PER_CONVERSATION, VAR_DIR
from bot.storage.models import Alert
from bot.storage.records import recent_count, store_alert

logger = logging.getLogger(__name__)
_lock = threading.Lock()


def pending_file() -> Path:
    return VAR_DIR / "alerts-pending.jsonl"


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Exclusive lock shared by every process using this file (thread lock + flock on a sibling file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path.with_suffix(".lock"), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def store_alert_or_queue(conversation_id: str, group: str, matched: Iterable[str], message_text: str) -> bool:
    """Store the alert; on failure keep it in the pending file and log an error. True when stored.

    A conversation that already raised MAX_ALERTS_PER_CONVERSATION alerts within the hour (a script
    flooding the clinicians' queue) gets no more rows; the emergency answer was given anyway, by a rule.
    """
    if over_alert_cap(conversation_id):
        logger.warning("alert not stored: conversation %s is over its cap of %d alerts per %d h",
                       conversation_id, MAX_ALERTS_PER_CONVERSATION, ALERT_WINDOW_HOURS)
        return False
    record: dict[str, Any] = {
        "conversation_id": conversation_id,
        "group": group,
        "matched": list(matched),
        "message_text": message_text,
    }
    path = pending_file()
    with _file_lock(path):
        try:
            _flush(path)
            store_alert(**record)
            return True
        except Exception:
            logger.exception(
                "ALERTE NON ENREGISTRÉE en base (groupe %s, conversation %s): mise en attente", group, conversation_id
            )
            with path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({**record, "queued_at": time.time()}, ensure_ascii=False) + "\n")
            return False


def flush_pending(path: Path | None = None, url: str | None = None) -> int:
    """Store the alerts queued while the database was down (into `url`, default DATABASE_URL); raise if it still is."""
    path = path or pending_file()
    with _file_lock(path):
        return _flush(path, url)


def _store(record: dict[str, Any], url: str | None) -> None:
    queued_at = record.pop("queued_at", None)
    created_at = (
        datetime.fromtimestamp(queued_at, timezone.utc).replace(tzinfo=None)
        if isinstance(queued_at, (int, float))
        else None
    )
    store_alert(**record, created_at=created_at, url=url)


def _flush(path: Path, url: str | None = None) -> int:
    if not path.exists():
        return 0
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, line in enumerate(lines):
        try:
            _store(json.loads(line), url)
        except Exception:
            path.write_text("\n".join(lines[i:]) + "\n", encoding="utf-8")
            raise
    path.unlink()
    if lines:
        logger.warning("%d alerte(s) en attente enregistrée(s) en base", len(lines))
    return len(lines)


def drop_expired(days: int, now: float | None = None, path: Path | None = None) -> int:
    """Delete waiting lines older than `days` days (a line without date is as old as the file)."""
    path = path or pending_file()
    cutoff = (now if now is not None else time.time()) - days * 86400
    with _file_lock(path):
        if not path.exists():
            return 0
        file_time = path.stat().st_mtime
        kept, dropped = [], 0
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                queued_at = json.loads(line).get("queued_at", file_time)
            except (ValueError, AttributeError):
                queued_at = file_time
            if isinstance(queued_at, (int, float)) and queued_at < cutoff:
                dropped += 1
            else:
                kept.append(line)
        if kept:
            path.write_text("\n".join(kept) + "\n", encoding="utf-8")
        else:
            path.unlink()
        return dropped


def over_alert_cap(conversation_id: str) -> bool:
    try:
        return recent_count(Alert, conversation_id, ALERT_WINDOW_HOURS) >= MAX_ALERTS_PER_CONVERSATION
    except Exception:
        return False  # database down: the alert goes to the pending file, never lost
