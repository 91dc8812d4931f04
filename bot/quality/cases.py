"""Labelled conversation cases: the blind sets (tests/nlu_blind) and the NLU sets seen as one-turn cases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml

from bot.core.intents import UNCLEAR_SYMPTOM_INTENT, is_red_flag_intent, red_flag_group

QUESTION = "question"
RED_FLAG = "red_flag"
SYMPTOM_UNCLEAR = "symptom_unclear"
FOLLOWUP = "followup"
KINDS = (QUESTION, RED_FLAG, SYMPTOM_UNCLEAR, FOLLOWUP)
# A statement with no question ("j'ai eu la cimentoplastie hier") and a greeting get the same kind of
# reply: an acknowledgement and the topic offer.
STATEMENT = "statement"


@dataclass(frozen=True)
class Case:
    kind: str
    turns: tuple[str, ...]
    expect: tuple[str, ...] = ()
    group: str = ""
    topic: str = ""
    aspect: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""
    note: str = ""

    @property
    def text(self) -> str:
        return self.turns[-1]


def case_from_item(item: dict[str, Any], source: str) -> Case:
    kind = str(item.get("kind") or "")
    if kind not in KINDS:
        raise ValueError(f"{source}: unknown kind {kind!r}")
    turns = tuple(str(t) for t in (item.get("turns") or [item.get("text")]))
    if not all(t.strip() for t in turns):
        raise ValueError(f"{source}: empty text in {item!r}")
    expect = tuple(str(e) for e in item.get("expect") or ())
    if kind == SYMPTOM_UNCLEAR:
        expect = (UNCLEAR_SYMPTOM_INTENT,)
    return Case(
        kind=kind, turns=turns, expect=expect, group=str(item.get("group") or "").upper(),
        topic=str(item.get("topic") or ""), aspect=str(item.get("aspect") or ""),
        tags=tuple(str(t) for t in item.get("tags") or ()), source=source, note=str(item.get("note") or ""),
    )


def load_blind(folder: Path) -> list[Case]:
    """Every case of every YAML file of a blind-set folder (key `cases`)."""
    cases: list[Case] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        cases.extend(case_from_item(item, path.name) for item in data.get("cases") or [])
    return cases


def cases_from_pairs(pairs: Iterable[tuple[str, str]], source: str) -> list[Case]:
    """NLU (intent, text) pairs as one-turn cases: a red-flag intent is a red flag, and so on."""
    cases = []
    for intent, text in pairs:
        if is_red_flag_intent(intent):
            cases.append(Case(RED_FLAG, (text,), group=red_flag_group(intent) or "", source=source))
        elif intent == UNCLEAR_SYMPTOM_INTENT:
            cases.append(Case(SYMPTOM_UNCLEAR, (text,), expect=(intent,), source=source))
        else:
            cases.append(Case(QUESTION, (text,), expect=(intent,), source=source))
    return cases
