"""Patients' satisfaction with the answers: per day, per topic, per answer, and the answers with the most "Non"."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from bot.console.audit import audit
from bot.console.auth import role_required
from bot.console.charts import bar_chart, stacked_column_chart
from bot.console.db import db
from bot.console.feedback_queries import feedback_rows
from bot.console.satisfaction import Satisfaction, build_satisfaction
from bot.console.timeutil import day_end_epoch, day_start_epoch, today, utc_naive_from_epoch
from bot.console.views.dashboard import PERIODS, period_from_args
from bot.core.topics import TOPIC_NAMES, answer_name

bp = Blueprint("satisfaction", __name__)
YES_COLOUR, NO_COLOUR = "#2e7d32", "#b3261e"
MAX_NAME = 120


def _selection() -> tuple[str | None, str | None]:
    """The topic (?sujet=) or the answer (?reponse=) to look at, if any."""
    intent = request.args.get("sujet") or None
    answer = (request.args.get("reponse") or "")[:MAX_NAME] or None
    return (intent if intent in TOPIC_NAMES else None), answer


def load_satisfaction(days: int, intent: str | None, answer: str | None) -> Satisfaction:
    last_day = today()
    first_day = last_day - timedelta(days=days - 1)
    since = utc_naive_from_epoch(day_start_epoch(first_day))
    until = utc_naive_from_epoch(day_end_epoch(last_day))
    return build_satisfaction(
        feedback_rows(db(), since, until), first_day=first_day, last_day=last_day, intent=intent, answer=answer
    )


@bp.get("/satisfaction")
@role_required("clinician")
def index() -> ResponseReturnValue:
    days = period_from_args()
    intent, answer = _selection()
    s = load_satisfaction(days, intent, answer)
    labels = [day.strftime("%d/%m") for day in s.days]
    worst = s.most_no[:10]
    charts = {
        "days": stacked_column_chart(
            "Avis des patients par jour", labels, [("Oui", s.yes_per_day, YES_COLOUR), ("Non", s.no_per_day, NO_COLOUR)]
        ),
        "most_no": bar_chart(
            "Réponses avec le plus de « Non »", [answer_name(t.key) for t in worst], [t.no for t in worst]
        ),
    }
    selection = (f" sujet={intent}" if intent else "") + (f" reponse={answer}" if answer else "")
    audit("satisfaction_view", f"{days} jours{selection}")
    return render_template(
        "satisfaction.html", s=s, days=days, periods=PERIODS, charts=charts, intent=intent, answer=answer, worst=worst
    )


@bp.get("/api/satisfaction")
@role_required("clinician")
def api() -> ResponseReturnValue:
    days = period_from_args()
    intent, answer = _selection()
    return jsonify(period_days=days, **load_satisfaction(days, intent, answer).as_dict())
