"""Login, sessions, cookies, accounts and the slowdown of repeated failed logins."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.console.users import UserError, create_user, verify_password
from bot.storage.models import AuditLog, StaffUser
from bot.storage.session import session_scope

from .console_helpers import PASSWORD, csrf_token, login


def test_login_and_logout(client: FlaskClient, users: dict[str, str]) -> None:
    assert client.get("/").status_code == 302
    response = login(client, "docteur")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "docteur" in page and "Tableau de bord" in page
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/").headers["Location"].startswith("/login")


def test_username_is_case_insensitive(client: FlaskClient, users: dict[str, str]) -> None:
    assert login(client, "DocTeur").status_code == 302


def test_wrong_password_and_unknown_user(client: FlaskClient, users: dict[str, str], database_url: str) -> None:
    response = login(client, "docteur", "mauvais mot de passe")
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in response.get_data(as_text=True)
    assert login(client, "personne", "mauvais mot de passe").status_code == 401
    assert client.get("/").status_code == 302
    with session_scope(database_url) as s:
        actions = list(s.execute(select(AuditLog.action)).scalars())
        user = s.execute(select(StaffUser).where(StaffUser.username == "docteur")).scalar_one()
        assert user.failed_logins == 1
    assert actions.count("login_failed") == 2


def test_next_parameter_cannot_leave_the_site(client: FlaskClient, users: dict[str, str]) -> None:
    token = csrf_token(client)
    data = {"username": "docteur", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    data["csrf_token"] = csrf_token(client)
    response = client.post("/login?next=/alerts", data=data)
    assert response.headers["Location"] == "/alerts"


def test_redirect_to_login_keeps_the_page(client: FlaskClient, users: dict[str, str]) -> None:
    response = client.get("/conversations?red_flag=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_security_headers(secretariat: FlaskClient) -> None:
    response = secretariat.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_password_change_ends_open_sessions(
    app: Flask, admin: FlaskClient, clinician: FlaskClient, database_url: str
) -> None:
    assert clinician.get("/").status_code == 200
    with session_scope(database_url) as s:
        uid = s.execute(select(StaffUser.id).where(StaffUser.username == "docteur")).scalar_one()
    token = csrf_token(admin, "/admin/users")
    response = admin.post(
        f"/admin/users/{uid}/password", data={"password": "un-autre-mot-de-passe", "csrf_token": token}
    )
    assert response.status_code == 302
    assert clinician.get("/").status_code == 302  # back to the login page
    fresh = app.test_client()
    assert login(fresh, "docteur", "un-autre-mot-de-passe").status_code == 302


def test_accounts_helpers(database_url: str) -> None:
    with session_scope(database_url) as s:
        user = create_user(s, "infirmiere", "un-mot-de-passe-long", "clinician")
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, "un-mot-de-passe-long")
        assert not verify_password(user.password_hash, "autre chose")
        assert not verify_password(None, "un-mot-de-passe-long")
        for args in (
            ("infirmiere", "un-mot-de-passe-long", "clinician"),  # exists
            ("x y", "un-mot-de-passe-long", "clinician"),  # invalid name
            ("nouveau", "court", "clinician"),  # short password
            ("nouveau", "un-mot-de-passe-long", "chef"),  # unknown role
        ):
            try:
                create_user(s, *args)
            except UserError:
                pass
            else:
                raise AssertionError(f"accepted {args}")
