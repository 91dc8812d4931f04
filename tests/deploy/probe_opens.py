"""Run the image's processes' start-up and a few of their calls, printing the project files they open.

`python tests/deploy/probe_opens.py` prints one path per line, relative to the repository. It is run by
tests/deploy/test_image_contents.py in a fresh interpreter, so that every module is imported (and every
module-level read happens) under the audit hook. Python sources and bytecode are left out: the import
graph covers them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OPENED: set[str] = set()


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not isinstance(args[0], (str, Path)):
        return
    path = Path(args[0])
    if not path.is_file():
        return
    try:
        rel = path.resolve().relative_to(ROOT)
    except ValueError:
        return
    if rel.parts and rel.parts[0] in {".venv", "var", "models"} or rel.suffix in {".py", ".pyc"}:
        return
    OPENED.add(rel.as_posix())


def main() -> None:
    sys.addaudithook(_hook)
    import asyncio  # noqa: F401  (imported before the servers, as they do)

    # The Rasa server: our entry, then the classes its configuration files name (Rasa imports them).
    import bot.serve  # noqa: F401
    from bot.core.centre import load_centre
    from bot.core.scope import other_procedure
    from bot.rasa_server import channels, classifier, policies, stores  # noqa: F401
    from bot.rasa_server.components import RedFlagComponent

    RedFlagComponent().detector.analyse("je ne sens plus ma jambe")
    other_procedure("avant ma prothèse de hanche")
    load_centre()

    # The action server: rasa-sdk's app registers the `actions` package (module-level reads run).
    from rasa_sdk.executor import CollectingDispatcher

    from actions.answers import say_practical
    from bot.action_server import create_app
    from bot.core.followups import load_table
    from bot.core.practical import PRACTICAL_INTENTS

    create_app(None)
    for intent in PRACTICAL_INTENTS:
        say_practical(CollectingDispatcher(), intent)
    load_table()

    print("\n".join(sorted(OPENED)))


if __name__ == "__main__":
    main()
