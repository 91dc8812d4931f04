"""Plays labelled cases through the whole assistant (NLU, rules, policies, real action server).

The Rasa agent runs in this process with an in-memory tracker store; the custom actions run in a real
action server (bot/processes) on a free port, with a throw-away SQLite database for the alerts.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from bot.processes import catalogue
from bot.processes.supervisor import ProcessExited, Supervisor
from bot.quality.cases import Case
from bot.quality.outcome import Outcome, outcome_of_turn
from bot.settings import child_environment


@contextmanager
def action_server(workdir: Path | None = None) -> Iterator[tuple[str, str]]:
    """A real action server on a free loopback port, stopped on exit; yields its webhook URL and token."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(workdir or tmp)
        url = f"sqlite:///{base / 'quality.db'}"
        from bot.storage import init_db

        init_db(url)
        port = catalogue.free_port()
        token = secrets.token_hex(16)
        env = child_environment(DATABASE_URL=url, RASA_TELEMETRY_ENABLED="false", ACTION_SERVER_TOKEN=token)
        supervisor = Supervisor(base, env=env)
        try:
            supervisor.start(catalogue.action_server(port, host="127.0.0.1"))
            try:
                supervisor.wait_ready(timeout=120)
            except ProcessExited as e:
                raise RuntimeError(f"action server exited with {e.returncode} (see {base / 'actions.log'})") from e
            except TimeoutError as e:
                raise TimeoutError("action server did not start") from e
            yield f"http://127.0.0.1:{port}/webhook", token
        finally:
            supervisor.stop()


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
