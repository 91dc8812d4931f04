"""Command line of the project: `python -m bot <command>`.

Each part registers its own sub-commands; this module only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules exposing `register(subparsers)`; a missing optional part is skipped, never silently broken.
PARTS = ("bot.settings_doc", "bot.storage.cli", "bot.console.cli", "bot.site.cli", "bot.content.cli", "bot.learn.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Assistant vertébroplastie")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not name.startswith(exc.name or "\0"):
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
