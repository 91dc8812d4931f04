"""The `red_flag_group` entity: written by the NLU red-flag component, read by the alert action.

Both sides go through this module, so that a field renamed on one side cannot silently read as empty
on the other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.redflags.analysis import Report

ENTITY = "red_flag_group"
EXTRACTOR = "RedFlagComponent"


@dataclass(frozen=True)
class RedFlagEntity:
    group: str
    matched: tuple[str, ...] = ()
    also_f: bool = False  # suicidal thoughts beside a more urgent group: the alert adds the 3114 answer
    # the classifier's intent, so that the patient's other question is answered after the alert
    original_intent: Mapping[str, Any] = field(default_factory=dict)

    @property
    def original_name(self) -> str:
        return str(self.original_intent.get("name") or "")

    @property
    def original_confidence(self) -> float:
        return float(self.original_intent.get("confidence") or 0.0)


def build_entity(report: Report, original: Mapping[str, Any], text: str, extractor: str = EXTRACTOR) -> dict[str, Any]:
    """The entity for a message whose report has a group; it spans the whole text."""
    if report.group is None:
        raise ValueError("a red-flag entity needs a reported group")
    return {
        "entity": ENTITY,
        "value": report.group,
        "start": 0,
        "end": len(text),
        "extractor": extractor,
        "matched": list(report.matched),
        "also_f": report.also_f,
        "original_intent": dict(original),
    }


def parse_entity(entities: Iterable[Mapping[str, Any]] | None) -> RedFlagEntity | None:
    """The first red-flag entity of a parsed message, or None (the classifier alone saw the red flag)."""
    for entity in entities or ():
        if entity.get("entity") == ENTITY:
            return RedFlagEntity(
                group=str(entity.get("value") or ""),
                matched=tuple(str(w) for w in entity.get("matched") or ()),
                also_f=bool(entity.get("also_f")),
                original_intent=dict(entity.get("original_intent") or {}),
            )
    return None
