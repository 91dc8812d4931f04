"""Scores of one system on the labelled red-flag set, from its decision per message.

Standard library only: imported by export.py (project venv) and compare.py (var/edsnlp-venv), so
that the detector and edsnlp are scored by the same code, with the rules of bench/redflags.py:
a red flag counts as found when the group given is the labelled one or a more urgent one; a false
alarm is any group given to a hard negative; an ambiguous message is detected when it gets no
group and a vague symptom is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Decision:
    """What a system makes of one message: the most urgent group reported, and a vague symptom."""

    group: str | None
    ambiguous: bool = False


def most_urgent(groups: Sequence[str], priority: Sequence[str]) -> str | None:
    ranked = [g for g in priority if g in set(groups)]
    return ranked[0] if ranked else None


def score(messages: Sequence[dict[str, Any]], decisions: Sequence[Decision], priority: Sequence[str]) -> dict[str, Any]:
    """Recall per group and overall, false alarms on the negatives, ambiguous detection.

    `messages`: the exchange file's entries (keys `set` and `label`), in the order of `decisions`.
    """
    if len(messages) != len(decisions):
        raise ValueError("one decision per message")
    order = list(priority)
    groups: dict[str, dict[str, Any]] = {g: {"messages": 0, "found": 0, "missed": []} for g in order}
    false_alarms: list[dict[str, str]] = []
    n_neg = n_amb = amb_ok = 0
    for message, decision in zip(messages, decisions):
        kind = message["set"]
        if kind == "red_flags":
            stats = groups[message["label"]]
            stats["messages"] += 1
            if decision.group is not None and order.index(decision.group) <= order.index(message["label"]):
                stats["found"] += 1
            else:
                stats["missed"].append(message["text"])
        elif kind == "negatives":
            n_neg += 1
            if decision.group is not None:
                false_alarms.append({"group": decision.group, "text": message["text"]})
        elif kind == "ambiguous":
            n_amb += 1
            amb_ok += decision.group is None and decision.ambiguous
    n_red = sum(s["messages"] for s in groups.values())
    return {
        "counts": {"red_flags": n_red, "negatives": n_neg, "ambiguous": n_amb},
        "recall": {g: (s["found"] / s["messages"] if s["messages"] else None) for g, s in groups.items()},
        "found": {g: s["found"] for g, s in groups.items()},
        "overall_recall": sum(s["found"] for s in groups.values()) / n_red if n_red else None,
        "false_alarms": len(false_alarms),
        "false_alarm_rate": len(false_alarms) / n_neg if n_neg else None,
        "ambiguous_detected": amb_ok,
        "missed": {g: s["missed"] for g, s in groups.items() if s["missed"]},
        "false_alarm_messages": false_alarms,
    }


QUALIFIERS = ("negation", "hypothesis", "history", "family")


def reported(flags: dict[str, bool], carries_negation: bool, use: Sequence[str] = QUALIFIERS) -> bool:
    """edsnlp's verdict on one candidate span: reported unless one of the qualifiers in `use` is set.

    A span whose pattern holds its own negation ("je ne sens plus mes jambes") ignores the negation
    qualifier, as the detector's negation filter does (lexicon.yml: NEG classes).
    """
    for name in use:
        if name == "negation" and carries_negation:
            continue
        if flags.get(name):
            return False
    return True


def decide(candidates: Sequence[dict[str, Any]], verdicts: Sequence[bool], priority: Sequence[str]) -> Decision:
    """The message's decision from one verdict per candidate span (group "ambiguous" = vague symptom)."""
    groups = [c["group"] for c, ok in zip(candidates, verdicts) if ok and c["group"] in priority]
    vague = any(ok for c, ok in zip(candidates, verdicts) if c["group"] not in priority)
    return Decision(most_urgent(groups, priority), vague)
