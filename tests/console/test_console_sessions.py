"""Staff sessions (issue 14, hole 7): Secure __Host- cookie, HSTS behind TLS, server-side revocation,
30-minute idle timeout that the page's polling does not refresh, 8-hour absolute limit."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bot.console.app import create_app
from bot.console.sessions import ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, token_hash
from bot.storage.models import ConsoleSession, StaffUser
from bot.storage.session import session_scope

from .console_helpers import FakeClock, csrf_token, login

COOKIE = "__Host-console"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def timed_app(database_url: str, users: dict[str, str], clock: FakeClock) -> Flask:
    return create_app(database_url, testing=True, clock=clock)


def logged(app: Flask, username: str = "docteur") -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def cookie_value(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def sessions_of(database_url: str, username: str) -> int:
    with session_scope(database_url) as s:
        uid = s.execute(select(StaffUser.id).where(StaffUser.username == username)).scalar_one()
        return s.execute(
            select(func.count()).select_from(ConsoleSession).where(ConsoleSession.user_id == uid)
        ).scalar_one()


# --- cookies and headers ---------------------------------------------------------------------------


def test_cookie_is_secure_with_the_host_prefix_by_default(client: FlaskClient, users: dict[str, str]) -> None:
    cookie = login(client, "docteur").headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie  # required by the __Host- prefix


def test_only_the_development_setting_drops_secure(
    database_url: str, users: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither testing mode nor a loopback address weakens the cookie any more.
    assert create_app(database_url, testing=True).config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("CONSOLE_INSECURE_COOKIES", "1")
    app = create_app(database_url, testing=True)
    cookie = login(app.test_client(), "docteur").headers["Set-Cookie"]
    assert cookie.startswith("console_session=") and "Secure" not in cookie and "HttpOnly" in cookie
    monkeypatch.setenv("CONSOLE_INSECURE_COOKIES", "0")
    assert create_app(database_url, testing=True).config["SESSION_COOKIE_SECURE"] is True


def test_hsts_only_over_tls(app: Flask, users: dict[str, str]) -> None:
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/login").headers
    https = client.get("/login", base_url="https://console.example")
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_and_address_from_a_trusted_proxy_only(
    database_url: str, users: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    app = create_app(database_url, testing=True)  # no TRUSTED_PROXIES: the headers are ignored
    response = app.test_client().get("/login", headers=forwarded, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert "Strict-Transport-Security" not in response.headers
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1/32 ::1")
    app = create_app(database_url, testing=True)
    client = app.test_client()
    response = client.get("/login", headers=forwarded, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert "Strict-Transport-Security" in response.headers
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"username": "docteur", "password": "faux-mot-de-passe", "csrf_token": token},
        headers={**forwarded, "Referer": "https://localhost/login"},  # over TLS, CSRF also checks the Referer
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.status_code == 401
    with session_scope(database_url) as s:
        from bot.storage.models import AuditLog

        target = s.execute(select(AuditLog.target).where(AuditLog.action == "login_failed")).scalar_one()
    assert target == "docteur depuis 198.51.100.7"


# --- revocation ------------------------------------------------------------------------------------


def test_replayed_cookie_after_logout_is_refused(timed_app: Flask, database_url: str) -> None:
    victim = logged(timed_app)
    stolen = cookie_value(victim)
    assert victim.post("/logout", data={"csrf_token": csrf_token(victim, "/")}).status_code == 302
    replay = timed_app.test_client()
    replay.set_cookie(COOKIE, stolen)
    response = replay.get("/alerts")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    replay.set_cookie(COOKIE, stolen)
    assert replay.get("/api/alerts/unacknowledged").status_code == 401
    assert sessions_of(database_url, "docteur") == 0


def test_logout_ends_every_session_of_the_user(timed_app: Flask, database_url: str) -> None:
    desk, ward, other = logged(timed_app), logged(timed_app), logged(timed_app, "admin")
    assert sessions_of(database_url, "docteur") == 2
    desk.post("/logout", data={"csrf_token": csrf_token(desk, "/")})
    assert ward.get("/").status_code == 302  # the other workstation is logged out too
    assert other.get("/").status_code == 200  # another user is not


def test_password_change_and_account_deletion_end_the_sessions(timed_app: Flask, database_url: str) -> None:
    admin, doctor = logged(timed_app, "admin"), logged(timed_app)
    copy = cookie_value(doctor)
    with session_scope(database_url) as s:
        uid = s.execute(select(StaffUser.id).where(StaffUser.username == "docteur")).scalar_one()
        sid = s.execute(select(StaffUser.id).where(StaffUser.username == "secretaire")).scalar_one()
    token = csrf_token(admin, "/admin/users")
    admin.post(f"/admin/users/{uid}/password", data={"password": "un-autre-mot-de-passe", "csrf_token": token})
    assert doctor.get("/").status_code == 302
    replay = timed_app.test_client()
    replay.set_cookie(COOKIE, copy)
    assert replay.get("/").status_code == 302
    secretary = logged(timed_app, "secretaire")
    admin.post(f"/admin/users/{sid}/delete", data={"csrf_token": token})
    assert secretary.get("/").status_code == 302
    assert sessions_of(database_url, "docteur") == 0


def test_the_table_holds_a_hash_not_the_token(timed_app: Flask, database_url: str) -> None:
    client = logged(timed_app)
    with session_scope(database_url) as s:
        stored = s.execute(select(ConsoleSession.token_hash)).scalar_one()
    assert stored != cookie_value(client)
    from flask.sessions import SecureCookieSessionInterface

    data = SecureCookieSessionInterface().get_signing_serializer(timed_app).loads(cookie_value(client))
    assert token_hash(data["sid"]) == stored


def test_forged_cookie_content_is_refused(timed_app: Flask) -> None:
    from flask.sessions import SecureCookieSessionInterface

    forged = timed_app.test_client()
    other_key = Flask("x")
    other_key.secret_key = "pas-la-bonne-cle"
    value = SecureCookieSessionInterface().get_signing_serializer(other_key).dumps({"sid": "a" * 43})
    forged.set_cookie(COOKIE, value)
    assert forged.get("/").status_code == 302
    right_key = SecureCookieSessionInterface().get_signing_serializer(timed_app).dumps({"sid": "a" * 43, "uid": 1})
    forged.set_cookie(COOKIE, right_key)  # even signed, a token that no session has is worth nothing
    assert forged.get("/").status_code == 302


# --- timeouts --------------------------------------------------------------------------------------


def test_idle_session_ends_after_30_minutes(timed_app: Flask, clock: FakeClock, database_url: str) -> None:
    client = logged(timed_app)
    clock.advance(minutes=29)
    assert client.get("/alerts").status_code == 200  # activity: the idle time starts again
    clock.advance(minutes=29)
    assert client.get("/alerts").status_code == 200
    clock.advance(seconds=IDLE_TIMEOUT.total_seconds())
    response = client.get("/alerts")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre session est terminée" in page
    assert sessions_of(database_url, "docteur") == 0


def test_polling_does_not_keep_an_idle_session_alive(timed_app: Flask, clock: FakeClock) -> None:
    client = logged(timed_app)
    statuses = []
    for _minute in range(31):  # console.js asks for the alert count every minute
        clock.advance(minutes=1)
        statuses.append(client.get("/api/alerts/unacknowledged").status_code)
    assert statuses[:29] == [200] * 29
    assert statuses[-1] == 401
    assert client.get("/").status_code == 302


def test_session_ends_after_8_hours_even_when_active(timed_app: Flask, clock: FakeClock) -> None:
    client = logged(timed_app)
    elapsed = 0
    while elapsed + 10 < ABSOLUTE_TIMEOUT.total_seconds() / 60:
        clock.advance(minutes=10)
        elapsed += 10
        assert client.get("/alerts").status_code == 200, elapsed
    clock.advance(minutes=10)
    assert client.get("/alerts").status_code == 302
    assert login(client, "docteur").status_code == 302  # a new login opens a new 8-hour session
    assert client.get("/alerts").status_code == 200
