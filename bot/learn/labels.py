"""Which labelled messages become training examples, and why the others do not (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from bot.console.masking import mask_text
from bot.core.intents import is_red_flag_intent
from bot.core.training_data import dedup_key

# The review queue's two labels that are not intents.
OUT_OF_SCOPE_LABEL = "hors_sujet"
NEW_TOPIC_LABEL = "nouveau_sujet"
OUT_OF_SCOPE_INTENT = "out_of_scope"
MAX_CHARS = 1000  # longer messages are rare, and one of them would weigh like a whole topic's phrasing
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Reasons, in French: they are printed and stored for the console's history page.
NEW_TOPIC = "nouveau sujet à créer : rien à apprendre tant que le sujet n'existe pas"
UNKNOWN_LABEL = "étiquette inconnue du domaine : {label}"
EMPTY = "message vide"
TOO_LONG = f"message trop long (plus de {MAX_CHARS} caractères)"
PERSONAL = "contient un numéro de téléphone ou une adresse e-mail : jamais dans les données d'entraînement"
RED_FLAG_UNREVIEWED = "mots de signal d'alerte : il faut la relecture d'un clinicien avant d'apprendre ce texte"
MEASURED = "message d'un jeu de mesure ({source}) : refusé, la barrière doit rester honnête"
CONTRADICTS = "contredit les données d'entraînement ({source} : {intent})"
DUPLICATE = "même message qu'une autre étiquette ({other})"
CONFLICT = "étiquettes contradictoires pour le même message ({labels})"


@dataclass(frozen=True)
class LabelRow:
    """What learn needs of one row of `message_labels` (the console's review queue)."""

    id: int
    text: str
    label: str
    has_red_flag_words: bool = False
    reviewed_red_flag: bool = False


@dataclass(frozen=True)
class Example:
    label_id: int
    intent: str
    text: str


@dataclass
class Selection:
    examples: list[Example] = field(default_factory=list)
    # Already in the training data with the same intent: nothing to train, counted as used.
    known: list[Example] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (label id, reason)


def clean_text(text: str) -> str:
    """One line, no control characters, no brackets (Rasa would read `[x](y)` as an entity)."""
    text = _CONTROL.sub(" ", text or "")
    text = text.replace("[", "(").replace("]", ")")
    return _SPACE.sub(" ", text).strip()


def intent_of(label: str, intents: Iterable[str]) -> str | None:
    if label == OUT_OF_SCOPE_LABEL:
        return OUT_OF_SCOPE_INTENT
    return label if label in set(intents) else None


def select(
    rows: Iterable[LabelRow],
    intents: Iterable[str],
    training: Mapping[str, tuple[str, str]],
    measured: Mapping[str, str],
    mentions_red_flag: Callable[[str], bool],
) -> Selection:
    """Examples from labels not used yet.

    `training`: dedup key -> (intent, file) of every training example (data/nlu, learned.yml included);
    `measured`: dedup key -> set name of every message of the measured sets; `mentions_red_flag`: whether
    a text has red-flag words (the detector's `Report.mentioned`, reported or not).
    """
    intents = set(intents)
    out = Selection()
    candidates: dict[str, list[tuple[LabelRow, str, str]]] = {}
    for row in rows:
        reason, intent, text = _check(row, intents, measured, mentions_red_flag)
        if reason:
            out.skipped.append((row.id, reason))
            continue
        assert intent is not None
        candidates.setdefault(dedup_key(text), []).append((row, intent, text))
    for key, group in candidates.items():
        labels = {intent for _, intent, _ in group}
        if len(labels) > 1:
            joined = ", ".join(sorted(labels))
            out.skipped.extend((row.id, CONFLICT.format(labels=joined)) for row, _, _ in group)
            continue
        (first, intent, text), rest = group[0], group[1:]
        out.skipped.extend((row.id, DUPLICATE.format(other=first.id)) for row, _, _ in rest)
        if key in training:
            known_intent, source = training[key]
            if known_intent == intent:
                out.known.append(Example(first.id, intent, text))
            else:
                out.skipped.append((first.id, CONTRADICTS.format(source=source, intent=known_intent)))
            continue
        out.examples.append(Example(first.id, intent, text))
    return out


def _check(row: LabelRow, intents: set[str], measured: Mapping[str, str],
           mentions_red_flag: Callable[[str], bool]) -> tuple[str, str | None, str]:
    """(reason to skip or "", intent, cleaned text)."""
    if row.label == NEW_TOPIC_LABEL:
        return NEW_TOPIC, None, ""
    intent = intent_of(row.label, intents)
    if intent is None:
        return UNKNOWN_LABEL.format(label=row.label[:60]), None, ""
    text = clean_text(row.text)
    if not dedup_key(text):
        return EMPTY, None, ""
    if len(text) > MAX_CHARS:
        return TOO_LONG, None, ""
    if mask_text(text) != text:
        return PERSONAL, None, ""
    # The raw text of a red flag (reported, negated or asked about) is never trained on without review.
    red = row.has_red_flag_words or is_red_flag_intent(intent) or mentions_red_flag(text)
    if red and not row.reviewed_red_flag:
        return RED_FLAG_UNREVIEWED, None, ""
    source = measured.get(dedup_key(text))
    if source:
        return MEASURED.format(source=source), None, ""
    return "", intent, text
