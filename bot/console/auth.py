"""Login, logout, the session's user and the role checks."""

from __future__ import annotations

import hashlib
from functools import wraps
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from bot.console import throttle
from bot.console.audit import audit
from bot.console.db import db
from bot.console.forms import LoginForm
from bot.console.users import find_user, has_role, hash_password, needs_rehash, verify_password
from bot.db.models import StaffUser, utcnow

bp = Blueprint("auth", __name__)
PUBLIC_ENDPOINTS = frozenset({"auth.login", "static"})
F = TypeVar("F", bound=Callable[..., Any])


def _fingerprint(password_hash: str) -> str:
    """Changes when the password changes, which ends the sessions opened with the old one."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:20]


def load_user() -> None:
    g.user = None
    uid = session.get("uid")
    if uid is None or request.endpoint == "static":
        return
    user = db().get(StaffUser, uid)
    if user is None or session.get("pw") != _fingerprint(user.password_hash):
        session.clear()
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

        wrapped.min_role = minimum  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

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


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if g.get("user") is not None and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("login.html", form=form, error=None), status
    s = db()
    username = form.username.data.strip()
    keys = throttle.keys_for(username, request.remote_addr)
    wait = throttle.seconds_locked(s, keys)
    if wait:
        audit("login_blocked", f"{username[:100]} depuis {request.remote_addr}", username="-")
        error = f"Trop de tentatives échouées. Réessayez dans {wait} secondes."
        return render_template("login.html", form=form, error=error), 429
    user = find_user(s, username)
    password_ok = verify_password(user.password_hash if user is not None else None, form.password.data)
    if user is None or not password_ok:
        if user is not None:
            user.failed_logins = (user.failed_logins or 0) + 1
            user.last_failed_at = utcnow()
        throttle.record_failure(s, keys)
        audit("login_failed", f"{username[:100]} depuis {request.remote_addr}", username="-")
        return render_template("login.html", form=form, error="Identifiant ou mot de passe incorrect."), 401
    throttle.reset(s, keys)
    user.failed_logins = 0
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(form.password.data)
    s.commit()
    session.clear()
    session["uid"] = user.id
    session["pw"] = _fingerprint(user.password_hash)
    session.permanent = True
    g.user = user
    audit("login", f"depuis {request.remote_addr}")
    return redirect(safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    audit("logout")
    session.clear()
    return redirect(url_for("auth.login"))
