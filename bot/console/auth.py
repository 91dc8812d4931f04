"""Login, logout, the session's user and the role checks."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from bot.console import clock, sessions, throttle
from bot.console.audit import audit, audit_login_problem
from bot.console.db import db
from bot.console.forms import LoginForm
from bot.console.users import find_user, has_role, hash_password, needs_rehash, verify_password

bp = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})
SESSION_KEY = "sid"
F = TypeVar("F", bound=Callable[..., Any])


def passive(view: F) -> F:
    """Marks a view called by the page on its own (polling): it does not keep an idle session alive."""
    view.passive = True  # type: ignore[attr-defined]  # a marker the session check reads
    return view


def load_user() -> None:
    g.user = None
    token = session.get(SESSION_KEY)
    if token is None or request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint or "")
    active = not getattr(view, "passive", False)
    user = sessions.resume(db(), token, clock.now(), active=active)
    if user is None:
        session.clear()
        if not request.path.startswith("/api/"):
            flash(
                "Votre session est terminée (inactivité, durée maximale ou déconnexion) : reconnectez-vous.", "warning"
            )
        return
    g.user = user


def require_login() -> ResponseReturnValue | None:
    """Global guard: nothing but the login page and static files answers without a session."""
    if request.endpoint in PUBLIC_ENDPOINTS or g.get("user") is not None:
        return None
    if request.path.startswith("/api/"):
        return jsonify(error="authentification requise"), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def role_required(minimum: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = g.get("user")
            if user is None:
                abort(401)
            if not has_role(user.role, minimum):
                abort(403)
            return view(*args, **kwargs)

        wrapped.min_role = minimum  # type: ignore[attr-defined]  # a marker for the route tests
        return wrapped  # type: ignore[return-value]  # wraps() keeps the view's signature

    return decorator


def can(minimum: str) -> bool:
    user = g.get("user")
    return user is not None and has_role(user.role, minimum)


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("dashboard.index")
    return target


def _login_page(form: LoginForm, error: str | None, status: int) -> ResponseReturnValue:
    return render_template("login.html", form=form, error=error), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if g.get("user") is not None and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    if not form.validate_on_submit():
        return _login_page(form, None, 400 if request.method == "POST" else 200)
    s, now, address = db(), clock.now(), request.remote_addr
    username = cast(str, form.username.data).strip()  # validated: DataRequired
    wait = throttle.reserve(s, username, address, now)
    if wait:
        audit_login_problem("login_blocked", f"{username[:100]} depuis {address}")
        return _login_page(form, f"Trop de tentatives échouées. Réessayez dans {wait} secondes.", 429)
    user = find_user(s, username)
    password = cast(str, form.password.data)  # validated: DataRequired
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not password_ok:
        if user is not None:
            user.failed_logins = (user.failed_logins or 0) + 1
            user.last_failed_at = now
            s.commit()
        audit_login_problem("login_failed", f"{username[:100]} depuis {address}")
        return _login_page(form, "Identifiant ou mot de passe incorrect.", 401)
    throttle.succeeded(s, username, address)
    user.failed_logins = 0
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    s.commit()
    session.clear()  # a new cookie: nothing of the anonymous session is kept
    session[SESSION_KEY] = sessions.open_session(s, user.id, now, address)
    session.permanent = True
    g.user = user
    audit("login", f"depuis {address}")
    return redirect(safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Ends every session of the user, on every workstation (a shared or forgotten one included)."""
    user = g.get("user")
    if user is not None:
        audit("logout")
        sessions.end_all_sessions(db(), user.id)
        db().commit()
    session.clear()
    return redirect(url_for("auth.login"))
