"""Who may open what: one row per console route, checked for every role (issue 14, hole 4).

Transcripts, exports and alerts are medical data: clinicians and admins only. The secretariat works
from the callback queue, which shows what a callback needs (name, number, time slot, the reason with
other numbers and e-mails masked) and no way into the transcript. A new route must be added here, or
the first test fails.
"""

from __future__ import annotations

from typing import Iterator

from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from bot.console.auth import PUBLIC_ENDPOINTS

from .console_helpers import Seeder, csrf_token

S, C, A = "secretariat", "clinician", "admin"
ACCESS: dict[str, set[str]] = {
    "dashboard.index": {S, C, A},  # figures only, no conversation
    "api.stats": {S, C, A},
    "callbacks.index": {S, C, A},
    "callbacks.handled": {S, C, A},
    "conversations.index": {C, A},
    "conversations.show": {C, A},
    "conversations.review": {C, A},
    "conversations.tags": {C, A},
    "conversations.add_note": {C, A},
    "exports.conversations": {C, A},
    "exports.not_understood": {C, A},
    "alerts.index": {C, A},
    "alerts.acknowledge": {C, A},
    "api.unacknowledged": {C, A},
    "admin.users": {A},
    "admin.create": {A},
    "admin.change_role": {A},
    "admin.change_password": {A},
    "admin.delete": {A},
    "admin.audit_log": {A},
    "admin.retention": {A},
    "contents.index": {C, A},
    "contents.approve": {C, A},
    "contents.request_change": {C, A},
    "contents.export": {A},
    # patients' comments (masked) and messages: as the transcripts they come from
    "satisfaction.index": {C, A},
    "satisfaction.api": {C, A},
    "review.index": {C, A},
    "review.label": {C, A},
    "review.flag": {C, A},
    "learning.index": {C, A},
}
SESSION_ONLY = {"auth.logout"}  # any logged-in role (tests/console/test_console_sessions.py)
MISSING_ID = 999_999  # allowed POSTs aim at nothing: no side effect on the other rows of the table


def routes(app: Flask) -> Iterator[tuple[str, str, str]]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint in SESSION_ONLY:
            continue
        args = {
            name: MISSING_ID if isinstance(rule._converters[name], IntegerConverter) else "x" for name in rule.arguments
        }
        if rule.endpoint == "conversations.show":
            args["id"] = "conv-alarme"  # a real transcript: the allowed roles get it, the others a 403
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield method, url, rule.endpoint


def test_every_route_is_in_the_table(app: Flask) -> None:
    assert {endpoint for _m, _u, endpoint in routes(app)} == set(ACCESS)


def test_each_role_on_each_route(
    app: Flask, seeder: Seeder, secretariat: FlaskClient, clinician: FlaskClient, admin: FlaskClient
) -> None:
    seeder.sample()
    clients = {S: secretariat, C: clinician, A: admin}
    tokens = {role: csrf_token(c, "/") for role, c in clients.items()}
    outcomes: dict[tuple[str, str, str], int] = {}
    for method, url, endpoint in routes(app):
        for role, client in clients.items():
            data = {"csrf_token": tokens[role]} if method == "POST" else None
            outcomes[(role, method, url)] = status = client.open(url, method=method, data=data).status_code
            if role in ACCESS[endpoint]:
                assert status not in (401, 403) and status < 500, (role, method, url, status)
            else:
                assert status == 403, (role, method, url, status)
    assert len(outcomes) == 3 * sum(1 for _ in routes(app))
    for client in clients.values():  # nobody was logged out on the way
        assert client.get("/").status_code == 200


def test_secretariat_cannot_open_a_transcript_nor_export_it(seeder: Seeder, secretariat: FlaskClient) -> None:
    seeder.sample()
    for url in (
        "/conversation?id=conv-alarme",
        "/conversation?id=conv-rappel",
        "/conversations?q=jambe",
        "/export/conversations.csv",
        "/export/incompris.yml",
        "/alerts",
    ):
        response = secretariat.get(url)
        assert response.status_code == 403, url
        assert "jambe" not in response.get_data(as_text=True)
    assert secretariat.get("/api/alerts/unacknowledged").status_code == 403


def test_secretariat_sees_what_a_callback_needs_masked(seeder: Seeder, secretariat: FlaskClient) -> None:
    seeder.sample()  # callback of conv-rappel: Jean Dupont, 0612345678, reason with another number in it
    page = secretariat.get("/callbacks").get_data(as_text=True)
    assert "Jean Dupont" in page and "0612345678" in page and "matin" in page  # what the call needs
    assert "Appelez-moi au [tél. masqué] svp" in page and "06 98 76 54 32" not in page
    assert "/conversation?id=" not in page and "conv-rappel" not in page  # no way into the transcript


def test_clinician_reaches_the_transcript_from_the_callback(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.sample()
    page = clinician.get("/callbacks").get_data(as_text=True)
    assert "/conversation?id=conv-rappel" in page
    assert clinician.get("/conversation?id=conv-rappel").status_code == 200
