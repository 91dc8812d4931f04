"""The red-flag groups as a clinician reviews them: what triggers each, what must not (pure but for I/O).

Examples come from the labelled set the detector is tested on (tests/redflags/labelled_set.yml):
messages labelled with a group must raise its emergency answer; the hard negatives mentioning a
group's words must not; vague ones start the follow-up questions. The lexicon
(bot/core/redflags/lexicon.yml) gives the groups' order of urgency and its labelling choices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from bot.core.redflags.lexicon import DEFAULT_LEXICON
from bot.settings import PROJECT_ROOT

LABELLED_SET = PROJECT_ROOT / "tests" / "redflags" / "labelled_set.yml"
LEXICON = DEFAULT_LEXICON
GROUP_TITLES = {
    "A": "Moelle épinière, queue de cheval (urgence chirurgicale)",
    "B": "Ciment dans les poumons : respiration, poitrine, cœur",
    "C": "Saignement",
    "D": "Infection après l'intervention",
    "E": "Signes généraux : malaise, perte de connaissance, confusion, allergie",
    "F": "Idées suicidaires",
}
EXAMPLES_PER_GROUP = 8
AMBIGUOUS_SHOWN = 12


@dataclass(frozen=True)
class GroupExamples:
    letter: str
    title: str
    label: str  # the lexicon's own label (English)
    patterns: int
    triggers: tuple[str, ...]
    triggers_total: int
    non_triggers: tuple[str, ...]
    non_triggers_total: int


@dataclass(frozen=True)
class RedFlagReview:
    groups: tuple[GroupExamples, ...]
    ambiguous: tuple[str, ...]
    ambiguous_total: int
    negatives_total: int
    labelling_choices: str  # the lexicon's comment block, quoted as is
    unsorted_negatives: tuple[str, ...]  # when the detector could not be run to sort them by group


def spread(items: Sequence[str], k: int) -> tuple[str, ...]:
    """`k` items spread evenly over `items` (the set is written by theme: this shows every theme)."""
    if len(items) <= k:
        return tuple(items)
    return tuple(items[round(i * (len(items) - 1) / (k - 1))] for i in range(k)) if k > 1 else (items[0],)


def labelling_choices(lexicon_text: str) -> str:
    """The lexicon's "Labelling choices" comment block, without the comment marks."""
    lines, inside = [], False
    for line in lexicon_text.splitlines():
        if line.startswith("# Labelling choices"):
            inside = True
        elif inside and not line.startswith("#"):
            break
        if inside:
            lines.append(re.sub(r"^#\s?", "", line))
    return "\n".join(lines).strip()


def build_review(
    labelled: dict[str, Any],
    lexicon: dict[str, Any],
    lexicon_text: str = "",
    mentions: Callable[[str], Sequence[str]] | None = None,
    per_group: int = EXAMPLES_PER_GROUP,
) -> RedFlagReview:
    """`mentions(text)`: the groups whose words a message contains, reported or not (the detector's
    `analyse(text).mentioned`); it sorts the hard negatives by group. Without it they are shown unsorted."""
    groups_data = lexicon.get("groups") or {}
    order = [g for g in lexicon.get("priority") or sorted(groups_data)]
    positives = [(str(r["text"]), str(r["group"])) for r in labelled.get("red_flags") or []]
    negatives = [str(t) for t in labelled.get("negatives") or []]
    ambiguous = [str(t) for t in labelled.get("ambiguous") or []]
    by_group: dict[str, list[str]] = {g: [] for g in order}
    if mentions is not None:
        for text in negatives:
            for g in mentions(text):
                by_group.setdefault(g, []).append(text)
    groups = []
    for letter in order:
        triggers = [t for t, g in positives if g == letter]
        spec = groups_data.get(letter) or {}
        groups.append(
            GroupExamples(
                letter=letter,
                title=GROUP_TITLES.get(letter, letter),
                label=str(spec.get("label", "")),
                patterns=len(spec.get("patterns") or []),
                triggers=spread(triggers, per_group),
                triggers_total=len(triggers),
                non_triggers=spread(by_group.get(letter, []), per_group),
                non_triggers_total=len(by_group.get(letter, [])),
            )
        )
    unsorted = () if mentions is not None else spread(negatives, per_group * 2)
    return RedFlagReview(
        groups=tuple(groups),
        ambiguous=spread(ambiguous, AMBIGUOUS_SHOWN),
        ambiguous_total=len(ambiguous),
        negatives_total=len(negatives),
        labelling_choices=labelling_choices(lexicon_text),
        unsorted_negatives=unsorted,
    )


def load_review(
    mentions: Callable[[str], Sequence[str]] | None = None,
    labelled_path: Path = LABELLED_SET,
    lexicon_path: Path = LEXICON,
) -> RedFlagReview:
    labelled = yaml.safe_load(labelled_path.read_text(encoding="utf-8")) if labelled_path.exists() else {}
    lexicon_text = lexicon_path.read_text(encoding="utf-8")
    return build_review(labelled or {}, yaml.safe_load(lexicon_text) or {}, lexicon_text, mentions)
