"""sqlmap (Debian's package) against the staff console: the login form and every filter parameter, with an
authenticated clinician session, over PostgreSQL. It must find nothing (issue 14).

The console runs as `make prod-local` runs it (`python -m bot console`), on a private database with
conversations saved by Rasa's tracker store, behind no proxy but with TRUSTED_PROXIES=127.0.0.1 so
that sqlmap's `xforwardedfor` tamper gives each login attempt its own address (otherwise the login
throttle would answer 429 after five tries and sqlmap would test nothing).
"""

from __future__ import annotations

import asyncio
import csv
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.processes import catalogue

ROOT = Path(__file__).resolve().parents[2]
SQLMAP = shutil.which("sqlmap")
PASSWORD = "mot-de-passe-sqlmap-1"
pytestmark = [
    pytest.mark.prod_only,
    pytest.mark.skipif(not os.environ.get("TEST_POSTGRES_URL"), reason="TEST_POSTGRES_URL not set"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(url: str) -> None:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.console.users import create_user
    from bot.storage.models import Alert, CallbackRequest
    from bot.storage.session import init_db, session_scope

    init_db(url)
    store = SQLTrackerStore(host=url)
    for i, (text_, intent) in enumerate(
        [
            ("je ne sens plus ma jambe", "red_flag_a"),
            ("faut-il être à jeun ?", "ask_fasting"),
            ("blabla", "nlu_fallback"),
        ]
    ):
        tracker = DialogueStateTracker(f"conv-sqlmap-{i}", slots=[])
        tracker.update(UserUttered(text_, intent={"name": intent, "confidence": 0.9}))
        tracker.update(ActionExecuted("utter_x"))
        tracker.update(BotUttered("Réponse."))
        asyncio.run(store.save(tracker))
    store.engine.dispose()
    with session_scope(url) as s:
        create_user(s, "docteur", PASSWORD, "clinician")
        s.add(Alert(conversation_id="conv-sqlmap-0", group="A", matched="jambe", message_text="jambe"))
        s.add(CallbackRequest(conversation_id="conv-sqlmap-1", name="Jean", phone="0612345678", time_slot="matin"))


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if SQLMAP is None:
        pytest.fail("sqlmap absent: `make test-prod` installs Debian's package (scripts/ensure-deb.sh)")
    admin_url = os.environ["TEST_POSTGRES_URL"]
    name = f"sqlmap_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    _seed(url)
    port = _free_port()
    log = tmp_path_factory.mktemp("sqlmap") / "console.log"
    env = {
        **os.environ,
        "CONSOLE_INSECURE_COOKIES": "1",  # plain http on the loopback
        "TRUSTED_PROXIES": "127.0.0.1",
        "CONSOLE_SECRET_KEY": uuid.uuid4().hex * 2,
        "ASSISTANT_VAR_DIR": str(log.parent),
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            catalogue.console(port, host="127.0.0.1", database_url=url).argv,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                requests.get(f"{base}/login", timeout=2)
                break
            except requests.ConnectionError:
                assert proc.poll() is None and time.time() < deadline, log.read_text()
                time.sleep(0.3)
        yield base, log
    finally:
        proc.terminate()
        proc.wait(20)
        from bot.storage.session import engine_for

        engine_for(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _session_cookie(base: str) -> str:
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = http.post(f"{base}/login", data={"username": "docteur", "password": PASSWORD, "csrf_token": token}, timeout=30)
    assert r.status_code == 200 and "Tableau de bord" in r.text, r.status_code
    return f"console_session={http.cookies['console_session']}"


def _sqlmap(out_dir: Path, *args: str) -> str:
    """Run sqlmap; fail on any injection point it confirms. Returns its output."""
    assert SQLMAP is not None
    cmd = [
        SQLMAP, "--batch", "--disable-coloring", "--flush-session", "--output-dir", str(out_dir),
        "--dbms=PostgreSQL", "--level=2", "--risk=1", "--timeout=15", "--retries=1", "--time-sec=2", *args,
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert not FOUND.search(output), output[-4000:]
    assert "do not appear to be injectable" in output, output[-4000:]
    # sqlmap writes what it confirmed to <host>/log, and every candidate to the results CSV: a
    # candidate may only be one its own confirmation rejected (answers that change with time).
    confirmed = "".join(p.read_text() for p in out_dir.glob("*/log"))
    assert confirmed.strip() == "", confirmed
    for results in out_dir.glob("results-*.csv"):
        for row in csv.DictReader(results.open()):
            assert "false positive" in row.get("Note(s)", ""), row
            REJECTED.append(f"{row['Place']} {row['Parameter']} ({row['Technique(s)']}): {row['Note(s)']}")
    return output


def _statuses(log: Path, path: str) -> dict[str, int]:
    """Status codes of the console's answers to `path` (werkzeug's request log, one line per request)."""
    line_re = re.compile(rf'"(?:GET|POST) {re.escape(path)}(?:\?| ).*" (\d{{3}}) \S+$')
    counts: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        match = line_re.search(re.sub(r"\x1b\[[0-9;]*m", "", line))  # werkzeug colours the non-200 lines
        if match:
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return counts


FOUND = re.compile(r"identified the following injection point", re.I)
REJECTED: list[str] = []  # heuristic candidates that sqlmap itself found to be false positives
TARGETS = {
    "conversation filters": (
        "/conversations?q=jambe&date_from=2020-01-01&date_to=2040-12-31&red_flag=1&fallback=1&asked_person=1"
        "&not_reviewed=1&page=1",
        "q,date_from,date_to,red_flag,fallback,asked_person,not_reviewed,page",
    ),
    "CSV export filters": (
        "/export/conversations.csv?q=jambe&date_from=2020-01-01&date_to=2040-12-31",
        "q,date_from,date_to",
    ),
    "conversation id": ("/conversation?id=conv-sqlmap-0", "id"),
    "queues and statistics": ("/alerts?etat=ouvertes&page=1", "etat,page"),
    "callbacks": ("/callbacks?etat=toutes&page=1", "etat,page"),
    "statistics": ("/api/stats?jours=30", "jours"),
}


def test_sqlmap_finds_nothing_in_the_authenticated_filters(console: tuple[str, Path], tmp_path: Path) -> None:
    base, log = console
    cookie = _session_cookie(base)
    summary = []
    for name, (path, params) in TARGETS.items():
        started = time.monotonic()
        _sqlmap(tmp_path / name.replace(" ", "-"), "-u", base + path, "-p", params, f"--cookie={cookie}")
        answered = _statuses(log, path.split("?")[0])
        # sqlmap's requests were served to the logged-in clinician: no redirect to the login page, no error
        assert sum(answered.values()) >= 20 and not set(answered) & {"302", "401", "500"}, (name, answered)
        summary.append(
            f"{name}: {params} -> nothing ({sum(answered.values())} requests, {answered}, "
            f"{time.monotonic() - started:.0f} s)"
        )
    print("\nsqlmap, authenticated:\n  " + "\n  ".join(summary))
    assert " 500 " not in log.read_text()


def test_sqlmap_finds_nothing_in_the_login_form(console: tuple[str, Path], tmp_path: Path) -> None:
    base, log = console
    started = time.monotonic()
    _sqlmap(
        tmp_path / "login",
        "-u", f"{base}/login",
        "--data=username=docteur&password=devine&csrf_token=x",
        "-p", "username,password",
        "--csrf-token=csrf_token", f"--csrf-url={base}/login",
        "--tamper=xforwardedfor",
        "--ignore-code=401,429",  # a wrong password answers 401, a locked one 429: expected, not errors
    )  # fmt: skip
    answered = _statuses(log, "/login")
    assert answered.get("401", 0) >= 20, answered  # passwords were checked, not refused by the throttle
    print(f"\nsqlmap, login form: username, password -> nothing ({answered}, {time.monotonic() - started:.0f} s)")
    print(f"  candidates rejected by sqlmap's own confirmation: {REJECTED or 'none'}")
    assert " 500 " not in log.read_text()
