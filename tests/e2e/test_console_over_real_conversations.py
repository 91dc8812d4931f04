"""The staff console over the database filled by real conversations through the REST channel."""

from __future__ import annotations

import re
import uuid

import pytest

from bot.console.app import create_app
from bot.console.users import create_user
from bot.storage import session_scope

pytestmark = pytest.mark.e2e
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_console_shows_what_patients_said_and_the_alerts(rasa_server) -> None:
    red, callback, question = (f"rest-console-{uuid.uuid4().hex[:8]}" for _ in range(3))
    rasa_server.say(red, "bonjour, mon père ne sent plus ses jambes depuis ce matin")
    rasa_server.say(question, "faut il venir a jeun ?")
    for message in ["rappelez moi svp", "Jean Test", "06 11 22 33 44", "le matin", "une question", "/affirm"]:
        rasa_server.say(callback, message)

    app = create_app(database_url=rasa_server.database_url, testing=True)
    with session_scope(rasa_server.database_url) as s:
        create_user(s, f"clin-{red}", "mot-de-passe-long-1", "clinician")
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": f"clin-{red}", "password": "mot-de-passe-long-1", "csrf_token": token})

    page = client.get("/conversation", query_string={"id": red})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ne sent plus ses jambes" in html and "red_flag_a" in html
    assert "ne sent plus ses jambes" in client.get("/alerts").get_data(as_text=True)
    assert "Jean Test" in client.get("/callbacks").get_data(as_text=True)
    stats = client.get("/api/stats").get_json()
    assert stats["red_flag_conversations"] >= 1 and stats["alerts_by_group"].get("A", 0) >= 1
    assert stats["callback_requests"] >= 1 and stats["outcomes"]["callback"] >= 1
    assert stats["outcomes"]["answered"] >= 1
    assert client.get("/conversation", query_string={"id": question}).status_code == 200
