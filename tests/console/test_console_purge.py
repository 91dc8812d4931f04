"""The daily purge (issue 14, hole 8): what the privacy page promises to delete is deleted without anyone,
the audit log after its own period, and the purge is started by `make run`, `make prod-local` and a
Kubernetes CronJob."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select, update

from bot.__main__ import main
from bot.console import throttle
from bot.console.purge import PurgeSettings, next_run, run_daily, run_purge
from bot.console.sessions import open_session
from bot.console.timeutil import LOCAL_TZ
from bot.storage import alert_queue
from bot.storage.events import events
from bot.storage.log_retention import purge_logs
from bot.storage.models import (
    Alert,
    AuditLog,
    CallbackRequest,
    ConsoleSession,
    ConversationNote,
    ConversationReview,
    LoginThrottle,
    utcnow,
)
from bot.storage.session import session_scope

from .console_helpers import DAY, Seeder, bot, user

ROOT = Path(__file__).resolve().parents[2]


def _count(url: str, model) -> int:  # type: ignore[no-untyped-def]
    with session_scope(url) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _age(path: Path, days: float) -> None:
    t = time.time() - days * DAY
    os.utime(path, (t, t))


@pytest.fixture
def old_and_new(seeder: Seeder, database_url: str, isolated_var: Path) -> dict[str, object]:
    """One of each kind of data, once too old and once recent."""
    now = utcnow()
    seeder.conversation(
        "vieille", [user("faut-il être à jeun ?", "ask_fasting"), bot("Oui.")], start=time.time() - 120 * DAY
    )
    seeder.conversation("recente", [user("bonjour", "greet"), bot("Bonjour.")])
    for cid in ("vieille", "recente"):
        seeder.alert(cid, "C", "saignement")
        seeder.callback(cid)
    with session_scope(database_url) as s:
        s.add(ConversationNote(conversation_id="vieille", author="docteur", text="note"))
        s.add(ConversationReview(conversation_id="vieille", reviewed=True, reviewed_by="d", reviewed_at=now, tags=""))
        s.add(ConversationReview(conversation_id="recente", reviewed=False, tags="à rappeler"))
        # Rows whose conversation has no event any more: an old alert, a review without any date.
        s.add(Alert(conversation_id="sans-evenements", group="A", created_at=now - timedelta(days=200)))
        s.add(ConversationReview(conversation_id="sans-date", reviewed=False, tags="x"))
        s.flush()
        s.execute(
            update(ConversationReview).where(ConversationReview.conversation_id == "sans-date").values(updated_at=None)
        )
        s.add(AuditLog(username="d", action="conversation_view", target="vieille", at=now - timedelta(days=400)))
        s.add(AuditLog(username="d", action="conversation_view", target="recente", at=now - timedelta(days=100)))
        s.add(LoginThrottle(key="ip:203.0.113.9", failures=3, last_failed_at=now - timedelta(days=2)))
        s.add(LoginThrottle(key="ip:198.51.100.1", failures=2, last_failed_at=now - timedelta(minutes=5)))
        locked = now + timedelta(minutes=10)
        s.add(
            LoginThrottle(
                key="pair:x|docteur", failures=9, last_failed_at=now - timedelta(hours=2), locked_until=locked
            )
        )
        s.add(LoginThrottle(key=throttle.AUDIT_SUPPRESSED_KEY, failures=4, last_failed_at=now - timedelta(days=3)))
        open_session(s, 1, now - timedelta(hours=9), "127.0.0.1")
        open_session(s, 1, now - timedelta(minutes=5), "127.0.0.1")
    pending = isolated_var / "alerts-pending.jsonl"
    old_line = {
        "conversation_id": "p1",
        "group": "A",
        "matched": [],
        "message_text": "x",
        "queued_at": time.time() - 100 * DAY,
    }
    new_line = {**old_line, "conversation_id": "p2", "queued_at": time.time() - 60}
    pending.write_text(json.dumps(old_line) + "\n" + json.dumps(new_line) + "\n")
    logs = isolated_var / "log"
    logs.mkdir()
    (logs / "console.log").write_text("GET /conversation?id=recente\n")
    (logs / "rasa.log.20260101-030000").write_text("ancien\n")
    _age(logs / "rasa.log.20260101-030000", 30)
    (logs / "arrete.log").write_text("un serveur arrêté depuis longtemps\n")
    _age(logs / "arrete.log", 30)
    return {"pending": pending, "logs": logs}


def test_the_purge_covers_everything(old_and_new: dict[str, object], database_url: str, isolated_var: Path) -> None:
    logs = old_and_new["logs"]
    assert isinstance(logs, Path)
    cfg = PurgeSettings(days=90, audit_days=180, log_days=14, log_dirs=[logs])
    report = run_purge(database_url, cfg, actor="purge")
    with session_scope(database_url) as s:
        assert set(s.execute(select(events.c.sender_id).distinct()).scalars()) == {"recente"}
        # The pending file was first stored: the recent waiting alert is now a row; the old one was
        # stored with its real date and therefore purged with the other old rows.
        assert sorted(s.execute(select(Alert.conversation_id)).scalars()) == ["p2", "recente"]
        assert list(s.execute(select(CallbackRequest.conversation_id)).scalars()) == ["recente"]
        assert list(s.execute(select(ConversationReview.conversation_id)).scalars()) == ["recente"]
        assert s.execute(select(func.count()).select_from(ConversationNote)).scalar_one() == 0
        assert list(s.execute(select(AuditLog.target).where(AuditLog.action == "conversation_view")).scalars()) == [
            "recente"
        ]
        keys = set(s.execute(select(LoginThrottle.key)).scalars())
        assert keys == {"ip:198.51.100.1", "pair:x|docteur", throttle.AUDIT_SUPPRESSED_KEY}  # live or unreported
        assert s.execute(select(func.count()).select_from(ConsoleSession)).scalar_one() == 1
        row = s.execute(select(AuditLog).where(AuditLog.action == "retention")).scalar_one()
        assert row.username == "purge" and "4 conversation(s)" in row.target  # vieille, p1 and 2 orphans
    assert report.pending_stored == 2 and not Path(str(old_and_new["pending"])).exists()
    assert report.database.audit_rows == 1 and report.database.sessions == 1 and report.database.login_counters == 1
    assert (logs / "console.log").read_text() == ""  # emptied, its copy kept for the log period
    assert [p.name for p in logs.glob("console.log.*")] and not list(logs.glob("rasa.log.*"))
    assert (logs / "arrete.log").read_text() == ""
    assert report.logs.rotated == 1 and report.logs.deleted == 2


def test_pending_alerts_beyond_the_period_are_dropped_when_the_database_is_down(
    isolated_var: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = isolated_var / "alerts-pending.jsonl"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{isolated_var / 'absent' / 'x.db'}")
    assert not alert_queue.store_alert_or_queue("c1", "A", ["jambe"], "texte")
    lines = pending.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["queued_at"] > time.time() - 60
    assert alert_queue.drop_expired(90) == 0
    assert alert_queue.drop_expired(90, now=time.time() + 91 * DAY) == 1
    assert not pending.exists()


def test_a_waiting_alert_keeps_its_date(isolated_var: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{isolated_var / 'absent' / 'x.db'}")
    alert_queue.store_alert_or_queue("c1", "B", [], "je manque d'air")
    record = json.loads((isolated_var / "alerts-pending.jsonl").read_text())
    record["queued_at"] -= 3600
    (isolated_var / "alerts-pending.jsonl").write_text(json.dumps(record) + "\n")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert alert_queue.flush_pending() == 1
    with session_scope(database_url) as s:
        created = s.execute(select(Alert.created_at)).scalar_one()
    assert timedelta(minutes=55) < utcnow() - created < timedelta(minutes=65)


def test_audit_log_has_its_own_period(seeder: Seeder, database_url: str) -> None:
    with session_scope(database_url) as s:
        for days in (10, 100, 200, 400):
            s.add(AuditLog(username="d", action="x", target=str(days), at=utcnow() - timedelta(days=days)))
    run_purge(database_url, PurgeSettings(days=30, audit_days=365, log_days=14))
    with session_scope(database_url) as s:
        kept = set(s.execute(select(AuditLog.target).where(AuditLog.action == "x")).scalars())
    assert kept == {"10", "100", "200"}  # the conversations' 30 days do not shorten it


def test_log_purge_keeps_recent_copies(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("ligne\n")
    (tmp_path / "vide.log").write_text("")
    (tmp_path / "a.log.20260101-000000").write_text("récent\n")
    (tmp_path / "autre.txt").write_text("pas un journal\n")
    _age(tmp_path / "autre.txt", 100)
    result = purge_logs(tmp_path, keep_days=14)
    assert (result.rotated, result.deleted) == (1, 0)
    assert len(list(tmp_path.glob("a.log.*"))) == 2 and (tmp_path / "autre.txt").exists()
    assert purge_logs(tmp_path / "absent", keep_days=14).rotated == 0


def test_retention_command_runs_the_whole_purge(
    old_and_new: dict[str, object], database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["retention", "--database-url", database_url, "--log-dir", str(old_and_new["logs"])]) == 0
    out = capsys.readouterr().out
    assert "4 conversation(s)" in out and "1 ligne(s) du journal d'audit" in out and "journal(aux) vidé(s)" in out
    assert main(["retention", "--audit-days", "0", "--database-url", database_url]) == 2


def test_retention_page_shows_the_last_daily_purge(seeder: Seeder, admin, database_url: str) -> None:  # type: ignore[no-untyped-def]
    assert "Aucune purge enregistrée" in admin.get("/admin/retention").get_data(as_text=True)
    run_purge(database_url, PurgeSettings(days=90, audit_days=180, log_days=14))
    page = admin.get("/admin/retention").get_data(as_text=True)
    assert "Dernière purge" in page and "180 jours pour le journal d'audit" in page


def test_next_run_is_the_next_purge_hour() -> None:
    at = datetime(2026, 12, 1, 2, 30, tzinfo=LOCAL_TZ)
    assert next_run(at, 3) == datetime(2026, 12, 1, 3, 0, tzinfo=LOCAL_TZ)
    assert next_run(at.replace(hour=3), 3) == datetime(2026, 12, 2, 3, 0, tzinfo=LOCAL_TZ)
    assert next_run(at.replace(hour=23), 3) == datetime(2026, 12, 2, 3, 0, tzinfo=LOCAL_TZ)


def test_run_daily_runs_now_then_every_day_and_retries_after_a_failure() -> None:
    calls: list[str] = []
    sleeps: list[float] = []
    now = datetime(2026, 12, 1, 3, 0, 5, tzinfo=LOCAL_TZ)

    def job() -> None:
        calls.append("run")
        if len(calls) == 2:
            raise RuntimeError("base injoignable")

    run_daily(job, 3, sleep=sleeps.append, clock=lambda: now, runs=3)
    assert calls == ["run"] * 3
    assert sleeps[0] == pytest.approx(24 * 3600 - 5) and sleeps[1] == 3600


def test_the_purge_is_started_everywhere(tmp_path: Path) -> None:
    from bot.processes import stacks

    # `make run` and `make prod-local` start the stacks of bot/processes.
    assert "retention --daily" in " ".join(p for proc in stacks.dev({}).processes for p in proc.argv)
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"")
    prod_stack = stacks.prod_local({"PROD_DIR": str(tmp_path / "prod"), "MODEL": str(model)})
    prod = " ".join(p for proc in prod_stack.processes for p in proc.argv)
    assert "retention --daily" in prod and f"--log-dir {tmp_path / 'prod' / 'log'}" in prod
    cron = yaml.safe_load((ROOT / "deploy" / "helm" / "retention-cronjob.yaml").read_text())
    assert cron["kind"] == "CronJob" and cron["spec"]["concurrencyPolicy"] == "Forbid"
    minute, hour, *_ = cron["spec"]["schedule"].split()
    assert minute.isdigit() and hour.isdigit()  # once a day
    container = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][-3:] == ["-m", "bot", "retention"]
    env = {e["name"]: e for e in container["env"]}
    assert env["DB_USER"]["value"] == "assistant_console"  # the console's role, allowed to delete


def test_privacy_page_tells_the_truth() -> None:
    from bot.site.app import create_app

    page = create_app().test_client().get("/confidentialite").get_data(as_text=True)
    assert "tiré au hasard" in page and "identifiant de l'appel" in page  # web and phone ids
    assert "Twilio" in page  # the phone processor is named
    assert "rasa_affinity" in page and "Aucun cookie," not in page  # nginx's cookie is declared
    assert "console" in page  # the staff's own cookie, never set for patients
    assert "90 jours" in page and "journal" in page
