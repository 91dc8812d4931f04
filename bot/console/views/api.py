"""JSON endpoints (same session login as the pages; 401 without it)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from bot.console.auth import passive, role_required
from bot.console.db import db
from bot.console.views.dashboard import load_dashboard, period_from_args
from bot.storage.models import Alert

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/alerts/unacknowledged")
@passive  # polled every minute by console.js: does not keep an idle session alive
@role_required("clinician")
def unacknowledged() -> ResponseReturnValue:
    count = db().execute(select(func.count(Alert.id)).where(Alert.acknowledged_at.is_(None))).scalar_one()
    return jsonify(count=count)


@bp.get("/stats")
@role_required("secretariat")
def stats() -> ResponseReturnValue:
    """Dashboard figures, including the deflection counts of issue 6 (?jours=7|30|90|365)."""
    days = period_from_args()
    return jsonify(period_days=days, **load_dashboard(db(), days).as_dict())
