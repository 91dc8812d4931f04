"""Historique de l'apprentissage: the runs of `python -m bot learn`, their figures and decisions."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from bot.console.audit import audit
from bot.console.auth import role_required
from bot.console.db import db
from bot.console.views.common import parse_page
from bot.learn.gate import compare_rows
from bot.storage.models import LearningRun

bp = Blueprint("learning", __name__)
PER_PAGE = 20


@bp.get("/learning")
@role_required("clinician")
def index() -> ResponseReturnValue:
    s = db()
    total = s.execute(select(func.count(LearningRun.id))).scalar_one()
    pages = max(1, -(-total // PER_PAGE))
    page = min(parse_page(request.args), pages)
    runs = list(s.execute(
        select(LearningRun).order_by(LearningRun.started_at.desc(), LearningRun.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).scalars())
    rows = {r.id: compare_rows(r.figures_before or {}, r.figures_after or {}) for r in runs}
    audit("learning_runs_list", f"page={page}")
    return render_template("learning.html", runs=runs, rows=rows, page=page, pages=pages, total=total)
