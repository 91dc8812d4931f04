"""Security: login everywhere, roles, CSRF, XSS shown as text, SQL injection harmless."""

from __future__ import annotations

from typing import Iterator

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from bot.console.auth import PUBLIC_ENDPOINTS
from bot.console.users import ROLES, has_role
from bot.storage.events import events
from bot.storage.models import Alert, ConversationNote, ConversationReview
from bot.storage.session import session_scope

from .console_helpers import XSS, Seeder, bot, csrf_token, login, user

SESSION_ONLY = {"auth.logout"}  # needs a session but no particular role


def routes(app: Flask) -> Iterator[tuple[str, str, str]]:
    """(method, url, endpoint) of every route of the console, with sample arguments."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        args = {name: 1 if isinstance(rule._converters[name], IntegerConverter) else "x" for name in rule.arguments}
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, url, rule.endpoint


def test_the_route_list_is_complete(app: Flask) -> None:
    endpoints = {endpoint for _m, _u, endpoint in routes(app)}
    assert {"conversations.index", "alerts.acknowledge", "exports.conversations", "api.stats"} <= endpoints
    assert len(endpoints) >= 20


def test_every_route_needs_a_login(app: Flask, client: FlaskClient) -> None:
    for method, url, endpoint in routes(app):
        response = client.open(url, method=method)
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url)
            assert response.get_json() == {"error": "authentification requise"}
        else:
            assert response.status_code == 302, (method, url, endpoint)
            assert response.headers["Location"].startswith("/login"), (method, url)
    for url in ("/nimporte-quoi", "/api/nimporte-quoi", "/conversation?id=conv-alarme"):
        assert client.get(url).status_code in (302, 401)


def test_every_route_declares_its_role(app: Flask) -> None:
    for _method, _url, endpoint in routes(app):
        if endpoint in SESSION_ONLY:
            continue
        assert getattr(app.view_functions[endpoint], "min_role", None) in ROLES, endpoint


def test_wrong_role_gets_403(app: Flask, secretariat: FlaskClient, clinician: FlaskClient, admin: FlaskClient) -> None:
    clients = {"secretariat": secretariat, "clinician": clinician, "admin": admin}
    tokens = {role: csrf_token(c, "/") for role, c in clients.items()}
    checked = 0
    for method, url, endpoint in routes(app):
        needed = getattr(app.view_functions[endpoint], "min_role", None)
        if needed is None:
            continue
        for role, c in clients.items():
            if has_role(role, needed):
                continue
            data = {"csrf_token": tokens[role]} if method == "POST" else None
            response = c.open(url, method=method, data=data)
            assert response.status_code == 403, (role, method, url)
            checked += 1
    assert checked >= 15
    assert "Accès refusé" in secretariat.get("/alerts").get_data(as_text=True)
    assert secretariat.get("/api/alerts/unacknowledged").get_json()["error"]


def test_role_visibility_in_pages(seeder: Seeder, secretariat: FlaskClient, clinician: FlaskClient) -> None:
    seeder.sample()
    page = secretariat.get("/").get_data(as_text=True)
    assert 'href="/conversations"' not in page and 'id="alert-count"' not in page
    assert 'href="/callbacks"' in page
    page = clinician.get("/conversation?id=conv-alarme").get_data(as_text=True)
    assert "Ajouter la note" in page and "Acquitter" in page and 'id="alert-count"' in page


def test_post_without_csrf_token_is_refused(seeder: Seeder, clinician: FlaskClient, database_url: str) -> None:
    seeder.sample()
    with session_scope(database_url) as s:
        alert_id = s.execute(select(Alert.id)).scalar_one()
    for data in ({}, {"csrf_token": "faux-jeton"}):
        response = clinician.post(f"/alerts/{alert_id}/acknowledge", data=data)
        assert response.status_code == 403
        assert "jeton CSRF" in response.get_data(as_text=True)
        assert clinician.post("/conversation/notes", data={"id": "conv-alarme", "text": "x", **data}).status_code == 403
        assert clinician.post("/logout", data=data).status_code == 403
    with session_scope(database_url) as s:
        assert s.get(Alert, alert_id).acknowledged_at is None
        assert s.execute(select(func.count(ConversationNote.id))).scalar_one() == 0
    assert clinician.get("/").status_code == 200  # still logged in


def test_login_form_needs_its_csrf_token(client: FlaskClient, users: dict[str, str]) -> None:
    response = client.post("/login", data={"username": "docteur", "password": "x" * 20})
    assert response.status_code == 403


def test_csrf_token_of_another_session_is_refused(app: Flask, seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.sample()
    other = app.test_client()
    login(other, "admin")
    foreign = csrf_token(other, "/")
    response = clinician.post("/conversation/review", data={"id": "conv-alarme", "csrf_token": foreign})
    assert response.status_code == 403


def _assert_escaped(page: str) -> None:
    assert "<script>alert(" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(" in page


def test_xss_in_patient_messages_is_shown_as_text(seeder: Seeder, clinician: FlaskClient, database_url: str) -> None:
    seeder.conversation("conv-xss", [user(XSS, "nlu_fallback", 0.2), bot("Je n'ai pas compris.")])
    seeder.alert("conv-xss", "A", XSS)
    seeder.callback("conv-xss", name=XSS, reason=XSS)
    token = csrf_token(clinician, "/")
    clinician.post("/conversation/tags", data={"id": "conv-xss", "tags": XSS, "csrf_token": token})
    clinician.post("/conversation/notes", data={"id": "conv-xss", "text": XSS, "csrf_token": token})
    for url in ("/conversations", "/conversations?q=script", "/conversation?id=conv-xss", "/alerts", "/callbacks"):
        page = clinician.get(url).get_data(as_text=True)
        _assert_escaped(page)
    detail = clinician.get("/conversation?id=conv-xss").get_data(as_text=True)
    assert detail.count("&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;") >= 3  # message, tags, note


def test_xss_in_conversation_id_is_escaped(seeder: Seeder, clinician: FlaskClient) -> None:
    cid = '"><script>alert(1)</script>'
    seeder.conversation(cid, [user("bonjour", "greet"), bot("Bonjour")])
    page = clinician.get("/conversations").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    page = clinician.get("/conversation", query_string={"id": cid}).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE events; --",
    "%' UNION SELECT sender_id, data FROM events --",
    '") OR 1=1 --',
    "\\' OR 1=1 /*",
    "conv-%",
    "_",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_injection_in_filters_is_harmless(
    payload: str, seeder: Seeder, clinician: FlaskClient, database_url: str
) -> None:
    seeder.sample()
    with session_scope(database_url) as s:
        before = s.execute(select(func.count()).select_from(events)).scalar_one()
    query = {
        "q": payload,
        "date_from": payload,
        "date_to": "2026-01-01' OR '1'='1",
        "red_flag": payload,
        "page": payload,
    }
    response = clinician.get("/conversations", query_string=query)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Aucune conversation ne correspond" in page  # the payload is searched as text: nothing matches
    assert clinician.get("/export/conversations.csv", query_string=query).status_code == 200
    assert clinician.get("/api/stats", query_string={"jours": payload}).status_code == 200
    with session_scope(database_url) as s:
        assert s.execute(select(func.count()).select_from(events)).scalar_one() == before
        assert s.execute(select(func.count()).select_from(ConversationReview)).scalar_one() == 0


def test_injection_in_conversation_id_is_harmless(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.sample()
    assert clinician.get("/conversation", query_string={"id": "x' OR '1'='1"}).status_code == 404
    assert clinician.get("/alerts/1%20OR%201=1/acknowledge").status_code in (403, 404, 405)
