"""Conversation list with filters, one conversation with its messages, review, tags and notes.

Transcripts are medical data: clinicians and admins only (the secretariat works from the callback queue).
"""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from bot.console.audit import audit
from bot.console.auth import can, role_required
from bot.console.db import db
from bot.console.feedback_queries import labels_for
from bot.console.forms import EmptyForm, NoteForm, TagsForm
from bot.console.queries import conversation_exists, conversation_messages, list_conversations
from bot.console.views.common import filter_args, parse_filters, parse_page
from bot.storage.models import Alert, CallbackRequest, ConversationNote, ConversationReview, utcnow

bp = Blueprint("conversations", __name__)


@bp.get("/conversations")
@role_required("clinician")
def index() -> ResponseReturnValue:
    filters, errors = parse_filters(request.args)
    for error in errors:
        flash(error, "warning")
    page = list_conversations(db(), filters, parse_page(request.args))
    audit("conversations_list", f"page={page.page} {filters.describe()}".strip())
    return render_template("conversations.html", page=page, filters=filters, args=filter_args(filters))


def _conversation_id() -> str:
    cid = (request.values.get("id") or "").strip()
    if not cid or len(cid) > 255:
        abort(404)
    return cid


@bp.get("/conversation")
@role_required("clinician")
def show() -> ResponseReturnValue:
    cid = _conversation_id()
    s = db()
    if not conversation_exists(s, cid):
        abort(404)
    review = s.get(ConversationReview, cid)
    alerts = notes = []
    if can("clinician"):
        alerts = list(s.execute(select(Alert).where(Alert.conversation_id == cid).order_by(Alert.created_at)).scalars())
        notes = list(
            s.execute(
                select(ConversationNote)
                .where(ConversationNote.conversation_id == cid)
                .order_by(ConversationNote.created_at)
            ).scalars()
        )
    callbacks = list(
        s.execute(
            select(CallbackRequest).where(CallbackRequest.conversation_id == cid).order_by(CallbackRequest.created_at)
        ).scalars()
    )
    audit("conversation_view", cid)
    return render_template(
        "conversation.html",
        cid=cid,
        messages=conversation_messages(s, cid),
        labels={at: row for (_, at), row in labels_for(s, [cid]).items()},
        review=review,
        alerts=alerts,
        notes=notes,
        callbacks=callbacks,
        note_form=NoteForm(),
        tags_form=TagsForm(tags=review.tags if review else ""),
        action_form=EmptyForm(),
    )


def _review(cid: str) -> ConversationReview:
    s = db()
    review = s.get(ConversationReview, cid)
    if review is None:
        review = ConversationReview(conversation_id=cid, reviewed=False, tags="")
        s.add(review)
    return review


def _back(cid: str) -> ResponseReturnValue:
    return redirect(url_for("conversations.show", id=cid))


@bp.post("/conversation/review")
@role_required("clinician")
def review() -> ResponseReturnValue:
    cid = _conversation_id()
    if not conversation_exists(db(), cid):
        abort(404)
    r = _review(cid)
    r.reviewed = request.form.get("reviewed", "1") == "1"
    r.reviewed_by = g.user.username if r.reviewed else None
    r.reviewed_at = utcnow() if r.reviewed else None
    db().commit()
    audit("conversation_reviewed" if r.reviewed else "conversation_unreviewed", cid)
    flash("Conversation marquée comme revue." if r.reviewed else "Conversation marquée comme non revue.", "ok")
    return _back(cid)


def normalise_tags(raw: str) -> str:
    tags = [t.strip() for t in raw.split(",")]
    return ", ".join(dict.fromkeys(t for t in tags if t))[:500]


@bp.post("/conversation/tags")
@role_required("clinician")
def tags() -> ResponseReturnValue:
    cid = _conversation_id()
    form = TagsForm()
    if not form.validate_on_submit() or not conversation_exists(db(), cid):
        abort(400)
    _review(cid).tags = normalise_tags(form.tags.data or "")
    db().commit()
    audit("conversation_tags", cid)
    flash("Étiquettes enregistrées.", "ok")
    return _back(cid)


@bp.post("/conversation/notes")
@role_required("clinician")
def add_note() -> ResponseReturnValue:
    cid = _conversation_id()
    form = NoteForm()
    if not form.validate_on_submit() or not conversation_exists(db(), cid):
        flash("La note est vide ou trop longue.", "warning")
        return _back(cid)
    db().add(ConversationNote(conversation_id=cid, author=g.user.username, text=cast(str, form.text.data).strip()))
    db().commit()
    audit("conversation_note", cid)
    flash("Note ajoutée.", "ok")
    return _back(cid)
