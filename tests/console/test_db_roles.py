"""One database role per process in production (issue 14, hole 9): deploy/db-roles.sql applied to a fresh
PostgreSQL database, then each role tried for what it must and must not do. Needs TEST_POSTGRES_URL."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from bot.storage.cli import create_rasa_events
from bot.storage.session import engine_for, init_db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "db-roles.sql"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
STAFF_TABLES = ("staff_users", "console_sessions", "audit_log", "login_throttle")


def test_helm_values_give_each_process_its_role() -> None:
    rasa = yaml.safe_load((ROOT / "deploy" / "helm" / "rasa-values.yaml").read_text())
    actions = yaml.safe_load((ROOT / "deploy" / "helm" / "rasa-action-server-values.yaml").read_text())
    assert rasa["global"]["postgresql"]["postgresqlUsername"] == "assistant_rasa"
    assert "DATABASE_URL" not in {e["name"] for e in rasa.get("extraEnv", [])}  # no project tables for Rasa
    env = {e["name"]: e for e in actions["extraEnv"]}
    assert env["DB_USER"]["value"] == "assistant_actions"
    assert "DB_USER" in env["DATABASE_URL"]["value"]
    script = SCRIPT.read_text()
    for role in ("assistant_rasa", "assistant_actions", "assistant_console"):
        assert role in script


@pytest.fixture(scope="module")
def roles_db() -> Iterator[dict[str, str]]:
    """A fresh database migrated by its owner, the roles script applied; URLs by role (trust auth)."""
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL run skipped")
    tag = uuid.uuid4().hex[:8]
    name = f"roles_test_{tag}"
    roles = {kind: f"t{tag}_{kind}" for kind in ("rasa", "actions", "console")}
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    owner_url = make_url(POSTGRES_URL).set(database=name)
    owner = owner_url.render_as_string(hide_password=False)
    try:
        init_db(owner)
        create_rasa_events(owner)
        sql = SCRIPT.read_text()
        for kind, role in roles.items():
            sql = sql.replace(f"assistant_{kind}", role)
        raw = engine_for(owner).raw_connection()
        try:
            with raw.cursor() as cur:
                cur.execute(sql)
                cur.execute(sql)  # idempotent: a second run changes nothing and fails nowhere
            raw.commit()
        finally:
            raw.close()
        yield {
            "owner": owner,
            **{
                kind: owner_url.set(username=role, password=None).render_as_string(hide_password=False)
                for kind, role in roles.items()
            },
        }
    finally:
        engine_for(owner).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in roles.values():
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def can(url: str, sql: str) -> bool:
    engine = create_engine(url, future=True)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
        return True
    except ProgrammingError as exc:
        assert "permission denied" in str(exc), exc
        return False
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_rasa_role_keeps_conversations_and_cannot_read_staff_accounts(roles_db: dict[str, str]) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = SQLTrackerStore(host=roles_db["rasa"])  # starts as in production: the table exists already
    tracker = DialogueStateTracker("conv-role", slots=[])
    tracker.update(UserUttered("bonjour", intent={"name": "greet", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("conv-role")).latest_message.text == "bonjour"
    store.engine.dispose()
    for table in (*STAFF_TABLES, "alerts", "callback_requests", "conversation_notes"):
        assert not can(roles_db["rasa"], f"SELECT * FROM {table}"), table
    assert not can(roles_db["rasa"], "DELETE FROM events")
    assert not can(roles_db["rasa"], "CREATE TABLE intrus (x int)")


@pytest.mark.postgres
def test_actions_role_writes_alerts_and_callbacks_only(roles_db: dict[str, str]) -> None:
    from bot.storage.records import store_alert

    assert store_alert("conv-role", "A", ["jambe"], "je ne sens plus ma jambe", url=roles_db["actions"]) > 0
    assert can(
        roles_db["actions"],
        "INSERT INTO callback_requests (conversation_id, created_at, name, phone, time_slot, reason, status) "
        "VALUES ('conv-role', now(), 'Jean', '0612345678', 'matin', 'rdv', 'nouveau')",
    )
    assert can(roles_db["actions"], "SELECT count(*) FROM alerts")
    for table in (*STAFF_TABLES, "events", "conversation_notes", "conversation_reviews"):
        assert not can(roles_db["actions"], f"SELECT * FROM {table}"), table
    assert not can(roles_db["actions"], "DELETE FROM alerts")
    engine_for(roles_db["actions"]).dispose()


@pytest.mark.postgres
def test_console_role_runs_the_console_and_the_purge(roles_db: dict[str, str]) -> None:
    from bot.console.app import create_app
    from bot.console.purge import PurgeSettings, run_purge
    from bot.console.users import create_user
    from bot.storage.session import session_scope

    from .console_helpers import login

    url = roles_db["console"]
    with session_scope(url) as s:
        create_user(s, "docteur", "mot-de-passe-de-test", "clinician")
    app = create_app(url, testing=True)  # the schema is at head: the console starts without DDL rights
    client = app.test_client()
    assert login(client, "docteur", "mauvais-mot-de-passe").status_code == 401  # throttle and audit rows
    assert login(client, "docteur").status_code == 302
    assert client.get("/conversations").status_code == 200
    assert client.get("/conversation?id=conv-role").status_code in (200, 404)
    run_purge(url, PurgeSettings(days=1, audit_days=1, log_days=1))
    assert can(url, "DELETE FROM events WHERE sender_id = 'personne'")
    assert not can(url, "INSERT INTO events (sender_id, type_name) VALUES ('x', 'user')")
    assert not can(url, "UPDATE alembic_version SET version_num = 'x'")
    assert not can(url, "CREATE TABLE intrus (x int)")
    engine_for(url).dispose()
