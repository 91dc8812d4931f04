"""The README's table of environment variables, written from the declarations of bot/settings.py.

`python -m bot settings-table` prints it; tests/unit/test_settings.py keeps the README equal to it.
"""

from __future__ import annotations

import argparse

from bot.settings import SETTINGS, Setting

HEADER = "| variable | default | meaning |\n|---|---|---|"


def _default_cell(setting: Setting) -> str:
    if setting.shown is not None:
        return setting.shown
    if setting.default is None:
        return "unset"
    if setting.default == "":
        return "empty"
    return f"`{setting.default}`"


def markdown_table() -> str:
    """One row per declared variable, in declaration order."""
    rows = [f"| `{s.name}` | {_default_cell(s)} | {s.description} |" for s in SETTINGS.values()]
    return "\n".join([HEADER, *rows]) + "\n"


def _print_table(_args: argparse.Namespace) -> int:
    print(markdown_table(), end="")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings-table", help="affiche le tableau des variables d'environnement (README)")
    p.set_defaults(func=_print_table)
