"""Messages about another operation than the vertebroplasty (pure; word lists in scope.yml).

The classifier, trained on vertebroplasty questions, reads "combien de temps à jeun avant ma
prothèse de hanche ?" as the fasting question and would give the vertebroplasty's instructions for
another operation. A message that names another operation or procedure, and nothing of the
vertebroplasty, is out of scope whatever the classifier says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.intent_model import Ranking
from bot.core.intents import UNCLEAR_SYMPTOM_INTENT, is_red_flag_intent
from bot.core.redflags.normalize import fold_text

SCOPE_FILE = Path(__file__).with_name("scope.yml")


def _union(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)")


@dataclass(frozen=True)
class ScopePatterns:
    other: re.Pattern[str]
    anchor: re.Pattern[str]
    history_before: re.Pattern[str]
    history_after: re.Pattern[str]


@lru_cache(maxsize=1)
def _patterns(path: Path = SCOPE_FILE) -> ScopePatterns:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    before = "|".join(f"(?:{p})" for p in data["history_before"])
    after = "|".join(f"(?:{p})" for p in data["history_after"])
    return ScopePatterns(
        other=_union(data["other_procedures"]), anchor=_union(data["anchors"]),
        history_before=re.compile(rf"(?<!\w)(?:{before})$"), history_after=re.compile(rf"(?:{after})"),
    )


# How far around the operation's words a history cue is looked for, in characters.
HISTORY_WINDOW = 60


def _is_history(plain: str, start: int, end: int, patterns: ScopePatterns) -> bool:
    before = plain[max(0, start - HISTORY_WINDOW):start]
    after = plain[end:end + HISTORY_WINDOW].lstrip(" ,")
    return bool(patterns.history_before.search(before) or patterns.history_after.match(after))


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", fold_text(text or ""))


def other_procedure(text: str) -> str | None:
    """The other operation a message asks about, or None.

    None also when the message names the vertebroplasty, or when the operation is the patient's
    history ("depuis mon stent", "j'ai une prothèse de hanche depuis 2012").
    """
    patterns = _patterns()
    plain = _folded(text)
    if patterns.anchor.search(plain):
        return None
    for found in patterns.other.finditer(plain):
        if not _is_history(plain, found.start(), found.end(), patterns):
            return found.group(0)
    return None


OUT_OF_SCOPE_INTENT = "out_of_scope"


def out_of_scope_first(text: str, ranking: Ranking, requests: Ranking) -> tuple[Ranking, Ranking]:
    """The ranking and requests of a message, out of scope when it is about another operation.

    A symptom or red flag the classifier read is kept: a patient who cannot feel a leg after a hip
    operation must still get the emergency answer (the red-flag component decides after this).
    """
    top = ranking[0][0] if ranking else ""
    if not ranking or is_red_flag_intent(top) or top == UNCLEAR_SYMPTOM_INTENT or not other_procedure(text):
        return ranking, requests
    rest = [(name, confidence) for name, confidence in ranking if name != OUT_OF_SCOPE_INTENT]
    return [(OUT_OF_SCOPE_INTENT, 1.0), *rest], [(OUT_OF_SCOPE_INTENT, 1.0)]
