"""Downloads: conversations CSV and not-understood messages as Rasa NLU YAML (both audited; clinicians and admins)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, request
from flask.typing import ResponseReturnValue

from bot.console.audit import audit
from bot.console.auth import role_required
from bot.console.db import db
from bot.console.export_formats import conversations_csv, fallback_nlu_yaml
from bot.console.queries import fallback_messages, iter_conversations
from bot.console.timeutil import LOCAL_TZ
from bot.console.views.common import parse_filters

bp = Blueprint("exports", __name__, url_prefix="/export")


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/conversations.csv")
@role_required("clinician")
def conversations() -> ResponseReturnValue:
    filters, _errors = parse_filters(request.args)
    items = list(iter_conversations(db(), filters))
    audit("export_csv", f"{len(items)} conversation(s) {filters.describe()}".strip())
    stamp = datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")
    return _download(conversations_csv(items), "text/csv; charset=utf-8", f"conversations-{stamp}.csv")


@bp.get("/incompris.yml")
@role_required("clinician")
def not_understood() -> ResponseReturnValue:
    filters, _errors = parse_filters(request.args)
    texts = fallback_messages(db(), filters.date_from, filters.date_to)
    now = datetime.now(LOCAL_TZ)
    audit("export_nlu", f"{len(texts)} message(s) {filters.describe()}".strip())
    body = fallback_nlu_yaml(texts, exported_on=now.strftime("%d/%m/%Y"))
    return _download(body, "application/x-yaml; charset=utf-8", f"incompris-{now:%Y%m%d}.yml")
