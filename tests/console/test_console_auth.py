"""Login, sessions, cookies, accounts and the slowdown of repeated failed logins."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from bot.console import throttle
from bot.console.app import create_app
from bot.console.users import UserError, create_user, verify_password
from bot.db.models import AuditLog, LoginThrottle, StaffUser, utcnow
from bot.db.session import session_scope

from .console_helpers import CSRF_RE, PASSWORD, csrf_token, login


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


def test_session_cookie_flags(database_url: str, users: dict[str, str]) -> None:
    app = create_app(database_url, testing=False, secret_key="k" * 64)
    client = app.test_client()
    base = "https://console.local"
    token = csrf_token_https(client, base)
    response = client.post(
        "/login",
        base_url=base,
        data={"username": "docteur", "password": PASSWORD, "csrf_token": token},
        headers={"Referer": f"{base}/login"},
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def csrf_token_https(client: FlaskClient, base: str) -> str:
    page = client.get("/login", base_url=base).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match
    return match.group(1)


def test_testing_app_cookie_has_no_secure_flag_but_httponly(client: FlaskClient, users: dict[str, str]) -> None:
    cookie = login(client, "docteur").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


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


def test_brute_force_is_slowed_per_user_and_survives_restart(
    app: Flask, client: FlaskClient, users: dict[str, str], database_url: str
) -> None:
    for _ in range(throttle.MAX_FAILURES):
        assert login(client, "docteur", "essai-au-hasard").status_code == 401
    # Even the right password is refused while locked, from any address.
    response = login(client, "docteur")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)
    other_ip = app.test_client()
    assert login(other_ip, "docteur", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 429
    # A restarted console still knows (the counters are in the database).
    restarted = create_app(database_url, testing=True).test_client()
    assert login(restarted, "docteur").status_code == 429
    # Other accounts from another address are not affected.
    assert login(other_ip, "secretaire", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 302
    # Once the lock has expired the right password works again, and the counters are reset.
    with session_scope(database_url) as s:
        s.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert login(client, "docteur").status_code == 302
    with session_scope(database_url) as s:
        assert s.get(LoginThrottle, "user:docteur") is None


def test_brute_force_lock_grows_exponentially(client: FlaskClient, users: dict[str, str], database_url: str) -> None:
    for _ in range(throttle.MAX_FAILURES):
        login(client, "admin", "faux-mot-de-passe")
    with session_scope(database_url) as s:
        row = s.get(LoginThrottle, "user:admin")
        assert row.locked_until - row.last_failed_at == throttle.BASE_DELAY
        s.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    login(client, "admin", "faux-mot-de-passe")
    with session_scope(database_url) as s:
        row = s.get(LoginThrottle, "user:admin")
        assert row.failures == throttle.MAX_FAILURES + 1
        assert row.locked_until - row.last_failed_at == 2 * throttle.BASE_DELAY


def test_brute_force_is_slowed_per_address(app: Flask, users: dict[str, str]) -> None:
    attacker = app.test_client()
    ip = {"REMOTE_ADDR": "203.0.113.7"}
    for i in range(throttle.MAX_FAILURES):
        assert login(attacker, f"inconnu{i}", "devine", environ_base=ip).status_code == 401
    assert login(attacker, "secretaire", environ_base=ip).status_code == 429
    assert login(app.test_client(), "secretaire", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 302


def test_lock_delay_schedule() -> None:
    assert [throttle.lock_delay(n).total_seconds() for n in range(1, 10)] == [0, 0, 0, 0, 30, 60, 120, 240, 480]
    assert throttle.lock_delay(50) == throttle.MAX_DELAY


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
