"""Production tests: the `make prod-local` stack (nginx, 2 Rasa servers, 2 action servers,
PostgreSQL, Redis) under load and under faults.

They need TEST_POSTGRES_URL and TEST_REDIS_URL, and they take about ten minutes: they run through
`make test-prod` (scripts/test-prod.sh) or `pytest tests/prod`, and are skipped inside a plain
`pytest tests` (`make test`) unless PROD_TESTS=1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from bench.prod_stack import ProdStack

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

MODEL = ROOT / "models" / "current.tar.gz"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "prod: production stack under load and faults (make test-prod)")
    config.addinivalue_line("markers", "prod_only: long production test without the stack (make test-prod)")


def _explicitly_selected(config: pytest.Config) -> bool:
    """True when the command line names tests/prod (or something inside it)."""
    for arg in config.args:
        path = Path(str(arg).split("::", 1)[0])
        if not path.is_absolute():
            path = Path(config.invocation_params.dir) / path
        try:
            path.resolve().relative_to(HERE)
            return True
        except ValueError:
            continue
    return False


def skip_reason(config: pytest.Config) -> str | None:
    missing = [v for v in ("TEST_POSTGRES_URL", "TEST_REDIS_URL") if not os.environ.get(v)]
    if missing:
        return (f"production tests need {' and '.join(missing)} (PostgreSQL and Redis); "
                "run them with `make test-prod`, which sets local defaults")
    if not (_explicitly_selected(config) or os.environ.get("PROD_TESTS") == "1"):
        return "long production tests run with `make test-prod` (or `pytest tests/prod`), not inside `make test`"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks this directory's tests `prod`; those that need the running stack are skipped unless asked for."""
    reason = skip_reason(config)
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.prod)
            needs_prod = "prod_stack" in getattr(item, "fixturenames", ()) or item.get_closest_marker("prod_only")
            if reason and needs_prod:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def prod_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProdStack]:
    """The whole production stack on free ports, over a private PostgreSQL database."""
    if not MODEL.exists() and not os.environ.get("MODEL"):
        pytest.fail(f"no trained model at {MODEL}: run `make test-prod`, which trains it")
    model = Path(os.environ["MODEL"]) if os.environ.get("MODEL") else MODEL
    stack = ProdStack(
        workdir=tmp_path_factory.mktemp("prod"),
        postgres_url=os.environ["TEST_POSTGRES_URL"],
        redis_url=os.environ["TEST_REDIS_URL"],
        model=model,
    )
    seconds = stack.start()
    print(f"\nproduction stack ready in {seconds:.0f} s at {stack.url} (logs: {stack.log_dir})")
    yield stack
    stack.stop()
