"""The learning tables: labels not used yet, labels marked used, runs recorded (thin adapter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.learn.labels import LabelRow
from bot.storage.models import LearningRun, MessageLabel, utcnow


def unused_labels(session: Session) -> list[LabelRow]:
    """Labels of the console's review queue never used in training, oldest first (the order their
    examples are appended in)."""
    rows = session.execute(
        select(MessageLabel).where(MessageLabel.label.is_not(None), MessageLabel.learned_at.is_(None))
        .order_by(MessageLabel.labelled_at, MessageLabel.id)
    ).scalars()
    return [LabelRow(id=r.id, text=r.text or "", label=r.label or "", has_red_flag_words=bool(r.red_flag_words),
                     reviewed_red_flag=bool(r.reviewed_red_flag)) for r in rows]


def mark_used(session: Session, ids: list[int], when: datetime | None = None) -> int:
    if not ids:
        return 0
    return session.execute(
        update(MessageLabel).where(MessageLabel.id.in_(ids), MessageLabel.learned_at.is_(None))
        .values(learned_at=when or utcnow()).execution_options(synchronize_session=False)
    ).rowcount


@dataclass
class RunRecord:
    started_at: datetime
    status: str  # accepté | refusé | échec
    accepted: bool = False
    examples_added: int = 0
    figures_before: dict[str, Any] = field(default_factory=dict)
    figures_after: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    labels_used: list[dict[str, Any]] = field(default_factory=list)
    labels_skipped: list[dict[str, Any]] = field(default_factory=list)
    model_before: str = ""
    model_after: str = ""


def record_run(session: Session, run: RunRecord) -> int:
    row = LearningRun(
        started_at=run.started_at, finished_at=utcnow(), status=run.status, accepted=run.accepted,
        examples_added=run.examples_added, figures_before=run.figures_before, figures_after=run.figures_after,
        reasons=run.reasons, labels_used=run.labels_used, labels_skipped=run.labels_skipped,
        model_before=run.model_before, model_after=run.model_after,
    )
    session.add(row)
    session.flush()
    return int(row.id)
