"""Reading Rasa NLU YAML files into (intent, text) pairs, for tests and benchmarks."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml


def load_examples(folder: Path) -> list[tuple[str, str]]:
    return [pair for path in sorted(folder.glob("*.yml")) for pair in examples_in_file(path)]


def examples_in_file(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                pairs.append((block["intent"], line[2:].strip()))
    return pairs


def dedup_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form, to catch near-copies."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())
