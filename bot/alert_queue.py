"""Alerts are never lost: if the database is down, they wait in a local file and are stored later."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Iterable

from bot.db.models import Alert
from bot.records import recent_count, store_alert
from bot.settings import ALERT_WINDOW_HOURS, MAX_ALERTS_PER_CONVERSATION, VAR_DIR

logger = logging.getLogger(__name__)
_lock = threading.Lock()


def pending_file() -> Path:
    return VAR_DIR / "alerts-pending.jsonl"


def store_alert_or_queue(conversation_id: str, group: str, matched: Iterable[str], message_text: str) -> bool:
    """Store the alert; on failure keep it in the pending file and log an error. True when stored.

    A conversation that already raised MAX_ALERTS_PER_CONVERSATION alerts within the hour (a script
    flooding the clinicians' queue) gets no more rows; the emergency answer was given anyway, by a rule.
    """
    if over_alert_cap(conversation_id):
        logger.warning("alert not stored: conversation %s is over its cap of %d alerts per %d h",
                       conversation_id, MAX_ALERTS_PER_CONVERSATION, ALERT_WINDOW_HOURS)
        return False
    record = {
        "conversation_id": conversation_id,
        "group": group,
        "matched": list(matched),
        "message_text": message_text,
    }
    with _lock:
        try:
            flush_pending()
            store_alert(**record)
            return True
        except Exception:
            logger.exception(
                "ALERTE NON ENREGISTRÉE en base (groupe %s, conversation %s): mise en attente", group, conversation_id
            )
            path = pending_file()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            return False


def flush_pending() -> int:
    """Store the alerts queued while the database was down; raise if it still is."""
    path = pending_file()
    if not path.exists():
        return 0
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for i, line in enumerate(lines):
        try:
            store_alert(**json.loads(line))
        except Exception:
            path.write_text("\n".join(lines[i:]) + "\n", encoding="utf-8")
            raise
    path.unlink()
    if lines:
        logger.warning("%d alerte(s) en attente enregistrée(s) en base", len(lines))
    return len(lines)


def over_alert_cap(conversation_id: str) -> bool:
    try:
        return recent_count(Alert, conversation_id, ALERT_WINDOW_HOURS) >= MAX_ALERTS_PER_CONVERSATION
    except Exception:
        return False  # database down: the alert goes to the pending file, never lost
