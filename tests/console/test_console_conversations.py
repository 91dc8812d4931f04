"""Conversation list (filters, search, pagination), conversation page, review, tags, notes, audit."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from flask.testing import FlaskClient
from sqlalchemy import select

from bot.console.app import create_app
from bot.console.timeutil import today
from bot.storage.models import AuditLog, ConversationNote, ConversationReview, StaffUser
from bot.storage.session import session_scope

from .console_helpers import DAY, PASSWORD, Seeder, bot, csrf_token, login, user

LINK = re.compile(r'class="conv-link">([^<]+)</a>')


def listed(client: FlaskClient, **query: str) -> list[str]:
    response = client.get("/conversations", query_string=query)
    assert response.status_code == 200
    return LINK.findall(response.get_data(as_text=True))


def test_list_newest_first_with_flags(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.sample()
    assert listed(clinician) == ["conv-alarme", "conv-reponse", "conv-incompris", "conv-rappel", "conv-ancienne"]
    page = clinician.get("/conversations").get_data(as_text=True)
    assert "5 conversation(s)" in page
    assert "rappelez ma fille au [tél. masqué] ou [e-mail masqué]" in page  # first message, masked
    assert "06 12 34 56 78" not in page and "marie@exemple.fr" not in page


def test_filters(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.sample()
    assert listed(clinician, red_flag="1") == ["conv-alarme"]
    assert listed(clinician, fallback="1") == ["conv-incompris"]
    assert listed(clinician, asked_person="1") == ["conv-rappel"]
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert "conv-ancienne" not in listed(clinician, date_from=yesterday)
    old = (today() - timedelta(days=50)).isoformat()
    assert listed(clinician, date_to=old) == ["conv-ancienne"]
    # The recent samples started a few hours ago: two days back, whatever the hour (local midnight included).
    assert listed(clinician, date_from=old, date_to=(today() - timedelta(days=2)).isoformat()) == []
    assert listed(clinician, red_flag="1", fallback="1") == []


def test_red_flag_filter_also_finds_alerts_without_red_flag_intent(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.conversation("conv-detecteur", [user("j'ai très mal et je ne sens plus rien", "ask_pain_after"), bot("…")])
    seeder.alert("conv-detecteur", "A")
    seeder.conversation("conv-calme", [user("merci", "thank"), bot("Avec plaisir")])
    assert listed(clinician, red_flag="1") == ["conv-detecteur"]


def test_invalid_date_is_ignored_with_a_warning(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.sample()
    response = clinician.get("/conversations", query_string={"date_from": "2024-13-45"})
    assert response.status_code == 200
    assert "Date ignorée" in response.get_data(as_text=True)
    assert len(LINK.findall(response.get_data(as_text=True))) == 5


def test_text_search(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.sample()
    assert listed(clinician, q="jambe") == ["conv-alarme"]
    assert listed(clinician, q="JAMBE GAUCHE") == ["conv-alarme"]
    assert listed(clinician, q="à jeun") == ["conv-ancienne"]  # accents as typed (JSON stores \u00e0)
    assert listed(clinician, q="l'intervention") == ["conv-reponse"]
    assert listed(clinician, q="Appelez le 15") == ["conv-alarme"]  # the assistant's messages too
    assert listed(clinician, q="parse_data") == []  # JSON keys are not text
    assert listed(clinician, q="100%") == []
    assert listed(clinician, q="jambe", fallback="1") == []


def test_not_reviewed_filter_and_review(seeder: Seeder, clinician: FlaskClient, database_url: str) -> None:
    seeder.sample()
    token = csrf_token(clinician, "/conversation?id=conv-reponse")
    response = clinician.post(
        "/conversation/review", data={"id": "conv-reponse", "reviewed": "1", "csrf_token": token}
    )
    assert response.status_code == 302
    assert "conv-reponse" not in listed(clinician, not_reviewed="1")
    assert len(listed(clinician, not_reviewed="1")) == 4
    page = clinician.get("/conversation?id=conv-reponse").get_data(as_text=True)
    assert "Revue par docteur" in page
    with session_scope(database_url) as s:
        review = s.get(ConversationReview, "conv-reponse")
        assert review.reviewed and review.reviewed_by == "docteur" and review.reviewed_at is not None
    clinician.post("/conversation/review", data={"id": "conv-reponse", "reviewed": "0", "csrf_token": token})
    assert "conv-reponse" in listed(clinician, not_reviewed="1")


def test_pagination(seeder: Seeder, clinician: FlaskClient) -> None:
    start = time.time() - DAY
    for i in range(30):
        seeder.conversation(f"conv-{i:02d}", [user(f"question {i}", "ask_cost"), bot("réponse")], start=start + i * 60)
    first = listed(clinician)
    second = listed(clinician, page="2")
    assert len(first) == 25 and len(second) == 5
    assert first[0] == "conv-29" and second[-1] == "conv-00"
    assert not set(first) & set(second)
    assert listed(clinician, page="999") == second  # clamped to the last page
    assert listed(clinician, page="abc") == first
    page = clinician.get("/conversations", query_string={"page": "1", "q": "question"}).get_data(as_text=True)
    assert "Page 1 / 2" in page and "q=question" in page and "page=2" in page


def test_conversation_page(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.sample()
    page = clinician.get("/conversation?id=conv-alarme").get_data(as_text=True)
    assert "depuis hier je ne sens plus ma jambe gauche" in page
    assert "Appelez le 15 immédiatement." in page
    assert ">Alerte A : jambes, vessie</strong>" in page and "(99 %)" in page
    assert ">Salutation</strong>" in page and "(95 %)" in page
    assert "msg-user msg-red" in page and "signal d'alarme" in page
    assert "red_flag = A" in page  # entity
    assert "Alerte A : jambes, vessie — mots" in page  # the stored alert
    page = clinician.get("/conversation?id=conv-rappel").get_data(as_text=True)
    assert "Formulaire « callback_form » commencé" in page and "Formulaire terminé" in page
    assert "Oui" in page and "button-like" in page
    assert "0612345678" in page  # the callback request (the page itself is audited)
    assert clinician.get("/conversation?id=inconnue").status_code == 404
    assert clinician.get("/conversation").status_code == 404


def test_tags_and_notes(seeder: Seeder, clinician: FlaskClient, database_url: str) -> None:
    seeder.sample()
    token = csrf_token(clinician, "/conversation?id=conv-incompris")
    clinician.post(
        "/conversation/tags", data={"id": "conv-incompris", "tags": "à revoir, nlu, à revoir", "csrf_token": token}
    )
    clinician.post(
        "/conversation/notes", data={"id": "conv-incompris", "text": "Ajouter cet exemple", "csrf_token": token}
    )
    page = clinician.get("/conversation?id=conv-incompris").get_data(as_text=True)
    assert 'value="à revoir, nlu"' in page
    assert "Ajouter cet exemple" in page and "docteur" in page
    assert "à revoir, nlu" in clinician.get("/conversations").get_data(as_text=True)
    with session_scope(database_url) as s:
        note = s.execute(select(ConversationNote)).scalar_one()
        assert note.author == "docteur" and note.conversation_id == "conv-incompris"
    # An empty note is refused.
    response = clinician.post("/conversation/notes", data={"id": "conv-incompris", "text": "", "csrf_token": token})
    assert response.status_code == 302
    with session_scope(database_url) as s:
        assert len(list(s.execute(select(ConversationNote)).scalars())) == 1


def test_views_are_audited(seeder: Seeder, clinician: FlaskClient, database_url: str) -> None:
    seeder.sample()
    clinician.get("/conversations", query_string={"red_flag": "1", "q": "jambe"})
    clinician.get("/conversation?id=conv-alarme")
    clinician.get("/alerts")
    clinician.get("/callbacks")
    with session_scope(database_url) as s:
        rows = [(r.username, r.action, r.target) for r in s.execute(select(AuditLog).order_by(AuditLog.id)).scalars()]
    assert ("docteur", "conversation_view", "conv-alarme") in rows
    assert ("docteur", "conversations_list", "page=1 red_flag=True q=jambe") in rows
    assert {"alerts_list", "callbacks_list", "login"} <= {action for _u, action, _t in rows}


def test_empty_database_without_events_table(tmp_path: Path) -> None:
    """Before Rasa has written anything the `events` table does not exist: pages still answer."""
    url = f"sqlite:///{tmp_path / 'vide.db'}"
    app = create_app(url, testing=True)
    with session_scope(url) as s:
        s.add(StaffUser(username="admin", password_hash=PasswordHasher().hash(PASSWORD), role="admin", failed_logins=0))
    c = app.test_client()
    assert login(c, "admin").status_code == 302
    pages = ["/", "/conversations", "/alerts", "/callbacks", "/export/conversations.csv", "/export/incompris.yml"]
    for path in [*pages, "/api/stats", "/admin/retention"]:
        assert c.get(path).status_code == 200, path
    assert c.get("/conversation?id=x").status_code == 404
