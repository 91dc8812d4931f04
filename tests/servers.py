"""Real servers on free ports for end-to-end tests: the Rasa server, the action server, their database.

They run in production mode (ASSISTANT_ENV=production) with their secrets set: signed conversation
tokens, a Twilio auth token, the action server's token. The tests hold the same secrets and sign what a
legitimate client (the widget, Twilio, a REST client) would sign.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.core.conversation_ids import rest_sender_for
from bot.core.twilio_signature import twilio_signature
from bot.processes import catalogue
from bot.processes.catalogue import free_port
from bot.processes.supervisor import Supervisor

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "current.tar.gz"
__all__ = ["MODEL", "ROOT", "Servers", "free_port", "start_servers"]


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
    """A running Rasa server and action server sharing one database (processes of bot/processes)."""

    tmp: Path
    database_url: str
    endpoints: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = 0
    token_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    twilio_token: str = field(default_factory=lambda: secrets.token_hex(16))
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    supervisor: Supervisor = field(init=False)

    def __post_init__(self) -> None:
        self.supervisor = Supervisor(self.tmp, env=self.env(), cwd=ROOT)

    def env(self) -> dict[str, str]:
        env = base_env(self.database_url)
        env.update(
            ASSISTANT_ENV="production", CONVERSATION_TOKEN_KEY=self.token_key, TWILIO_AUTH_TOKEN=self.twilio_token,
            ACTION_SERVER_TOKEN=self.action_token, RASA_PUBLIC_URL=self.rasa_url, ACTIONS_HOST="127.0.0.1",
        )
        return env

    @property
    def procs(self) -> dict[str, subprocess.Popen]:
        return self.supervisor.procs

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def log(self, name: str) -> Path:
        return self.supervisor.log_path(name)

    def start_actions(self) -> None:
        self.supervisor.start(catalogue.action_server(self.actions_port))
        self.supervisor.wait_ready(["actions"], 120)

    def stop_actions(self) -> None:
        self.supervisor.stop(["actions"])

    def start_rasa(self, extra: list[str] | None = None) -> None:
        self.supervisor.start(catalogue.rasa_server(
            self.rasa_port, MODEL, self.endpoints, ROOT / "credentials.yml", cors=["http://localhost:8080"],
            extra=extra or ()))
        self.supervisor.wait_ready(["rasa"], 300)

    def stop(self) -> None:
        self.supervisor.stop()

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
