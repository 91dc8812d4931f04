"""Plays labelled cases through the whole assistant (NLU, rules, policies, real action server).

The Rasa agent runs in this process with an in-memory tracker store; the custom actions run in a real
`rasa run actions` process on a free port, with a throw-away SQLite database for the alerts.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import requests

from bot.quality.cases import Case
from bot.quality.outcome import Outcome, outcome_of_turn
from bot.settings import PROJECT_ROOT, child_environment


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def action_server(workdir: Path | None = None) -> Iterator[tuple[str, str]]:
    """A real action server on a free loopback port, stopped on exit; yields its webhook URL and token."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(workdir or tmp)
        url = f"sqlite:///{base / 'quality.db'}"
        from bot.storage import init_db

        init_db(url)
        port = _free_port()
        token = secrets.token_hex(16)
        env = child_environment(DATABASE_URL=url, RASA_TELEMETRY_ENABLED="false", ACTION_SERVER_TOKEN=token,
                                ACTIONS_HOST="127.0.0.1")
        log = (base / "actions.log").open("ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.action_server", "-p", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"action server exited with {proc.returncode} (see {base / 'actions.log'})")
                try:
                    if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError("action server did not start")
                time.sleep(0.5)
            yield f"http://127.0.0.1:{port}/webhook", token
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def _turn_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of the last turn: from the last user message to the end."""
    for i in range(len(events) - 1, -1, -1):
        if events[i].get("event") == "user":
            return events[i:]
    return []


async def play(model: Path, cases: list[Case], actions_url: str, token: str) -> list[list[Outcome]]:
    """Each case as a new conversation; one Outcome per turn."""
    import logging

    import structlog
    from rasa.core.agent import Agent
    from rasa.shared.core.trackers import EventVerbosity
    from rasa.utils.endpoints import EndpointConfig

    # Rasa's structured debug log would print every prediction of every case.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    agent = Agent.load(str(model), action_endpoint=EndpointConfig(actions_url, headers={"X-Action-Token": token}))
    results = []
    for index, case in enumerate(cases):
        sender = f"quality-{index}"
        outcomes = []
        for turn in case.turns:
            await agent.handle_text(turn, sender_id=sender)
            tracker = await agent.tracker_store.retrieve(sender)
            events = tracker.current_state(EventVerbosity.ALL)["events"] if tracker else []
            outcomes.append(outcome_of_turn(_turn_events(events)))
        results.append(outcomes)
    return results


def run(model: Path, cases: list[Case]) -> list[list[Outcome]]:
    with action_server() as (url, token):
        return asyncio.run(play(model, cases, url, token))
