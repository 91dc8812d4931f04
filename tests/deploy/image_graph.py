"""What the image's processes import and read, derived from their code (tests/deploy/)."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
OURS = ("bot", "actions")
# Files a process opens at run time, besides Python source.
DATA_SUFFIXES = (".yml", ".yaml", ".json", ".txt", ".csv", ".j2", ".ini", ".mako", ".toml")

# The image's processes (deploy/Dockerfile, deploy/helm/*.yaml) and the modules they start from. Rasa
# also imports, by name, every class of the configuration files: added by `rasa_config_modules()`.
RASA_SERVER = ("bot.serve",)
ACTION_SERVER = ("bot.action_server", "actions")
# The jobs run in the same image: `python -m bot retention` (CronJob), `python -m bot db-upgrade`.
JOB_COMMANDS = ("bot.console.purge", "bot.storage.cli", "bot.storage.migrate")
RASA_CONFIG_FILES = ("config.yml", "credentials.yml", "deploy/endpoints.prod.yml")


def module_file(name: str) -> Path | None:
    """The source of one of our modules (package: its __init__.py), or None if it is not ours."""
    parts = name.split(".")
    if parts[0] not in OURS:
        return None
    base = ROOT.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_of(path: Path, *, deep: bool) -> set[str]:
    """Modules a file imports: at module level only, or also inside functions (`deep`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    if path.name == "__init__.py":
        package = package.rsplit(".", 1)[0] + "._"
    nodes = ast.walk(tree) if deep else _module_level(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level)[0]
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            # `from bot import settings` imports the module bot.settings.
            found.update(f"{base}.{alias.name}" for alias in node.names if module_file(f"{base}.{alias.name}"))
    # Modules named by a constant, for importlib.import_module (bot/__main__.py's parts).
    scope = [tree] if deep else [n for n in nodes if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for top in scope:
        for node in ast.walk(top):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and module_file(node.value):
                found.add(node.value)
    return found


def _module_level(tree: ast.Module) -> list[ast.AST]:
    """Statements run on import: the module's body, its if/try blocks, not function or class bodies."""
    out: list[ast.AST] = []
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            for name in ("body", "orelse", "finalbody", "handlers"):
                todo.extend(getattr(node, name, []))
        elif isinstance(node, ast.ExceptHandler):
            todo.extend(node.body)
    return out


@dataclass
class Closure:
    modules: dict[str, Path] = field(default_factory=dict)  # ours
    external: set[str] = field(default_factory=set)  # top-level names of everything else imported


def closure(entries: tuple[str, ...] | list[str], *, deep: bool = True) -> Closure:
    """Our modules reachable from the entries (with their parent packages, which Python runs first)."""
    result = Closure()
    todo = [e for e in entries]
    while todo:
        name = todo.pop()
        if name in result.modules:
            continue
        path = module_file(name)
        if path is None:
            if name.split(".")[0] not in OURS:
                result.external.add(name.split(".")[0])
            continue
        result.modules[name] = path
        todo.extend(".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1))
        if path.name == "__init__.py" and name in entries:
            # An entry package is loaded whole (rasa-sdk registers every module of `actions`).
            todo.extend(f"{name}.{p.stem}" for p in path.parent.glob("*.py") if p.stem != "__init__")
        todo.extend(imports_of(path, deep=deep))
    result.external -= set(sys.builtin_module_names) | set(sys.stdlib_module_names) | {"__future__"}
    return result


def rasa_config_modules() -> set[str]:
    """Our modules that Rasa imports by the class names of its configuration files."""
    names: set[str] = set()
    for rel in RASA_CONFIG_FILES:
        data = yaml.safe_load((ROOT / rel).read_text(encoding="utf-8")) or {}
        candidates = list(data) if rel == "credentials.yml" else []
        for section in ("pipeline", "policies"):
            candidates += [item.get("name", "") for item in data.get(section) or []]
        candidates += [(value or {}).get("type", "") for value in data.values() if isinstance(value, dict)]
        names.update(c.rsplit(".", 1)[0] for c in candidates if isinstance(c, str) and c.startswith(OURS))
    return names


def data_files_named(paths: list[Path]) -> set[str]:
    """Project files that the given modules name in string constants (`"config" / "centre.yml"`,
    `Path(__file__).with_name("lexicon.yml")`): each constant is tried against the module's folder and
    the repository root, and a chain `a / "b" / "c"` is joined first."""
    found: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for rel in _path_strings(node):
                if not rel.endswith(DATA_SUFFIXES) or "*" in rel:
                    continue
                for base in (path.parent, ROOT):
                    candidate = (base / rel).resolve()
                    if candidate.is_file() and ROOT in candidate.parents:
                        found.add(candidate.relative_to(ROOT).as_posix())
    return found


def _path_strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        parts: list[str] = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            if isinstance(node.right, ast.Constant) and isinstance(node.right.value, str):
                parts.insert(0, node.right.value)
            else:
                break
            node = node.left
        return ["/".join(parts)] if parts else []
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" not in node.value:
        return [node.value]
    return []


def distributions_of(modules: set[str]) -> dict[str, set[str]]:
    """Top-level import name → normalised names of the installed distributions that provide it.

    From each distribution's file list (Python 3.10's packages_distributions() reads only
    top_level.txt, which wheels built by recent tools no longer ship)."""
    from importlib.metadata import distributions

    table: dict[str, set[str]] = {m: set() for m in modules}
    for dist in distributions():
        name = normalise(dist.metadata["Name"])
        for file in dist.files or []:
            top = file.parts[0] if file.parts else ""
            top = top[:-3] if top.endswith(".py") else top
            if top in table:
                table[top].add(name)
    return table


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
