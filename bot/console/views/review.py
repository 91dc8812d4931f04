"""The review queue: patient messages to improve, labelled by a clinician in two clicks; staff flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import settings
from bot.console.audit import audit
from bot.console.auth import role_required
from bot.console.db import db
from bot.console.feedback_queries import (
    chat_events_between,
    event_id_at,
    flagged_waiting,
    labels_for,
    negative_feedback_questions,
    patient_message,
)
from bot.console.forms import EmptyForm
from bot.console.masking import mask_text
from bot.console.redflag_words import red_flag_groups
from bot.console.review import REASONS, STAFF, Candidate, find_candidates, suggestions
from bot.console.timeutil import day_end_epoch, day_start_epoch, today
from bot.console.views.common import parse_page
from bot.console.views.dashboard import PERIODS, period_from_args
from bot.core.topics import NEW_TOPIC_LABEL, label_choices, topic_name
from bot.storage.models import MessageLabel, utcnow

bp = Blueprint("review", __name__)
PER_PAGE = 30
MAX_COMMENT = 1000
MAX_TEXT = 5000


@dataclass
class QueueItem:
    candidate: Candidate
    suggestions: list[str]


def pending_items(session: Session, days: int) -> list[Candidate]:
    """The queue: candidates of the period and staff flags, minus the messages already labelled."""
    last_day = today()
    start = day_start_epoch(last_day - timedelta(days=days - 1))
    end = day_end_epoch(last_day)
    chat = chat_events_between(session, start, end)
    ids = sorted({e.conversation_id for e in chat})
    candidates = find_candidates(
        chat,
        negative_feedback_questions(session, ids),
        low_confidence=settings.REVIEW_LOW_CONFIDENCE,
        rephrase_seconds=settings.REVIEW_REPHRASE_SECONDS,
    )
    rows = labels_for(session, ids)
    by_key = {(c.conversation_id, c.message_at): c for c in candidates}
    for flag in flagged_waiting(session):
        key = (flag.conversation_id, float(flag.message_at))
        candidate = by_key.get(key)
        if candidate is None:
            event_id = event_id_at(session, *key)
            if event_id is None:
                continue  # the conversation is gone (retention)
            candidate = Candidate(event_id, flag.conversation_id, key[1], flag.text, flag.predicted_intent or None,
                                  flag.confidence)
            by_key[key] = candidate
        candidate.reasons.append(STAFF)
        candidate.flagged_by = flag.flagged_by or ""
        rows.pop(key, None)
    waiting = [c for key, c in by_key.items() if key not in rows or rows[key].label is None]
    waiting.sort(key=lambda c: c.message_at, reverse=True)
    return waiting


@bp.get("/review")
@role_required("clinician")
def index() -> ResponseReturnValue:
    days = period_from_args()
    done = request.args.get("etat") == "traites"
    page = parse_page(request.args)
    choices = label_choices()
    allowed = [value for value, _ in choices]
    if done:
        s = db()
        total = s.execute(select(func.count(MessageLabel.id)).where(MessageLabel.label.is_not(None))).scalar_one()
        pages = max(1, -(-total // PER_PAGE))
        page = min(page, pages)
        labelled = list(
            s.execute(
                select(MessageLabel)
                .where(MessageLabel.label.is_not(None))
                .order_by(MessageLabel.labelled_at.desc(), MessageLabel.id.desc())
                .limit(PER_PAGE)
                .offset((page - 1) * PER_PAGE)
            ).scalars()
        )
        items: list[QueueItem] = []
    else:
        waiting = pending_items(db(), days)
        total = len(waiting)
        pages = max(1, -(-total // PER_PAGE))
        page = min(page, pages)
        items = [QueueItem(c, suggestions(c, allowed)) for c in waiting[(page - 1) * PER_PAGE : page * PER_PAGE]]
        labelled = []
    audit("review_queue", f"page={page} {days} jours" + (" traités" if done else ""))
    return render_template(
        "review.html", items=items, labelled=labelled, done=done, total=total, page=page, pages=pages, days=days,
        periods=PERIODS, choices=choices, reasons=REASONS,
    )


def _event_id() -> int:
    try:
        return int(request.form.get("event_id", ""))
    except ValueError:
        abort(400)


def _row(session: Session, conversation_id: str, message_at: float) -> MessageLabel | None:
    return session.execute(
        select(MessageLabel).where(
            MessageLabel.conversation_id == conversation_id, MessageLabel.message_at == message_at
        )
    ).scalar_one_or_none()


@bp.post("/review/label")
@role_required("clinician")
def label() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = redirect(url_for("review.index", jours=period_from_args(), page=parse_page(request.form)))
    value = request.form.get("label") or request.form.get("other") or ""
    if value not in dict(label_choices()):
        flash("Choisissez un sujet dans la liste.", "warning")
        return back
    comment = " ".join((request.form.get("comment") or "").split())[:MAX_COMMENT]
    if value == NEW_TOPIC_LABEL and not comment:
        flash("Pour un nouveau sujet à créer, décrivez-le dans le commentaire.", "warning")
        return back
    s = db()
    message = patient_message(s, _event_id())
    if message is None:
        abort(404)
    reasons = [r for r in request.form.get("reasons", "").split(",") if r in REASONS] or [STAFF]
    row = _row(s, message.conversation_id, message.timestamp)
    if row is None:
        row = MessageLabel(conversation_id=message.conversation_id, message_at=message.timestamp)
        s.add(row)
    row.text = mask_text(message.text)[:MAX_TEXT]
    row.predicted_intent = message.intent or ""
    row.confidence = message.confidence
    row.reason = ",".join(dict.fromkeys(r for r in [*(row.reason or "").split(","), *reasons] if r))[:64]
    row.label, row.comment = value, comment
    row.labelled_by, row.labelled_at = g.user.username, utcnow()
    row.red_flag_groups = red_flag_groups(message.text)
    row.red_flag_words = bool(row.red_flag_groups)
    row.learned_at = None  # a new label is learned again
    s.commit()
    audit("review_label", f"{message.conversation_id} : {value}")
    flash(f"Message étiqueté : {topic_name(value)}.", "ok")
    return back


@bp.post("/review/flag")
@role_required("clinician")
def flag() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    s = db()
    message = patient_message(s, _event_id())
    if message is None:
        abort(404)
    back = redirect(url_for("conversations.show", id=message.conversation_id))
    row = _row(s, message.conversation_id, message.timestamp)
    if row is not None:
        already = "Ce message est déjà étiqueté." if row.label else "Ce message est déjà dans la file « À revoir »."
        flash(already, "warning")
        return back
    s.add(MessageLabel(
        conversation_id=message.conversation_id, message_at=message.timestamp, text=mask_text(message.text)[:MAX_TEXT],
        predicted_intent=message.intent or "", confidence=message.confidence, reason=STAFF,
        flagged_by=g.user.username, flagged_at=utcnow(), comment="", red_flag_words=False, red_flag_groups="",
    ))
    s.commit()
    audit("review_flag", message.conversation_id)
    flash("Message ajouté à la file « À revoir ».", "ok")
    return back
