"""Dashboard: activity per day, top topics, fallback rate, red flags, callbacks, deflection."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console import content_status
from bot.console.auth import role_required
from bot.console.charts import bar_chart, column_chart
from bot.console.db import db
from bot.console.feedback_queries import feedback_counts
from bot.console.queries import callback_conversations, event_rows_started_between, negative_feedback_conversations
from bot.console.stats import OUTCOME_LABELS, OUTCOMES, AlertRow, Dashboard, build_dashboard
from bot.console.timeutil import day_end_epoch, day_start_epoch, today, utc_naive_from_epoch
from bot.console.views.callbacks import HANDLED
from bot.content.signoff import awaiting_count
from bot.core.topics import topic_name
from bot.storage.models import Alert, CallbackRequest

bp = Blueprint("dashboard", __name__)
PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 30


def period_from_args() -> int:
    try:
        days = int(request.args.get("jours", DEFAULT_PERIOD))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def load_dashboard(session: Session, days: int) -> Dashboard:
    last_day = today()
    first_day = last_day - timedelta(days=days - 1)
    start, end = day_start_epoch(first_day), day_end_epoch(last_day)
    since, until = utc_naive_from_epoch(start), utc_naive_from_epoch(end)
    rows = event_rows_started_between(session, start, end)
    alerts = [
        AlertRow(a.conversation_id, a.group, a.acknowledged_at is not None)
        for a in session.execute(select(Alert).where(Alert.created_at >= since, Alert.created_at < until)).scalars()
    ]
    in_period = (CallbackRequest.created_at >= since, CallbackRequest.created_at < until)
    count = select(func.count(CallbackRequest.id)).where(*in_period)
    ids = sorted({r.conversation_id for r in rows})
    return build_dashboard(
        rows,
        first_day=first_day,
        last_day=last_day,
        alerts=alerts,
        callback_conversations=callback_conversations(session, ids),
        negative_feedback=negative_feedback_conversations(session, ids),
        feedback=feedback_counts(session, since, until),
        callback_requests=session.execute(count).scalar_one(),
        callback_requests_pending=session.execute(count.where(CallbackRequest.status != HANDLED)).scalar_one(),
    )


@bp.get("/")
@role_required("secretariat")
def index() -> ResponseReturnValue:
    days = period_from_args()
    d = load_dashboard(db(), days)
    labels = [day.strftime("%d/%m") for day in d.days]
    charts = {
        "conversations": column_chart("Conversations par jour", labels, d.conversations_per_day),
        "messages": column_chart("Messages des patients par jour", labels, d.messages_per_day),
        "topics": bar_chart(
            "Sujets les plus demandés", [topic_name(i) for i, _ in d.top_intents], [n for _, n in d.top_intents]
        ),
        "outcomes": bar_chart(
            "Issue des conversations", [OUTCOME_LABELS[o] for o in OUTCOMES], [d.outcomes.get(o, 0) for o in OUTCOMES]
        ),
    }
    return render_template(
        "dashboard.html", d=d, days=days, periods=PERIODS, charts=charts, outcomes=OUTCOMES, content=content_awaiting()
    )


def content_awaiting() -> int | None:
    """How many answers await a clinician's validation (None when their texts cannot be read)."""
    try:
        return awaiting_count({r.answer.id: r.status for r in content_status.rows(db())})
    except content_status.ContentUnavailable:
        return None
