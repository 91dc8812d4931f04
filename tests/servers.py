"""Real servers on free ports for end-to-end tests: the Rasa server, the action server, their database.

They run in production mode (ASSISTANT_ENV=production) with their secrets set: signed conversation
tokens, a Twilio auth token, the action server's token. The tests hold the same secrets and sign what a
legitimate client (the widget, Twilio, a REST client) would sign.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.core.conversation_ids import rest_sender_for
from bot.core.twilio_signature import twilio_signature

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "current.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 240, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def base_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    return env


def sqlite_endpoints(tmp: Path, db_file: Path, actions_port: int) -> Path:
    path = tmp / "endpoints.yml"
    path.write_text(
        f'action_endpoint:\n  url: "http://localhost:{actions_port}/webhook"\n'
        '  headers:\n    X-Action-Token: ${ACTION_SERVER_TOKEN}\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{db_file}"\n'
        'lock_store:\n  type: "in_memory"\n',
        encoding="utf-8",
    )
    return path


@dataclass
class Servers:
    """A running Rasa server and action server sharing one database."""

    tmp: Path
    database_url: str
    endpoints: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = 0
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    token_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    twilio_token: str = field(default_factory=lambda: secrets.token_hex(16))
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def env(self) -> dict[str, str]:
        env = base_env(self.database_url)
        env.update(
            ASSISTANT_ENV="production", CONVERSATION_TOKEN_KEY=self.token_key, TWILIO_AUTH_TOKEN=self.twilio_token,
            ACTION_SERVER_TOKEN=self.action_token, RASA_PUBLIC_URL=self.rasa_url, ACTIONS_HOST="127.0.0.1",
        )
        return env

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def start_actions(self) -> None:
        out = self.log("actions").open("ab")
        self.procs["actions"] = subprocess.Popen(
            [str(BIN / "python"), "-m", "bot.action_server", "-p", str(self.actions_port)],
            cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
        )
        wait_http(f"http://127.0.0.1:{self.actions_port}/health", 120, self.procs["actions"])

    def stop_actions(self) -> None:
        self._stop("actions")

    def start_rasa(self, extra: list[str] | None = None) -> None:
        out = self.log("rasa").open("ab")
        self.procs["rasa"] = subprocess.Popen(
            [str(BIN / "python"), "-m", "bot.serve", "run", "-m", str(MODEL), "-p", str(self.rasa_port),
             "--endpoints", str(self.endpoints), "--credentials", str(ROOT / "credentials.yml"),
             "--cors", "http://localhost:8080", *(extra or [])],
            cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
        )
        wait_http(f"{self.rasa_url}/", 300, self.procs["rasa"])

    def _stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop(self) -> None:
        for name in list(self.procs):
            self._stop(name)

    def token(self, conversation_id: str) -> str:
        """The signed sender a REST client holds for `conversation_id` ("rest-…")."""
        return rest_sender_for(conversation_id, self.token_key)

    def say(self, sender: str, text: str, timeout: float = 60) -> list[dict]:
        """One message to the REST conversation `sender` ("rest-…"), signed as the server requires."""
        r = requests.post(self.webhook, json={"sender": self.token(sender), "message": text}, timeout=timeout)
        r.raise_for_status()
        return r.json()

    @property
    def voice_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/twilio_voice/webhook"

    def call(self, form: dict[str, str], signature: str | None = "sign", timeout: float = 60) -> requests.Response:
        """A phone webhook request as Twilio sends it: signed with the auth token unless told otherwise."""
        headers = {}
        if signature == "sign":
            headers["X-Twilio-Signature"] = twilio_signature(self.twilio_token, self.voice_webhook, form)
        elif signature is not None:
            headers["X-Twilio-Signature"] = signature
        return requests.post(self.voice_webhook, data=form, headers=headers, timeout=timeout)


def start_servers(tmp: Path, database_url: str | None = None, endpoints: Path | None = None) -> Servers:
    db_file = tmp / "assistant.db"
    actions_port = free_port()
    url = database_url or f"sqlite:///{db_file}"
    from bot.storage import init_db

    init_db(url)
    servers = Servers(
        tmp=tmp, database_url=url, actions_port=actions_port,
        endpoints=endpoints or sqlite_endpoints(tmp, db_file, actions_port),
    )
    try:
        servers.start_actions()
        servers.start_rasa()
    except Exception:
        servers.stop()
        raise
    return servers
