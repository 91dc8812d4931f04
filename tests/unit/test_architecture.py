"""The layers of `bot/` (README, ARCHITECTURE): what each process's code may import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
# The frameworks of the servers and of the database: the pure layer runs without any of them.
FRAMEWORKS = {"rasa", "rasa_sdk", "sanic", "flask", "werkzeug", "sqlalchemy", "alembic", "jinja2", "requests"}


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
            # `from bot import settings` imports bot.settings.
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def files_of(package: str) -> list[Path]:
    return sorted((BOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", files_of("core"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pure_layer_imports_no_framework(path: Path) -> None:
    frameworks = {m for m in imported_modules(path) if m.split(".")[0] in FRAMEWORKS}
    assert not frameworks, f"{path.relative_to(ROOT)} importe {sorted(frameworks)}"


@pytest.mark.parametrize("path", files_of("core"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_pure_layer_imports_only_itself_and_the_settings(path: Path) -> None:
    ours = {m for m in imported_modules(path) if m.split(".")[0] in {"bot", "actions", "bench"}}
    outside = {m for m in ours if not m.startswith(("bot.core", "bot.settings")) and m != "bot"}
    assert not outside, f"{path.relative_to(ROOT)} importe {sorted(outside)}"


def test_the_checker_sees_a_framework_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from sqlalchemy import select\n    import rasa.core\n", encoding="utf-8")
    assert {"sqlalchemy", "rasa.core"} <= imported_modules(sample)


def test_no_process_imports_the_bench() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in BOT.rglob("*.py")
                 if any(m.split(".")[0] == "bench" for m in imported_modules(p))]
    offenders += [str(p.relative_to(ROOT)) for p in (ROOT / "actions").rglob("*.py")
                  if any(m.split(".")[0] == "bench" for m in imported_modules(p))]
    assert not offenders


def test_the_rasa_server_layer_needs_no_console_site_or_learning_code() -> None:
    forbidden = ("bot.console", "bot.site", "bot.learn", "bot.content", "bot.quality")
    offenders = {str(p.relative_to(ROOT)): sorted(m for m in imported_modules(p) if m.startswith(forbidden))
                 for p in files_of("rasa_server")}
    assert not {k: v for k, v in offenders.items() if v}
