"""The image holds every file its processes import or read, where they look for it (issue 12).

The list is derived, not written down: our modules reachable from each process's entry (bot.serve and
the classes Rasa's configuration files name, bot.action_server and the `actions` package, the jobs'
`python -m bot …`), the data files those modules name, and the project files the processes really
open at start-up and in a few calls (tests/deploy/probe_opens.py, under an audit hook). Each must land
at /app/<its path> through a COPY line of deploy/Dockerfile (the package is installed editable from
/app, so that PROJECT_ROOT is /app).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from image_graph import (
    ACTION_SERVER,
    JOB_COMMANDS,
    RASA_CONFIG_FILES,
    RASA_SERVER,
    ROOT,
    closure,
    data_files_named,
    rasa_config_modules,
)

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
# Read by Rasa (its configuration: domain.yml is trained into the model but also read by our answers),
# and by the editable install.
ALWAYS = {*RASA_CONFIG_FILES, "domain.yml", "pyproject.toml"}


@dataclass(frozen=True)
class Copy:
    sources: tuple[str, ...]
    dest: str  # absolute in the image


def parse_copies(text: str) -> list[Copy]:
    """The COPY/ADD instructions of a Dockerfile from the build context (not `--from` another stage)."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        if not current and raw.lstrip().startswith("#"):
            continue
        current += raw.rstrip().removesuffix("\\") + " " if raw.rstrip().endswith("\\") else raw
        if not raw.rstrip().endswith("\\"):
            lines.append(current.strip())
            current = ""
    workdir = PurePosixPath("/")
    copies: list[Copy] = []
    for line in lines:
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "WORKDIR":
            workdir = workdir / rest.strip()
        if instruction not in ("COPY", "ADD"):
            continue
        args = json.loads(rest) if rest.strip().startswith("[") else shlex.split(rest)
        flags = [a for a in args if a.startswith("--")]
        if any(f.startswith("--from") for f in flags):
            continue
        paths = [a for a in args if not a.startswith("--")]
        dest = workdir / paths[-1]
        copies.append(Copy(tuple(paths[:-1]), str(dest) + ("/" if paths[-1].endswith("/") else "")))
    return copies


def image_path(rel: str, copies: list[Copy], context: Path = ROOT) -> str | None:
    """Where the context's file `rel` lands in the image, or None if no COPY takes it."""
    for copy in copies:
        several = len(copy.sources) > 1
        for source in copy.sources:
            src = source.rstrip("/").removeprefix("./")
            if src in ("", "."):
                inside: str | None = rel
            elif rel == src:
                inside = None
            elif rel.startswith(src + "/") and (context / src).is_dir():
                inside = rel[len(src) + 1:]
            else:
                continue
            if inside is not None:  # a directory's content goes into the destination directory
                return str(PurePosixPath(copy.dest) / inside)
            if several or copy.dest.endswith("/"):
                return str(PurePosixPath(copy.dest) / PurePosixPath(rel).name)
            return copy.dest.rstrip("/")
    return None


def missing_from_image(required: set[str], dockerfile_text: str, workdir: str = "/app") -> dict[str, str | None]:
    """Required files that the Dockerfile leaves out or puts elsewhere than workdir/<path>."""
    copies = parse_copies(dockerfile_text)
    ignored = _dockerignore()
    out: dict[str, str | None] = {}
    for rel in sorted(required):
        where = image_path(rel, copies)
        if where != f"{workdir}/{rel}" or any(fnmatch.fnmatch(rel, p) or rel.startswith(p.rstrip("/") + "/")
                                              for p in ignored):
            out[rel] = where
    return out


def _dockerignore() -> list[str]:
    path = ROOT / ".dockerignore"
    if not path.exists():
        return []
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith(("#", "!"))]


def command_files(dockerfile_text: str) -> set[str]:
    """Project files named by the image's default command (the model, the endpoints)."""
    for line in dockerfile_text.replace("\\\n", " ").splitlines():
        if line.startswith("CMD"):
            args = json.loads(line.removeprefix("CMD"))
            return {a.removeprefix("/app/") for a in args if (ROOT / a.removeprefix("/app/")).suffix in (".yml", ".gz")}
    return set()


def modules_run() -> dict[str, Path]:
    """Our modules whose code the image's processes run: the servers' and the jobs' commands."""
    modules: dict[str, Path] = {}
    modules.update(closure([*RASA_SERVER, *sorted(rasa_config_modules())]).modules)
    modules.update(closure(list(ACTION_SERVER)).modules)
    modules.update(closure(list(JOB_COMMANDS)).modules)
    return modules


def modules_imported() -> dict[str, Path]:
    """Also the modules only imported: `python -m bot <command>` loads every part's commands at start
    (module level), then runs one; their data files (the learning loop's test sets) are never read."""
    return {**modules_run(), **closure(["bot.__main__"], deep=False).modules}


@pytest.fixture(scope="module")
def opened() -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("ASSISTANT_ENV", None)
    run = subprocess.run([sys.executable, str(Path(__file__).with_name("probe_opens.py"))], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=400)
    assert run.returncode == 0, run.stderr[-3000:]
    return set(run.stdout.split())


@pytest.fixture(scope="module")
def required(opened: set[str]) -> set[str]:
    sources = {path.relative_to(ROOT).as_posix() for path in modules_imported().values()}
    return ALWAYS | sources | data_files_named(list(modules_run().values())) | opened | command_files(
        DOCKERFILE.read_text(encoding="utf-8"))


def test_the_probe_sees_the_files_read_at_start_and_in_calls(opened: set[str]) -> None:
    # Read at the action server's import (actions/feedback.py) and by a practical answer: if these are
    # missing, the audit hook saw nothing and the test below would check too little.
    assert {"bot/core/redflags/lexicon.yml", "config/practical.yml", "config/centre.yml"} <= opened


def test_the_static_scan_finds_what_the_processes_open(opened: set[str]) -> None:
    """A file read through a name the scan cannot see would be checked only if the probe happens to
    read it: keep the two in agreement."""
    named = data_files_named(list(modules_run().values()))
    assert opened <= named | ALWAYS, sorted(opened - named)


def test_the_dockerfile_copies_every_file_the_processes_need(required: set[str]) -> None:
    assert {"bot/serve.py", "bot/action_server.py", "actions/answers.py", "models/current.tar.gz"} <= required
    assert missing_from_image(required, DOCKERFILE.read_text(encoding="utf-8")) == {}


def test_the_checker_misses_config_when_its_copy_line_is_removed(required: set[str]) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "COPY config/ config/\n" in text
    missing = missing_from_image(required, text.replace("COPY config/ config/\n", ""))
    assert {"config/centre.yml", "config/practical.yml"} <= set(missing)
    assert all(rel.startswith("config/") for rel in missing)


def test_the_checker_reads_copy_forms_and_destinations() -> None:
    text = ("FROM python:3.10-slim\nWORKDIR /app\n# COPY ignored/ ignored/\n"
            "COPY pyproject.toml config.yml \\\n     domain.yml ./\n"
            'COPY ["bot/", "bot/"]\nCOPY --chown=1001 actions/ src/actions/\n'
            "COPY deploy/endpoints.prod.yml deploy/\nCOPY --from=build /x models/\n")
    copies = parse_copies(text)
    assert image_path("domain.yml", copies) == "/app/domain.yml"
    assert image_path("bot/core/followups.yml", copies) == "/app/bot/core/followups.yml"
    assert image_path("deploy/endpoints.prod.yml", copies) == "/app/deploy/endpoints.prod.yml"
    assert missing_from_image({"actions/answers.py", "config/centre.yml", "models/current.tar.gz"}, text) == {
        "actions/answers.py": "/app/src/actions/answers.py", "config/centre.yml": None,
        "models/current.tar.gz": None}
