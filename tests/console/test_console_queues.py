"""Alerts queue with acknowledgement, the unacknowledged counter, callback requests queue."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select, update

from bot.storage.models import Alert, AuditLog, CallbackRequest, utcnow
from bot.storage.session import session_scope

from .console_helpers import Seeder, csrf_token

COUNTER = re.compile(r'id="alert-count"[^>]*>(\d+)</span>')


def test_alerts_newest_first_and_acknowledged_with_who_and_when(
    seeder: Seeder, clinician: FlaskClient, database_url: str
) -> None:
    old = seeder.alert("conv-a", "B", "message ancien")
    new = seeder.alert("conv-b", "F", "message récent")
    with session_scope(database_url) as s:
        s.execute(update(Alert).where(Alert.id == old).values(created_at=utcnow() - timedelta(hours=2)))
    page = clinician.get("/alerts").get_data(as_text=True)
    assert page.index("message récent") < page.index("message ancien")
    assert COUNTER.search(page).group(1) == "2"
    token = csrf_token(clinician, "/alerts")
    response = clinician.post(f"/alerts/{new}/acknowledge", data={"csrf_token": token})
    assert response.status_code == 302
    page = clinician.get("/alerts").get_data(as_text=True)
    assert "acquittée" in page and "par docteur le" in page
    assert COUNTER.search(page).group(1) == "1"
    with session_scope(database_url) as s:
        alert = s.get(Alert, new)
        assert alert.acknowledged_by == "docteur" and alert.acknowledged_at is not None
        first_time = alert.acknowledged_at
        assert s.execute(select(AuditLog).where(AuditLog.action == "alert_acknowledged")).scalar_one()
    # A second acknowledgement does not overwrite the first one.
    clinician.post(f"/alerts/{new}/acknowledge", data={"csrf_token": token})
    with session_scope(database_url) as s:
        assert s.get(Alert, new).acknowledged_at == first_time
    only_open = clinician.get("/alerts?etat=ouvertes").get_data(as_text=True)
    assert "message ancien" in only_open and "message récent" not in only_open
    assert clinician.post("/alerts/999999/acknowledge", data={"csrf_token": token}).status_code == 404


def test_alert_message_is_masked_in_the_queue(seeder: Seeder, clinician: FlaskClient) -> None:
    seeder.alert("+33612345678", "A", "je saigne, appelez ma fille au 07 11 22 33 44")
    page = clinician.get("/alerts").get_data(as_text=True)
    assert "07 11 22 33 44" not in page and "+33612345678" not in page
    assert "[tél. masqué]" in page


def test_counter_on_every_page_and_api(seeder: Seeder, clinician: FlaskClient, admin: FlaskClient) -> None:
    seeder.sample()
    seeder.alert("conv-reponse", "D", "x", acknowledged_by="quelqu'un")
    for path in ("/", "/conversations", "/conversation?id=conv-alarme", "/callbacks", "/alerts"):
        match = COUNTER.search(clinician.get(path).get_data(as_text=True))
        assert match and match.group(1) == "1", path
    assert COUNTER.search(admin.get("/admin/users").get_data(as_text=True)).group(1) == "1"
    assert clinician.get("/api/alerts/unacknowledged").get_json() == {"count": 1}


def test_acknowledge_from_the_conversation_page(seeder: Seeder, clinician: FlaskClient, database_url: str) -> None:
    seeder.sample()
    with session_scope(database_url) as s:
        alert_id = s.execute(select(Alert.id)).scalar_one()
    token = csrf_token(clinician, "/conversation?id=conv-alarme")
    response = clinician.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token, "back": "conversation"})
    assert response.headers["Location"] == "/conversation?id=conv-alarme"
    assert "acquittée par docteur" in clinician.get("/conversation?id=conv-alarme").get_data(as_text=True)


def test_callback_queue(seeder: Seeder, secretariat: FlaskClient, database_url: str) -> None:
    seeder.sample()
    other = seeder.callback("conv-reponse", name="Marie Martin", phone="+33 7 00 00 00 01", reason="écrire à m@x.fr")
    page = secretariat.get("/callbacks").get_data(as_text=True)
    assert "Marie Martin" in page and "Jean Dupont" in page
    assert "+33 7 00 00 00 01" in page  # the number to call is the point of the queue
    assert "m@x.fr" not in page and "06 98 76 54 32" not in page  # free text is masked
    token = csrf_token(secretariat, "/callbacks")
    assert secretariat.post(f"/callbacks/{other}/handled", data={"csrf_token": token}).status_code == 302
    page = secretariat.get("/callbacks").get_data(as_text=True)
    assert "Marie Martin" not in page and "Jean Dupont" in page
    page = secretariat.get("/callbacks?etat=toutes").get_data(as_text=True)
    assert "traité par secretaire" in page
    with session_scope(database_url) as s:
        request = s.get(CallbackRequest, other)
        assert request.status == "traité" and request.handled_by == "secretaire" and request.handled_at
