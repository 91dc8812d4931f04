"""Contenus: every answer with its source and sign-off status; clinicians approve or ask for a change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from bot.console import content_status
from bot.console.audit import audit
from bot.console.auth import role_required
from bot.console.db import db
from bot.console.signoff_export import signoff_csv
from bot.console.timeutil import LOCAL_TZ
from bot.content.items import Answer, content_version
from bot.content.signoff import APPROVED, CHANGE_REQUESTED, STATUSES, VALID
from bot.storage.models import ContentDecision, utcnow

bp = Blueprint("contents", __name__)
MAX_COMMENT = 2000
AWAITING = "a-valider"


class DecisionForm(FlaskForm):
    answer_id = HiddenField(validators=[DataRequired(), Length(max=200)])
    version = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])


class ChangeForm(DecisionForm):
    comment = TextAreaField("Modification demandée", validators=[DataRequired(), Length(max=MAX_COMMENT)])


def anchor(answer_id: str) -> str:
    return "r-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in answer_id)


@bp.app_template_filter("content_anchor")
def _anchor_filter(answer_id: str) -> str:
    return anchor(answer_id)


@bp.get("/contenus")
@role_required("clinician")
def index() -> ResponseReturnValue:
    only_awaiting = request.args.get("etat") == AWAITING
    try:
        rows = content_status.rows(db())
    except content_status.ContentUnavailable as exc:
        return render_template("contents.html", error=str(exc), rows=[], counts={}, only_awaiting=only_awaiting)
    counts = {code: sum(1 for r in rows if r.status.code == code) for code in STATUSES}
    shown = [r for r in rows if r.status.awaiting] if only_awaiting else rows
    library = content_status.library()
    # Practical answers quote the secretariat's file, shown on the page itself: nothing to look up.
    quotes = {a.id: library.quotes_for(a.source, a.text) for a in (r.answer for r in shown) if a.kind == "domaine"}
    audit("contents_list", f"{len(shown)} réponse(s)" + (" à valider" if only_awaiting else ""))
    return render_template(
        "contents.html",
        error=None,
        rows=shown,
        total=len(rows),
        counts=counts,
        quotes=quotes,
        only_awaiting=only_awaiting,
        valid=VALID,
        version=content_version(r.answer for r in rows),
    )


def _back(answer_id: str | None = None) -> Response:
    args: dict[str, Any] = {"etat": AWAITING} if request.form.get("etat") == AWAITING else {}
    target = url_for("contents.index", **args)
    return redirect(target + (f"#{anchor(answer_id)}" if answer_id else ""))


def _current(form: DecisionForm) -> Answer:
    """The answer the form names, as it is now; 400 for a malformed form, 404 for an unknown answer."""
    if not form.validate_on_submit() and (form.answer_id.errors or form.version.errors):
        abort(400)
    try:
        answers = content_status.current_answers()
    except content_status.ContentUnavailable:
        abort(503)
    answer = next((a for a in answers if a.id == form.answer_id.data), None)
    if answer is None:
        abort(404)
    return answer


def _record(answer: Answer, decision: str, comment: str = "") -> None:
    s = db()
    s.add(
        ContentDecision(
            answer_id=answer.id,
            version=answer.version,
            decision=decision,
            comment=comment,
            text=answer.text,
            source=answer.source[:500],
            decided_by=g.user.username,
            decided_at=utcnow(),
        )
    )
    s.commit()


def _latest(answer_id: str) -> ContentDecision | None:
    return db().execute(
        select(ContentDecision)
        .where(ContentDecision.answer_id == answer_id)
        .order_by(ContentDecision.decided_at.desc(), ContentDecision.id.desc())
        .limit(1)
    ).scalar_one_or_none()


@bp.post("/contenus/approuver")
@role_required("clinician")
def approve() -> ResponseReturnValue:
    form = DecisionForm()
    answer = _current(form)
    if form.version.data != answer.version:
        flash(f"Le texte de {answer.id} a changé depuis l'affichage de la page : relisez-le d'abord.", "warning")
        return _back(answer.id)
    latest = _latest(answer.id)
    if latest is not None and latest.version == answer.version and latest.decision == APPROVED:
        flash(f"{answer.id} est déjà validé par {latest.decided_by}.", "warning")
        return _back(answer.id)
    _record(answer, APPROVED)
    audit("content_approved", f"{answer.id} version {answer.short_version}")
    flash(f"{answer.id} validé (version {answer.short_version}).", "ok")
    return _back(answer.id)


@bp.post("/contenus/modification")
@role_required("clinician")
def request_change() -> ResponseReturnValue:
    form = ChangeForm()
    answer = _current(form)
    comment = (form.comment.data or "").strip()
    if form.comment.errors or not comment:
        flash(f"Décrivez la modification demandée pour {answer.id} (au plus {MAX_COMMENT} caractères).", "warning")
        return _back(answer.id)
    if form.version.data != answer.version:
        flash(f"Le texte de {answer.id} a changé depuis l'affichage de la page : relisez-le d'abord.", "warning")
        return _back(answer.id)
    _record(answer, CHANGE_REQUESTED, comment)
    audit("content_change_requested", f"{answer.id} version {answer.short_version} : {comment[:300]}")
    flash(f"Modification demandée pour {answer.id}.", "ok")
    return _back(answer.id)


@bp.get("/contenus/validations.csv")
@role_required("admin")
def export() -> ResponseReturnValue:
    s = db()
    try:
        rows = content_status.rows(s)
    except content_status.ContentUnavailable as exc:
        flash(str(exc), "warning")
        return redirect(url_for("contents.index"))
    decisions = list(
        s.execute(
            select(ContentDecision).order_by(ContentDecision.decided_at.desc(), ContentDecision.id.desc())
        ).scalars()
    )
    body = signoff_csv(decisions, [r.answer for r in rows], {r.answer.id: r.status for r in rows})
    audit("export_contents_csv", f"{len(decisions)} décision(s), {len(rows)} réponse(s)")
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    response = Response(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="validations-contenus-{stamp}.csv"'
    return response
