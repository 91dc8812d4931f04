"""How each server process starts: one builder per kind, the only place its command line is written."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PYTHON = sys.executable
# `rasa` beside this interpreter: the baseline the startup benchmark compares `bot.serve` with.
RASA_CLI = str(Path(PYTHON).parent / "rasa")
# Programs that serve a Rasa model (everything after them is Rasa's own command line).
RASA_LAUNCHERS: dict[str, tuple[str, ...]] = {"bot.serve": (PYTHON, "-m", "bot.serve"), "rasa": (RASA_CLI,)}
# Programs that serve the custom actions: ours (token-protected), or through `run actions`.
ACTION_LAUNCHERS: dict[str, tuple[str, ...]] = {
    "bot.action_server": (PYTHON, "-m", "bot.action_server"),
    "bot.serve": (PYTHON, "-m", "bot.serve", "run", "actions", "--actions", "actions"),
    "rasa": (RASA_CLI, "run", "actions", "--actions", "actions"),
}


@dataclass(frozen=True)
class Process:
    """One process: its command line, what it adds to the environment, its port and readiness URL."""

    name: str
    argv: tuple[str, ...]
    port: int | None = None
    # Answering below 500 means ready; None: ready once started (no HTTP side).
    ready_url: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)


def free_port() -> int:
    """A TCP port free on the loopback right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _local(host: str | None) -> str:
    """The address to poll a server listening on `host` at."""
    return "127.0.0.1" if host in (None, "", "0.0.0.0", "::") else str(host)


def rasa_server(port: int, model: Path | str, endpoints: Path | str, credentials: Path | str, *,
                host: str | None = None, cors: Sequence[str] = (), extra: Sequence[str] = (),
                name: str = "rasa", launcher: str = "bot.serve") -> Process:
    argv = [*RASA_LAUNCHERS[launcher], "run", "-m", str(model), "-p", str(port)]
    if host:
        argv += ["-i", host]
    argv += ["--endpoints", str(endpoints), "--credentials", str(credentials)]
    if cors:
        argv += ["--cors", *cors]
    return Process(name, (*argv, *extra), port, f"http://{_local(host)}:{port}/")


def rasa_shell(model: Path | str, endpoints: Path | str) -> Process:
    """The assistant in the terminal (`make chat`): run in the foreground, not supervised."""
    return Process("shell", (*RASA_LAUNCHERS["bot.serve"], "shell", "-m", str(model), "--endpoints", str(endpoints)))


def action_server(port: int, *, host: str | None = None, name: str = "actions",
                  launcher: str = "bot.action_server") -> Process:
    # Without a host, bot.action_server listens on ACTIONS_HOST (loopback by default).
    argv = [*ACTION_LAUNCHERS[launcher], "-p", str(port)]
    env = {"ACTIONS_HOST": host} if host else {}
    return Process(name, tuple(argv), port, f"http://{_local(host)}:{port}/health", env)


def site(port: int, *, host: str | None = None) -> Process:
    argv = [PYTHON, "-m", "bot", "site", "--port", str(port), *(["--host", host] if host else [])]
    return Process("site", tuple(argv), port, f"http://{_local(host)}:{port}/")


def console(port: int, *, host: str | None = None, database_url: str | None = None,
            insecure_cookies: bool = False) -> Process:
    argv = [PYTHON, "-m", "bot", "console", "--port", str(port)]
    argv += ["--host", host] if host else []
    argv += ["--database-url", database_url] if database_url else []
    # Plain http on localhost: the explicit development opt-out of the Secure cookie.
    env = {"CONSOLE_INSECURE_COOKIES": "1"} if insecure_cookies else {}
    return Process("console", tuple(argv), port, f"http://{_local(host)}:{port}/login", env)


def purge(log_dirs: Iterable[Path | str] = ()) -> Process:
    """Retention without anyone: now, then every day at PURGE_HOUR (conversations, audit, logs…)."""
    argv = [PYTHON, "-m", "bot", "retention", "--daily"]
    for directory in log_dirs:
        argv += ["--log-dir", str(directory)]
    return Process("purge", tuple(argv))


def nginx(binary: str, conf: Path, prefix: Path, listen: str, port: int) -> Process:
    """nginx in the foreground, as a child of the supervisor (never the system service)."""
    argv = (binary, "-c", str(conf), "-p", str(prefix), "-g", "daemon off;")
    return Process("nginx", argv, port, f"http://{_local(listen)}:{port}/")


def nginx_check(process: Process) -> tuple[str, ...]:
    """`nginx -t` on the configuration `process` would run with."""
    return (process.argv[0], "-t", "-q", *process.argv[1:])
