"""The sign-off record as CSV: every decision, then the answers nobody has reviewed yet (pure)."""

from __future__ import annotations

import csv
import io
from typing import Iterable, Mapping

from bot.console.export_formats import _cell
from bot.console.timeutil import fmt_utc
from bot.content.items import Answer
from bot.content.signoff import Status
from bot.storage.models import ContentDecision

CSV_HEADER = (
    "date",
    "reponse",
    "decision",
    "par",
    "commentaire",
    "version",
    "texte_actuel_identique",
    "statut_actuel",
    "source",
    "texte_relu",
)
GONE = "réponse supprimée"


def signoff_csv(
    decisions: Iterable[ContentDecision], answers: Iterable[Answer], current: Mapping[str, Status]
) -> str:
    """`;` separated, UTF-8 with BOM (a spreadsheet in French), formulas neutralised; newest decision first."""
    by_id = {a.id: a for a in answers}
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    seen = set()
    for d in decisions:
        seen.add(d.answer_id)
        answer = by_id.get(d.answer_id)
        same = GONE if answer is None else ("oui" if answer.version == d.version else "non")
        status = current[d.answer_id].code if d.answer_id in current else GONE
        writer.writerow(
            [
                fmt_utc(d.decided_at),
                _cell(d.answer_id),
                d.decision,
                _cell(d.decided_by),
                _cell(" ".join(d.comment.split())),
                d.version[:12],
                same,
                status,
                _cell(d.source),
                _cell(" ".join(d.text.split())),
            ]
        )
    for answer in by_id.values():
        if answer.id not in seen:
            status = current[answer.id].code if answer.id in current else ""
            text = " ".join(answer.text.split())
            source = _cell(answer.source)
            writer.writerow(["", _cell(answer.id), "", "", "", answer.short_version, "", status, source, _cell(text)])
    return out.getvalue()
