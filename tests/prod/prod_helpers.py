"""Shared by the production tests: load runs with their checks, and the PostgreSQL / Redis faults."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Sequence
from urllib.parse import urlparse

import pytest

from bench.load import LoadConfig, LoadReport, print_summary, report_json, run_load, verify_events
from bench.prod_stack import ProdStack

RED_FLAG = "je ne sens plus mes jambes depuis ce matin"


def new_id(prefix: str = "prod") -> str:
    """A REST conversation id; ProdStack.say signs it with the stack's key."""
    return f"rest-{prefix}-{uuid.uuid4().hex[:12]}"


def run_checked_load(
    stack: ProdStack, cfg: LoadConfig, name: str, faults: Sequence[tuple[float, str, Callable[[], Any]]] = ()
) -> tuple[dict[str, Any], dict[str, Any], LoadReport]:
    """Runs a load through nginx, verifies PostgreSQL, prints and saves the figures."""
    cfg.url, cfg.token_key = stack.url, stack.token_key
    report = run_load(cfg, faults)
    verification = verify_events(stack.database_url, report)
    summary = report.summary()
    print(f"\n=== {name} ===")
    print_summary(summary, verification)
    if report.fault_log:
        print(f"  fautes / faults : {report.fault_log}")
    out = stack.workdir / f"load-{name}.json"
    out.write_text(json.dumps(report_json(report, verification, records=True), indent=2, ensure_ascii=False))
    return summary, verification, report


def assert_nothing_lost(summary: dict[str, Any], verification: dict[str, Any], allow_5xx: bool = False) -> None:
    assert summary["messages_lost"] == 0, summary
    assert summary["foreign_replies"] == 0, summary
    if not allow_5xx:
        assert summary["http_5xx_seen"] == 0, summary
    assert verification["conversations_mixed"] == 0, verification
    assert verification["events_of_this_run_under_unknown_senders"] == 0, verification
    assert verification["conversations_exact"] == verification["conversations"], verification


def sent_between(report: LoadReport, start: float, end: float) -> int:
    return sum(1 for r in report.results if start <= r.sent_at <= end)


# ---------- PostgreSQL ----------

def postgres_is_local() -> bool:
    host = urlparse(os.environ.get("TEST_POSTGRES_URL", "")).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1") and Path("/etc/postgresql").is_dir() \
        and shutil.which("pg_ctlcluster") is not None


def postgres_cluster() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def postgres_start_time(url: str) -> str:
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=5)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_postmaster_start_time()::text")
            return str(cur.fetchone()[0])
    finally:
        conn.close()


def postgres_restart() -> float:
    t0 = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_cluster(), "main", "restart"],
        check=True, timeout=120, capture_output=True,
    )
    return time.monotonic() - t0


def postgres_stop() -> float:
    t0 = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_cluster(), "main", "stop"],
        check=True, timeout=120, capture_output=True,
    )
    return time.monotonic() - t0


def postgres_start() -> float:
    t0 = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_cluster(), "main", "start"],
        check=True, timeout=120, capture_output=True,
    )
    return time.monotonic() - t0


def postgres_ensure_running() -> None:
    if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], timeout=30).returncode != 0:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", postgres_cluster(), "main", "start"],
                       timeout=120, capture_output=True)


# ---------- Redis ----------

def redis_address() -> tuple[str, int]:
    u = urlparse(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    return u.hostname or "127.0.0.1", u.port or 6379


def redis_is_local() -> bool:
    return redis_address()[0] in ("127.0.0.1", "localhost", "::1") and shutil.which("redis-server") is not None \
        and shutil.which("redis-cli") is not None


def redis_ping() -> bool:
    host, port = redis_address()
    r = subprocess.run(["redis-cli", "-h", host, "-p", str(port), "ping"], capture_output=True, text=True, timeout=10)
    return r.stdout.strip() == "PONG"


def redis_stop() -> bool:
    host, port = redis_address()
    subprocess.run(["redis-cli", "-h", host, "-p", str(port), "shutdown", "nosave"], capture_output=True, timeout=30)
    for _ in range(50):
        if not redis_ping():
            return True
        time.sleep(0.1)
    return False


def redis_start() -> bool:
    """Restarts Redis as CI runs it (.ci/run), if it is not answering."""
    if redis_ping():
        return True
    _, port = redis_address()
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(port),
         "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"],
        capture_output=True, timeout=30,
    )
    for _ in range(100):
        if redis_ping():
            return True
        time.sleep(0.1)
    return False


def require(condition: bool, reason: str) -> None:
    if not condition:
        pytest.skip(reason)
