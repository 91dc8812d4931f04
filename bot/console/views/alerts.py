"""Red-flag alerts queue: newest first, acknowledged with who and when."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select, update

from bot.console.audit import audit
from bot.console.auth import role_required
from bot.console.db import db
from bot.console.forms import EmptyForm
from bot.console.views.common import parse_page
from bot.storage.models import Alert, utcnow

bp = Blueprint("alerts", __name__)
PER_PAGE = 50


@bp.get("/alerts")
@role_required("clinician")
def index() -> ResponseReturnValue:
    only_open = request.args.get("etat") == "ouvertes"
    query = select(Alert)
    if only_open:
        query = query.where(Alert.acknowledged_at.is_(None))
    s = db()
    total = s.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // PER_PAGE))
    page = min(parse_page(request.args), pages)
    alerts = list(
        s.execute(
            query.order_by(Alert.created_at.desc(), Alert.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
        ).scalars()
    )
    audit("alerts_list", f"page={page}" + (" ouvertes" if only_open else ""))
    return render_template(
        "alerts.html", alerts=alerts, only_open=only_open, page=page, pages=pages, total=total, form=EmptyForm()
    )


@bp.post("/alerts/<int:alert_id>/acknowledge")
@role_required("clinician")
def acknowledge(alert_id: int) -> ResponseReturnValue:
    s = db()
    alert = s.get(Alert, alert_id)
    if alert is None:
        abort(404)
    done = s.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.acknowledged_at.is_(None))
        .values(acknowledged_by=g.user.username, acknowledged_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    s.commit()
    if done:
        audit("alert_acknowledged", f"alerte {alert_id} ({alert.conversation_id})")
        flash(f"Alerte {alert_id} acquittée.", "ok")
    else:
        s.refresh(alert)
        flash(f"Alerte {alert_id} déjà acquittée par {alert.acknowledged_by}.", "warning")
    target = request.form.get("back")
    if target == "conversation":
        return redirect(url_for("conversations.show", id=alert.conversation_id))
    return redirect(url_for("alerts.index"))
