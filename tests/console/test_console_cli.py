"""Commands: `users create|list`, `retention` (and the admin pages doing the same)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from bot.__main__ import main
from bot.console.retention import purge
from bot.console.users import verify_password
from bot.storage.events import events
from bot.storage.models import Alert, AuditLog, CallbackRequest, ConversationNote, ConversationReview, StaffUser, utcnow
from bot.storage.session import session_scope

from .console_helpers import DAY, Seeder, bot, csrf_token, user


def test_users_create_and_list(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def cli(*args: str) -> int:
        return main([*args, "--database-url", database_url])

    assert cli("users", "create", "chef", "--role", "admin", "--password", "un-mot-de-passe-sur") == 0
    monkeypatch.setenv("CONSOLE_PASSWORD", "un-autre-mot-de-passe")
    assert cli("users", "create", "accueil", "--role", "secretariat") == 0
    assert cli("users", "create", "accueil", "--role", "admin") == 2  # exists
    monkeypatch.delenv("CONSOLE_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli("users", "create", "sansmdp", "--role", "admin") == 2  # no password anywhere
    assert cli("users", "create", "court", "--role", "admin", "--password", "abc") == 2
    with pytest.raises(SystemExit):
        cli("users", "create", "x", "--role", "chef", "--password", "un-mot-de-passe-sur")
    with session_scope(database_url) as s:
        chef = s.execute(select(StaffUser).where(StaffUser.username == "chef")).scalar_one()
        assert chef.role == "admin" and verify_password(chef.password_hash, "un-mot-de-passe-sur")
        assert "un-mot-de-passe-sur" not in chef.password_hash
    capsys.readouterr()
    assert cli("users", "list") == 0
    out = capsys.readouterr().out
    assert "chef\tadmin" in out and "accueil\tsecretariat" in out and "sansmdp" not in out


def _count(database_url: str, model) -> int:  # type: ignore[no-untyped-def]
    with session_scope(database_url) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def _old_data(seeder: Seeder, database_url: str) -> None:
    seeder.sample()  # conv-ancienne is 100 days old
    seeder.alert("conv-ancienne", "C", "saignement")
    seeder.callback("conv-ancienne")
    seeder.alert("sans-evenements", "A", "orphan")  # alert of a conversation whose events are gone
    with session_scope(database_url) as s:
        s.add(
            ConversationReview(
                conversation_id="conv-ancienne", reviewed=True, tags="x", reviewed_by="a", reviewed_at=utcnow()
            )
        )
        s.add(ConversationNote(conversation_id="conv-ancienne", author="a", text="note"))
        s.add(ConversationNote(conversation_id="conv-alarme", author="a", text="note récente"))
        s.execute(
            update(Alert)
            .where(Alert.conversation_id == "sans-evenements")
            .values(created_at=utcnow() - timedelta(days=200))
        )


def test_retention_command(
    seeder: Seeder, database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _old_data(seeder, database_url)
    events_before = _count(database_url, events)
    monkeypatch.setenv("RETENTION_DAYS", "90")
    assert main(["retention", "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    assert "2 conversation(s)" in out and "2 alerte(s)" in out and "1 demande(s) de rappel" in out
    assert "1 revue(s)" in out and "1 note(s)" in out
    with session_scope(database_url) as s:
        remaining = set(s.execute(select(events.c.sender_id).distinct()).scalars())
        assert remaining == {"conv-alarme", "conv-reponse", "conv-incompris", "conv-rappel"}
        assert set(s.execute(select(Alert.conversation_id)).scalars()) == {"conv-alarme"}
        assert set(s.execute(select(CallbackRequest.conversation_id)).scalars()) == {"conv-rappel"}
        assert s.get(ConversationReview, "conv-ancienne") is None
        assert [n.conversation_id for n in s.execute(select(ConversationNote)).scalars()] == ["conv-alarme"]
        assert s.execute(select(AuditLog).where(AuditLog.action == "retention")).scalar_one().username == "cli"
    assert _count(database_url, events) < events_before
    # Nothing more to delete; a shorter period takes the rest.
    assert main(["retention", "--days", "90", "--database-url", database_url]) == 0
    assert "0 conversation(s)" in capsys.readouterr().out
    assert main(["retention", "--days", "0", "--database-url", database_url]) == 2


def test_retention_keeps_a_conversation_with_recent_activity(seeder: Seeder, database_url: str) -> None:
    start = time.time() - 120 * DAY
    seeder.conversation("longue", [user("bonjour", "greet"), bot("Bonjour")], start=start)
    seeder.conversation("finie", [user("merci", "thank"), bot("Avec plaisir")], start=start)
    seeder.resume("longue", [user("et le prix ?", "ask_cost"), bot("Pris en charge.")])  # today
    with session_scope(database_url) as s:
        result = purge(s, 90)
    assert result.conversations == 1
    with session_scope(database_url) as s:
        assert set(s.execute(select(events.c.sender_id).distinct()).scalars()) == {"longue"}
        assert (
            s.execute(select(func.count()).select_from(events).where(events.c.sender_id == "longue")).scalar_one() > 6
        )


def test_retention_page(seeder: Seeder, admin: FlaskClient, database_url: str) -> None:
    _old_data(seeder, database_url)
    page = admin.get("/admin/retention").get_data(as_text=True)
    assert "<strong>90</strong>" in page and "<strong>1</strong>" in page
    assert "<strong>0</strong>" in admin.get("/admin/retention?jours=365").get_data(as_text=True)
    token = csrf_token(admin, "/admin/retention")
    response = admin.post("/admin/retention", data={"days": "90", "csrf_token": token}, follow_redirects=True)
    assert "Supprimé : 2 conversation(s)" in response.get_data(as_text=True)
    assert admin.post("/admin/retention", data={"days": "0", "csrf_token": token}).status_code == 200
    with session_scope(database_url) as s:
        assert s.execute(select(AuditLog).where(AuditLog.action == "retention")).scalar_one().username == "admin"


def test_accounts_page(admin: FlaskClient, database_url: str) -> None:
    token = csrf_token(admin, "/admin/users")
    data = {"username": "kine", "password": "mot-de-passe-kine", "role": "clinician", "csrf_token": token}
    response = admin.post("/admin/users", data=data, follow_redirects=True)
    assert "Compte kine créé." in response.get_data(as_text=True)
    assert "existe déjà" in admin.post("/admin/users", data=data, follow_redirects=True).get_data(as_text=True)
    with session_scope(database_url) as s:
        kine = s.execute(select(StaffUser).where(StaffUser.username == "kine")).scalar_one()
        me = s.execute(select(StaffUser).where(StaffUser.username == "admin")).scalar_one()
    admin.post(f"/admin/users/{kine.id}/role", data={"role": "secretariat", "csrf_token": token})
    # The last admin can neither be demoted nor delete themselves.
    page = admin.post(
        f"/admin/users/{me.id}/role", data={"role": "clinician", "csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "au moins un administrateur" in page
    page = admin.post(f"/admin/users/{me.id}/delete", data={"csrf_token": token}, follow_redirects=True)
    assert "votre propre compte" in page.get_data(as_text=True)
    admin.post(f"/admin/users/{kine.id}/delete", data={"csrf_token": token})
    with session_scope(database_url) as s:
        names = {u.username: u.role for u in s.execute(select(StaffUser)).scalars()}
        actions = list(s.execute(select(AuditLog.action)).scalars())
    assert "kine" not in names and names["admin"] == "admin"
    assert {"user_created", "user_role", "user_deleted"} <= set(actions)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_console_command_serves_on_console_port(database_url: str, users: dict[str, str]) -> None:
    import os
    import subprocess
    import sys
    import urllib.error
    import urllib.request
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    port = _free_port()
    env = {**os.environ, "CONSOLE_PORT": str(port), "CONSOLE_SECRET_KEY": "s" * 64}
    env.pop("CONSOLE_INSECURE_COOKIES", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--database-url", database_url],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.time() < deadline, "console did not start"
                time.sleep(0.2)
        assert response.status == 200 and "Se connecter" in response.read().decode()
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("__Host-console=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" in cookie  # even on the loopback: only CONSOLE_INSECURE_COOKIES=1 drops it
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats", timeout=5)
        assert error.value.code == 401
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert f"http://127.0.0.1:{port}/" in output
