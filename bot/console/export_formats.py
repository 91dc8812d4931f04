"""Export formats: conversations as CSV, not-understood messages as Rasa NLU YAML. Pure functions."""

from __future__ import annotations

import csv
import io
import re
from typing import Iterable

from bot.console.masking import mask_text
from bot.console.queries import ConversationSummary
from bot.console.stats import OUTCOME_SHORT
from bot.console.timeutil import fmt_epoch

CSV_HEADER = (
    "conversation",
    "debut",
    "derniere_activite",
    "messages_patient",
    "signal_alarme",
    "incompris",
    "demande_personne",
    "demande_rappel",
    "revue",
    "etiquettes",
    "issue",
    "premier_message",
)
NLU_INTENT = "a_etiqueter"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (a patient can write "=HYPERLINK(...)")."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _yes(flag: bool) -> str:
    return "oui" if flag else "non"


def conversations_csv(items: Iterable[ConversationSummary]) -> str:
    """CSV for a spreadsheet in French: `;` separated, UTF-8 with BOM, ids and texts masked."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for c in items:
        writer.writerow(
            [
                _cell(mask_text(c.conversation_id)),
                fmt_epoch(c.started),
                fmt_epoch(c.last),
                c.user_messages,
                _yes(c.red_flag),
                _yes(c.fallback),
                _yes(c.asked_person),
                _yes(c.has_callback),
                _yes(c.reviewed),
                _cell(mask_text(c.tags)),
                OUTCOME_SHORT.get(c.outcome, c.outcome),
                _cell(mask_text(" ".join(c.first_message.split()))),
            ]
        )
    return out.getvalue()


def nlu_example(text: str) -> str:
    """One training example: masked, on one line, without Rasa's entity brackets."""
    text = mask_text(text)
    text = _CONTROL.sub(" ", text).replace("[", "(").replace("]", ")")
    return " ".join(text.split())


def fallback_nlu_yaml(texts: Iterable[str], exported_on: str = "") -> str:
    """Rasa NLU YAML with the distinct not-understood messages under intent `a_etiqueter`."""
    seen: dict[str, str] = {}
    for text in texts:
        example = nlu_example(text)
        if example and example.casefold() not in seen:
            seen[example.casefold()] = example
    lines = [
        "# Messages des patients non compris par l'assistant (nlu_fallback)"
        + (f", exportés le {exported_on}" if exported_on else "")
        + ".",
        "# Téléphones et e-mails masqués. Déplacez chaque exemple sous la bonne intention avant l'entraînement.",
        'version: "3.1"',
    ]
    if not seen:
        return "\n".join([*lines, "nlu: []", ""])
    lines += ["nlu:", f"- intent: {NLU_INTENT}", "  examples: |"]
    lines += [f"    - {example}" for example in seen.values()]
    return "\n".join(lines) + "\n"
