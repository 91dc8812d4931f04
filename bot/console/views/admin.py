"""Administration: accounts, audit log and retention (admin role)."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from bot import settings
from bot.console.audit import audit
from bot.console.auth import role_required
from bot.console.db import db
from bot.console.forms import EmptyForm, PasswordForm, RetentionForm, RoleForm, UserCreateForm
from bot.console.retention import count_expired, purge
from bot.console.users import UserError, create_user, delete_user, list_users, set_password, set_role
from bot.storage.models import AuditLog, StaffUser

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _admins() -> int:
    return db().execute(select(func.count(StaffUser.id)).where(StaffUser.role == "admin")).scalar_one()


def _user(user_id: int) -> StaffUser:
    user = db().get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@role_required("admin")
def users() -> ResponseReturnValue:
    return render_template(
        "admin_users.html",
        users=list_users(db()),
        create_form=UserCreateForm(),
        role_form=RoleForm(),
        password_form=PasswordForm(),
        action_form=EmptyForm(),
    )


@bp.post("/users")
@role_required("admin")
def create() -> ResponseReturnValue:
    form = UserCreateForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "warning")
        return redirect(url_for("admin.users"))
    try:
        # WTForms types `data` as optional: DataRequired() has refused a missing value.
        user = create_user(db(), cast(str, form.username.data), cast(str, form.password.data), form.role.data)
    except UserError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("admin.users"))
    db().commit()
    audit("user_created", f"{user.username} ({user.role})")
    flash(f"Compte {user.username} créé.", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/role")
@role_required("admin")
def change_role(user_id: int) -> ResponseReturnValue:
    user, form = _user(user_id), RoleForm()
    if not form.validate_on_submit():
        abort(400)
    if user.role == "admin" and form.role.data != "admin" and _admins() <= 1:
        flash("Impossible : il doit rester au moins un administrateur.", "warning")
        return redirect(url_for("admin.users"))
    try:
        set_role(user, form.role.data)
    except UserError as exc:
        flash(str(exc), "warning")
        return redirect(url_for("admin.users"))
    db().commit()
    audit("user_role", f"{user.username} -> {user.role}")
    flash(f"Rôle de {user.username} modifié.", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
@role_required("admin")
def change_password(user_id: int) -> ResponseReturnValue:
    user, form = _user(user_id), PasswordForm()
    if not form.validate_on_submit():
        flash("Mot de passe trop court.", "warning")
        return redirect(url_for("admin.users"))
    set_password(db(), user, cast(str, form.password.data))
    db().commit()
    audit("user_password", user.username)
    flash(f"Mot de passe de {user.username} changé (ses sessions ouvertes sont fermées).", "ok")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/delete")
@role_required("admin")
def delete(user_id: int) -> ResponseReturnValue:
    user = _user(user_id)
    if user.id == g.user.id:
        flash("Vous ne pouvez pas supprimer votre propre compte.", "warning")
        return redirect(url_for("admin.users"))
    if user.role == "admin" and _admins() <= 1:
        flash("Impossible : il doit rester au moins un administrateur.", "warning")
        return redirect(url_for("admin.users"))
    name = user.username
    delete_user(db(), user)
    db().commit()
    audit("user_deleted", name)
    flash(f"Compte {name} supprimé.", "ok")
    return redirect(url_for("admin.users"))


@bp.get("/audit")
@role_required("admin")
def audit_log() -> ResponseReturnValue:
    rows = list(db().execute(select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(300)).scalars())
    return render_template("admin_audit.html", rows=rows)


@bp.route("/retention", methods=["GET", "POST"])
@role_required("admin")
def retention() -> ResponseReturnValue:
    form = RetentionForm()
    if form.validate_on_submit():
        result = purge(db(), cast(int, form.days.data))
        db().commit()
        audit("retention", f"{form.days.data} jours : {result.as_text()}")
        flash(f"Supprimé : {result.as_text()}.", "ok")
        return redirect(url_for("admin.retention", jours=form.days.data))
    if request.method == "POST":
        flash("Durée invalide (de 1 à 36500 jours).", "warning")
    days = request.args.get("jours", type=int) or settings.RETENTION_DAYS
    days = max(1, min(days, 36500))
    form.days.data = days
    last_purge = (
        db()
        .execute(
            select(AuditLog)
            .where(AuditLog.action == "retention")
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .limit(1)
        )
        .scalar_one_or_none()
    )
    return render_template(
        "admin_retention.html",
        form=form,
        days=days,
        expired=count_expired(db(), days),
        config_days=settings.RETENTION_DAYS,
        audit_days=settings.AUDIT_RETENTION_DAYS,
        log_days=settings.LOG_RETENTION_DAYS,
        last_purge=last_purge,
    )
