"""The daily purge: everything the privacy page promises to delete, deleted without anyone's help.

Started once a day by `python -m bot retention --daily` (`make run`, `make prod-local`) or by the
Kubernetes CronJob (deploy/helm/retention-cronjob.yaml) as `python -m bot retention`. It covers the
database (bot/console/retention.py: conversations with their alerts, callbacks, reviews and notes;
the audit log after AUDIT_RETENTION_DAYS; login counters; ended sessions), the alerts waiting in
var/alerts-pending.jsonl and the server logs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from bot.console.retention import DatabasePurge, purge_database
from bot.console.timeutil import LOCAL_TZ
from bot.storage import alert_queue
from bot.storage.log_retention import LogPurge, purge_logs
from bot.storage.models import AuditLog, utcnow
from bot.storage.session import session_scope

logger = logging.getLogger(__name__)
RETRY_AFTER = timedelta(hours=1)


@dataclass
class PurgeSettings:
    days: int
    audit_days: int
    log_days: int
    log_dirs: list[Path] = field(default_factory=list)
    pending_file: Path | None = None  # default: the action server's file (bot/storage/alert_queue.py)


@dataclass
class PurgeReport:
    database: DatabasePurge
    pending_stored: int = 0
    pending_dropped: int = 0
    logs: LogPurge = field(default_factory=LogPurge)

    def as_text(self) -> str:
        return (
            f"{self.database.as_text()}, {self.pending_stored} alerte(s) en attente enregistrée(s), "
            f"{self.pending_dropped} alerte(s) en attente trop ancienne(s) supprimée(s), "
            f"{self.logs.rotated} journal(aux) vidé(s), {self.logs.deleted} ancien(s) journal(aux) supprimé(s)"
        )


def run_purge(
    database_url: str | None, cfg: PurgeSettings, actor: str = "purge", now: datetime | None = None
) -> PurgeReport:
    """One purge of everything; `now` is naive UTC (tests move it)."""
    now = now or utcnow()
    epoch = (now - datetime(1970, 1, 1)).total_seconds()
    pending = cfg.pending_file or alert_queue.pending_file()
    stored = 0
    try:  # alerts that waited for the database are stored first, then age like the others
        stored = alert_queue.flush_pending(pending, url=database_url)
    except Exception:
        logger.exception("alertes en attente non enregistrées (base injoignable ?)")
    dropped = alert_queue.drop_expired(cfg.days, now=epoch, path=pending)
    with session_scope(database_url) as s:
        database = purge_database(s, cfg.days, cfg.audit_days, now=now)
    logs = LogPurge()
    for directory in cfg.log_dirs:
        part = purge_logs(directory, cfg.log_days, now=epoch)
        logs.rotated += part.rotated
        logs.deleted += part.deleted
    report = PurgeReport(database=database, pending_stored=stored, pending_dropped=dropped, logs=logs)
    with session_scope(database_url) as s:
        summary = f"{cfg.days} j (audit {cfg.audit_days} j, journaux {cfg.log_days} j) : {report.as_text()}"
        s.add(AuditLog(username=actor, action="retention", target=summary[:500], at=now))
    return report


def next_run(now_local: datetime, hour: int) -> datetime:
    """The next time it is `hour`:00 (local, aware datetime), strictly after `now_local`."""
    candidate = now_local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= now_local:
        candidate = (candidate + timedelta(days=1)).replace(hour=hour)
    return candidate


def run_daily(
    job: Callable[[], object],
    hour: int,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = lambda: datetime.now(LOCAL_TZ),
    runs: int | None = None,
) -> None:
    """Run `job` now, then every day at `hour`:00 local time; a failed run is tried again an hour later."""
    done = 0
    while runs is None or done < runs:
        try:
            job()
            now = clock()
            wait = (next_run(now, hour).astimezone(timezone.utc) - now.astimezone(timezone.utc)).total_seconds()
        except Exception:
            logger.exception("purge quotidienne en échec : nouvel essai dans une heure")
            wait = RETRY_AFTER.total_seconds()
        done += 1
        if runs is None or done < runs:
            sleep(max(wait, 1.0))
