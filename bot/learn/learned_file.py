"""The dedicated training file of learned examples, `data/nlu/learned.yml` (pure).

Written only by `python -m bot learn`: one block per intent, examples in the order they were learned.
"""

from __future__ import annotations

from typing import Iterable

import yaml

from bot.learn.labels import Example

HEADER = (
    "# Examples learned from the staff's labels (console review queue) by `python -m bot learn`.\n"
    "# Written by the command behind its gate; edit by hand only to remove an example.\n"
)


def read_blocks(text: str) -> dict[str, list[str]]:
    """intent -> examples of an existing file ("" or a missing file gives {})."""
    data = yaml.safe_load(text) if text.strip() else None
    blocks: dict[str, list[str]] = {}
    for block in (data or {}).get("nlu") or []:
        if "intent" not in block:
            continue
        lines = str(block.get("examples") or "").splitlines()
        texts = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
        blocks.setdefault(str(block["intent"]), []).extend(texts)
    return blocks


def render(blocks: dict[str, list[str]]) -> str:
    out = [HEADER, 'version: "3.1"\n', "nlu:\n"]
    for intent, texts in blocks.items():
        if not texts:
            continue
        out.append(f"- intent: {intent}\n  examples: |\n")
        out.extend(f"    - {t}\n" for t in texts)
    if len(out) == 3:
        out[-1] = "nlu: []\n"
    return "".join(out)


def with_examples(existing: str, examples: Iterable[Example]) -> str:
    """The file's new content: the existing examples, then the new ones appended to their intent."""
    blocks = read_blocks(existing)
    for ex in examples:
        blocks.setdefault(ex.intent, []).append(ex.text)
    return render(blocks)
