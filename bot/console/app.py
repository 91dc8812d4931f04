"""The staff console's Flask application."""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from flask import Flask, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from bot import settings
from bot.console import auth, sessions
from bot.console.db import close_db, db
from bot.console.masking import mask_text
from bot.console.proxy import TrustedProxyMiddleware, parse_networks
from bot.console.stats import OUTCOME_LABELS
from bot.console.timeutil import fmt_epoch, fmt_utc
from bot.console.users import ROLE_LABELS
from bot.core.topics import answer_name, group_name, topic_name
from bot.storage.models import Alert, utcnow
from bot.storage.session import init_db

csrf = CSRFProtect()
HSTS = "max-age=31536000"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def _secret_key() -> str:
    """CONSOLE_SECRET_KEY, else a random key kept in var/ (0600) so that sessions survive restarts."""
    key = settings.console_secret_key()
    if key:
        return key
    path = Path(settings.VAR_DIR) / "console_secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(
    database_url: str | None = None,
    testing: bool = False,
    secure_cookies: bool | None = None,
    secret_key: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Flask:
    """Build the console over `database_url` (default: the project's database), schema migrated.

    The session cookie is always Secure, named with the __Host- prefix (no Domain, Path=/), unless
    CONSOLE_INSECURE_COOKIES=1 (development over plain http; `secure_cookies=False` in tests does the
    same). The session itself is a row of `console_sessions` (bot/console/sessions.py). `clock`
    replaces the current time (naive UTC) in tests.
    """
    app = Flask(__name__)
    url = database_url or settings.database_url()
    if secure_cookies is None:
        secure_cookies = not settings.console_insecure_cookies()
    app.config.update(
        DATABASE_URL=url,
        TESTING=testing,
        SECRET_KEY=secret_key or (secrets.token_hex(32) if testing else _secret_key()),
        SESSION_COOKIE_NAME="__Host-console" if secure_cookies else "console_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
        SESSION_REFRESH_EACH_REQUEST=False,
        PERMANENT_SESSION_LIFETIME=sessions.ABSOLUTE_TIMEOUT,
        WTF_CSRF_TIME_LIMIT=int(sessions.ABSOLUTE_TIMEOUT.total_seconds()),
        MAX_CONTENT_LENGTH=1024 * 1024,
        CLOCK=clock or utcnow,
    )
    proxies = parse_networks(settings.trusted_proxies())
    if proxies:
        app.wsgi_app = TrustedProxyMiddleware(app.wsgi_app, proxies)  # type: ignore[method-assign]  # as Flask documents

    init_db(url)
    _register_hooks(app)  # before CSRF: without a session, any request is sent to the login page first
    csrf.init_app(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_template_helpers(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from bot.console.views import (
        admin,
        alerts,
        api,
        callbacks,
        contents,
        conversations,
        dashboard,
        exports,
        learning,
        review,
        satisfaction,
    )

    app.register_blueprint(auth.bp)
    for module in (dashboard, conversations, alerts, callbacks, exports, admin, api, satisfaction, review, learning):
        app.register_blueprint(module.bp)
    app.register_blueprint(contents.bp)


def _register_hooks(app: Flask) -> None:
    app.before_request(auth.load_user)
    app.before_request(auth.require_login)
    app.teardown_appcontext(close_db)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        if request.is_secure:  # served over TLS (directly or through a trusted proxy)
            response.headers["Strict-Transport-Security"] = HSTS
        return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error(status: int, message: str) -> ResponseReturnValue:
    if _wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def _register_errors(app: Flask) -> None:
    messages = {
        400: "Requête invalide.",
        401: "Authentification requise.",
        403: "Accès refusé : votre rôle ne permet pas d'ouvrir cette page.",
        404: "Page introuvable.",
        405: "Méthode non autorisée.",
        413: "Requête trop volumineuse.",
    }

    @app.errorhandler(CSRFError)
    def _csrf(_e: CSRFError) -> ResponseReturnValue:
        return _error(403, "Formulaire expiré ou invalide (jeton CSRF). Rechargez la page et recommencez.")

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> ResponseReturnValue:
        code = e.code or 500
        return _error(code, messages.get(code, e.description or "Erreur."))


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        mask=mask_text,
        ts=fmt_epoch,
        utc=fmt_utc,
        pct=lambda v: f"{100 * (v or 0):.1f} %".replace(".", ","),
        role_label=lambda r: ROLE_LABELS.get(r, r),
        outcome_label=lambda o: OUTCOME_LABELS.get(o, o or "—"),
        topic=topic_name,
        answer_label=answer_name,
        group_label=group_name,
    )
    app.jinja_env.globals.update(can=auth.can)

    @app.context_processor
    def _counts() -> dict[str, Any]:
        if g.get("user") is None or not auth.can("clinician"):
            return {"unacknowledged_alerts": None}
        count = db().execute(select(func.count(Alert.id)).where(Alert.acknowledged_at.is_(None))).scalar_one()
        return {"unacknowledged_alerts": count}
