"""The red-flag package stays cut in small modules, and its word lists stay in its data files."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "bot" / "core" / "redflags"
MAX_LINES = 300


def test_every_module_is_under_300_lines() -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.glob("*.py")}
    assert len(sizes) >= 6
    too_long = {name: n for name, n in sizes.items() if n >= MAX_LINES}
    assert not too_long, f"modules of {MAX_LINES} lines or more: {too_long}"


def test_no_word_list_in_the_code() -> None:
    """A set, list, tuple or dict literal of 4+ lower-case words belongs in lexicon.yml or normalize.yml."""
    found = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Set, ast.List, ast.Tuple, ast.Dict)):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                words = [e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(words) >= 4 and all(w.isalpha() and w.islower() for w in words):
                    found.append(f"{path.name}:{node.lineno} {words[:4]}")
    assert not found, f"word lists in code: {found}"
