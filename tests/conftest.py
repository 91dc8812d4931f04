"""Shared fixtures. End-to-end tests use real servers on free ports and a real database."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from servers import MODEL, Servers, start_servers

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rasa_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The trained model served by a real Rasa server and action server, over a SQLite file."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make test`, which trains it")
    servers = start_servers(tmp_path_factory.mktemp("servers"))
    yield servers
    servers.stop()


def texts(replies: list[dict]) -> list[str]:
    return [r.get("text", "") for r in replies]
