"""Callback requests queue for the secretariat."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select, update

from bot.console.audit import audit
from bot.console.auth import role_required
from bot.console.db import db
from bot.console.forms import EmptyForm
from bot.console.views.common import parse_page
from bot.storage.models import CallbackRequest, utcnow

bp = Blueprint("callbacks", __name__)
PER_PAGE = 50
NEW, HANDLED = "nouveau", "traité"


@bp.get("/callbacks")
@role_required("secretariat")
def index() -> ResponseReturnValue:
    show_all = request.args.get("etat") == "toutes"
    query = select(CallbackRequest)
    if not show_all:
        query = query.where(CallbackRequest.status != HANDLED)
    s = db()
    total = s.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // PER_PAGE))
    page = min(parse_page(request.args), pages)
    requests_ = list(
        s.execute(
            query.order_by(CallbackRequest.created_at.desc(), CallbackRequest.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        ).scalars()
    )
    audit("callbacks_list", f"page={page}" + (" toutes" if show_all else ""))
    return render_template(
        "callbacks.html", requests=requests_, show_all=show_all, page=page, pages=pages, total=total, form=EmptyForm()
    )


@bp.post("/callbacks/<int:request_id>/handled")
@role_required("secretariat")
def handled(request_id: int) -> ResponseReturnValue:
    s = db()
    if s.get(CallbackRequest, request_id) is None:
        abort(404)
    done = s.execute(
        update(CallbackRequest)
        .where(CallbackRequest.id == request_id, CallbackRequest.status != HANDLED)
        .values(status=HANDLED, handled_by=g.user.username, handled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    s.commit()
    if done:
        audit("callback_handled", f"demande {request_id}")
        flash(f"Demande de rappel {request_id} marquée comme traitée.", "ok")
    else:
        flash(f"Demande de rappel {request_id} déjà traitée.", "warning")
    return redirect(url_for("callbacks.index"))
