"""Drives `scripts/prod-local.sh` on free ports, for the production tests and the benchmark.

The stack is exactly what `make prod-local` runs (nginx, 2 Rasa servers, 2 action servers, the
PostgreSQL tracker store, the Redis lock store: bot/processes/stacks.py), in a private directory and
database. Its supervisor writes one pid file per process in <dir>/run/ and restarts a process that dies
unless <dir>/run/<name>.hold exists.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

from bot.core.conversation_ids import rest_sender_for
from bot.processes.catalogue import free_port
from bot.processes.stacks import actions_name, rasa_name

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "prod-local.sh"


def free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def rss_bytes(pid: int) -> dict[str, int]:
    """Resident memory of a process (current and peak), from /proc."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out["rss" if key == "VmRSS" else "peak"] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return out


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


@dataclass
class ProdStack:
    workdir: Path
    postgres_url: str  # any database on the server (the stack creates its own)
    redis_url: str
    db_name: str = field(default_factory=lambda: f"assistant_prodtest_{os.getpid()}")
    rasa_ports: list[int] = field(default_factory=lambda: free_ports(2))
    action_ports: list[int] = field(default_factory=lambda: free_ports(2))
    port: int = field(default_factory=free_port)
    actions_lb_port: int = field(default_factory=free_port)
    model: Path | None = None
    # Shared by the stack's Rasa servers (CONVERSATION_TOKEN_KEY): the tests sign their REST senders with it.
    token_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    ready_after: float = 0.0

    # ---------- addresses ----------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    @property
    def run_dir(self) -> Path:
        return self.workdir / "run"

    @property
    def log_dir(self) -> Path:
        return self.workdir / "log"

    def _pg(self) -> dict[str, str]:
        u = urlparse(self.postgres_url)
        return {
            "DB_HOST": u.hostname or "127.0.0.1",
            "DB_PORT": str(u.port or 5432),
            "DB_USER": unquote(u.username or "postgres"),
            "DB_PASSWORD": unquote(u.password or ""),
        }

    @property
    def database_url(self) -> str:
        """The stack's own database (tracker store and project tables)."""
        pg = self._pg()
        auth = pg["DB_USER"] + (f":{pg['DB_PASSWORD']}" if pg["DB_PASSWORD"] else "")
        return f"postgresql://{auth}@{pg['DB_HOST']}:{pg['DB_PORT']}/{self.db_name}"

    def env(self) -> dict[str, str]:
        r = urlparse(self.redis_url)
        env = dict(os.environ)
        for key in ("DATABASE_URL", "ACTION_ENDPOINT_URL", "MODEL"):
            env.pop(key, None)
        env.update(self._pg())
        env.update(
            DB_NAME=self.db_name,
            REDIS_HOST=r.hostname or "127.0.0.1",
            REDIS_PORT=str(r.port or 6379),
            PROD_PORT=str(self.port),
            PROD_DIR=str(self.workdir),
            RASA_PORTS=" ".join(map(str, self.rasa_ports)),
            ACTION_PORTS=" ".join(map(str, self.action_ports)),
            ACTIONS_LB_PORT=str(self.actions_lb_port),
            PROD_WEB="0",
            CONVERSATION_TOKEN_KEY=self.token_key,
            # The load tests drive the stack from one address: the per-address limits would throttle them
            # (tests/prod/test_prod_0_limits.py checks those limits on their own).
            PROD_RATE_LIMIT="100000", PROD_RATE_BURST="100000", PROD_CONN_LIMIT="10000",
            RASA_TELEMETRY_ENABLED="false",
        )
        if self.model is not None:
            env["MODEL"] = str(self.model)
        return env

    # ---------- life cycle ----------
    def start(self, timeout: float = 600) -> float:
        """Starts the stack; returns the seconds until both Rasa servers answered."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        out = (self.workdir / "prod-local.out").open("ab")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            ["bash", str(SCRIPT)], cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = self.started_at + timeout
        while time.monotonic() < deadline:
            if (self.run_dir / "ready").exists():
                self.ready_after = time.monotonic() - self.started_at
                return self.ready_after
            if self.proc.poll() is not None:
                raise RuntimeError(f"prod-local.sh exited with {self.proc.returncode}:\n{self.tail('prod-local.out')}")
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"the production stack was not ready within {timeout} s:\n{self.tail('prod-local.out')}")

    def stop(self, drop_database: bool = True) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.proc = None
        if drop_database:
            self.drop_database()

    def drop_database(self) -> None:
        import psycopg2
        from psycopg2 import sql

        pg = self._pg()
        try:
            conn = psycopg2.connect(host=pg["DB_HOST"], port=pg["DB_PORT"], user=pg["DB_USER"],
                                    password=pg["DB_PASSWORD"] or None, dbname="postgres", connect_timeout=10)
        except psycopg2.Error:
            return
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.db_name)))
        conn.close()

    # ---------- processes ----------
    def names(self) -> list[str]:
        return [*map(rasa_name, self.rasa_ports), *map(actions_name, self.action_ports), "nginx"]

    def pid(self, name: str) -> int | None:
        try:
            pid = int((self.run_dir / f"{name}.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except OSError:
            return None
        return pid

    def kill(self, name: str, sig: int = signal.SIGKILL) -> int:
        pid = self.pid(name)
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        os.kill(pid, sig)
        return pid

    def hold(self, name: str) -> None:
        """Tells the script not to restart `name` when it dies."""
        (self.run_dir / f"{name}.hold").write_text("")

    def release(self, name: str) -> None:
        (self.run_dir / f"{name}.hold").unlink(missing_ok=True)

    def port_of(self, name: str) -> int:
        return int(name.rsplit("-", 1)[1])

    def wait_up(self, name: str, timeout: float = 300, old_pid: int | None = None) -> float:
        """Waits until `name` runs (with a pid other than `old_pid`) and answers on its port."""
        t0 = time.monotonic()
        path = "/health" if name.startswith("actions-") else "/"
        while time.monotonic() - t0 < timeout:
            pid = self.pid(name)
            if pid is not None and pid != old_pid:
                try:
                    if requests.get(f"http://127.0.0.1:{self.port_of(name)}{path}", timeout=2).status_code < 500:
                        return time.monotonic() - t0
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        raise TimeoutError(f"{name} not back within {timeout} s:\n{self.tail(name + '.log')}")

    def memory(self) -> dict[str, dict[str, int]]:
        """Resident memory of every process of the stack (nginx: master + workers)."""
        out: dict[str, dict[str, int]] = {}
        for name in self.names():
            pid = self.pid(name)
            if pid is None:
                continue
            mem = rss_bytes(pid)
            if name == "nginx":
                for child in children_of(pid):
                    for k, v in rss_bytes(child).items():
                        mem[k] = mem.get(k, 0) + v
            out[name] = mem
        return out

    def tail(self, log: str, lines: int = 40) -> str:
        path = self.workdir / log if (self.workdir / log).exists() else self.log_dir / log
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return f"(no {path})"

    # ---------- talking ----------
    def say(self, sender: str, text: str, timeout: float = 90, url: str | None = None) -> list[dict]:
        """One message to the conversation `sender` ("rest-…"), with the token the stack requires."""
        body = {"sender": rest_sender_for(sender, self.token_key), "message": text}
        r = requests.post(url or self.webhook, json=body, timeout=timeout)
        r.raise_for_status()
        return r.json()
