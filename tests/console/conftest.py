"""Fixtures of the console tests: the same suite on a SQLite file and, with TEST_POSTGRES_URL, on PostgreSQL.

Each backend gets one fresh database per test session (Alembic schema + Rasa's own `events` table created
by Rasa's SQLTrackerStore); every test starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")  # Rasa 3.6 uses SQLAlchemy 1.4 APIs

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import make_url

from bot.console.app import create_app
from bot.storage.events import events
from bot.storage.models import Base, StaffUser
from bot.storage.session import engine_for, init_db, session_scope

from .console_helpers import PASSWORD, Seeder, login

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL not set: PostgreSQL run skipped"),
        ],
    ),
]
ROLE_USERS = {"secretariat": "secretaire", "clinician": "docteur", "admin": "admin"}
_HASH = PasswordHasher().hash(PASSWORD)  # hashed once: argon2 is slow on purpose


def _fresh_postgres() -> tuple[str, str]:
    assert POSTGRES_URL
    name = f"console_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False), name


def _drop_postgres(name: str) -> None:
    assert POSTGRES_URL
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, object]]:
    """(database URL, Rasa SQLTrackerStore) of a fresh database for the whole session."""
    from rasa.core.tracker_store import SQLTrackerStore

    pg_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('console-db') / 'assistant.db'}"
    else:
        url, pg_name = _fresh_postgres()
    init_db(url)
    store = SQLTrackerStore(host=url)  # Rasa creates its own `events` table, as in production
    yield url, store
    store.engine.dispose()
    engine_for(url).dispose()
    if pg_name:
        _drop_postgres(pg_name)


@pytest.fixture
def database_url(backend: tuple[str, object]) -> str:
    url = backend[0]
    with session_scope(url) as s:
        s.execute(delete(events))
        for table in reversed(Base.metadata.sorted_tables):
            s.execute(delete(table))
    return url


@pytest.fixture
def seeder(database_url: str, backend: tuple[str, object]) -> Seeder:
    return Seeder(store=backend[1], url=database_url)  # type: ignore[arg-type]


@pytest.fixture
def users(database_url: str) -> dict[str, str]:
    """One account per role, all with PASSWORD; returns username by role."""
    with session_scope(database_url) as s:
        for role, name in ROLE_USERS.items():
            s.add(StaffUser(username=name, password_hash=_HASH, role=role, failed_logins=0))
    return dict(ROLE_USERS)


@pytest.fixture
def app(database_url: str, users: dict[str, str]) -> Flask:
    return create_app(database_url, testing=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _logged(app: Flask, username: str) -> FlaskClient:
    c = app.test_client()
    response = login(c, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return c


@pytest.fixture
def secretariat(app: Flask, users: dict[str, str]) -> FlaskClient:
    return _logged(app, users["secretariat"])


@pytest.fixture
def clinician(app: Flask, users: dict[str, str]) -> FlaskClient:
    return _logged(app, users["clinician"])


@pytest.fixture
def admin(app: Flask, users: dict[str, str]) -> FlaskClient:
    return _logged(app, users["admin"])


@pytest.fixture(autouse=True)
def isolated_var(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """var/ of the tests (pending alerts, logs the purge rotates): never the working tree's."""
    var = tmp_path_factory.mktemp("var")
    monkeypatch.setattr("bot.settings.VAR_DIR", var)
    monkeypatch.setattr("bot.storage.alert_queue.VAR_DIR", var)
    return var
