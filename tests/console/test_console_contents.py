"""Contenus: clinicians approve each answer's text or ask for a change; a changed text needs a new approval."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bot.content.items import PRACTICAL_PREFIX, all_answers, content_version
from bot.content.signoff import TO_REVALIDATE, TO_VALIDATE, VALID
from bot.core.practical import PRACTICAL_FILE
from bot.settings import DOMAIN_FILE
from bot.storage.models import AuditLog, ContentDecision
from bot.storage.session import session_scope

from .console_helpers import XSS, csrf_token

URL_CHANGE = "/contenus/modification"


@pytest.fixture
def files(app: Flask, tmp_path: Path) -> dict[str, Path]:
    """Copies of the domain and of the practical file that a test may edit, read by the console."""
    domain, practical = tmp_path / "domain.yml", tmp_path / "practical.yml"
    shutil.copy(DOMAIN_FILE, domain)
    shutil.copy(PRACTICAL_FILE, practical)
    app.config.update(CONTENT_DOMAIN_FILE=str(domain), CONTENT_PRACTICAL_FILE=str(practical))
    return {"domain": domain, "practical": practical}


def answers(files: dict[str, Path]):
    return all_answers(files["domain"], files["practical"])


def a_response(files: dict[str, Path]):
    """A medical answer of the domain (the first with a source on the centre's page)."""
    return next(a for a in answers(files) if a.id.startswith("utter_") and "page" in a.source)


def edit_text(files: dict[str, Path], answer) -> None:
    """Add a sentence to the answer's first text in the domain file."""
    domain = yaml.safe_load(files["domain"].read_text(encoding="utf-8"))
    domain["responses"][answer.id][0]["text"] += " Texte modifié."
    files["domain"].write_text(yaml.safe_dump(domain, allow_unicode=True, sort_keys=False), encoding="utf-8")


def statuses(client: FlaskClient, url: str = "/contenus") -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200
    found = re.findall(r'data-answer="([^"]+)" data-status="([^"]+)"', page.get_data(as_text=True))
    return {html.unescape(a): html.unescape(s) for a, s in found}


def awaiting_on_dashboard(client: FlaskClient) -> str:
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'id="content-awaiting"><strong>([^<]+)</strong>', page)
    assert match, "no awaiting figure on the dashboard"
    return match.group(1)


def post(client: FlaskClient, url: str, **data: str):
    return client.post(url, data={"csrf_token": csrf_token(client, "/contenus"), **data})


def decisions(url: str) -> list[ContentDecision]:
    with session_scope(url) as s:
        return list(s.execute(select(ContentDecision).order_by(ContentDecision.id)).scalars())


def audit_rows(url: str, action: str) -> list[str]:
    with session_scope(url) as s:
        return list(s.execute(select(AuditLog.target).where(AuditLog.action == action)).scalars())


def test_every_answer_is_listed_with_its_source_and_awaits_validation(
    files: dict[str, Path], clinician: FlaskClient
) -> None:
    listed = statuses(clinician)
    expected = answers(files)
    assert list(listed) == [a.id for a in expected]
    assert any(a.startswith(PRACTICAL_PREFIX) for a in listed)
    assert set(listed.values()) == {TO_VALIDATE}
    page = html.unescape(clinician.get("/contenus").get_data(as_text=True))
    assert a_response(files).source in page
    assert f'id="content-version">{content_version(expected)}<' in page  # as on the document to sign
    assert awaiting_on_dashboard(clinician) == str(len(expected))


def test_approve_then_change_the_text_shows_a_revalidation(
    files: dict[str, Path], clinician: FlaskClient, database_url: str
) -> None:
    answer = a_response(files)
    total = len(answers(files))
    response = post(clinician, "/contenus/approuver", answer_id=answer.id, version=answer.version)
    assert response.status_code == 302
    assert statuses(clinician)[answer.id] == VALID
    page = clinician.get("/contenus").get_data(as_text=True)
    assert "validé par docteur le" in page
    assert awaiting_on_dashboard(clinician) == str(total - 1)
    [row] = decisions(database_url)
    assert (row.answer_id, row.version, row.decision) == (answer.id, answer.version, "approuvé")
    assert row.decided_by == "docteur"
    assert row.text == answer.text
    assert audit_rows(database_url, "content_approved") == [f"{answer.id} version {answer.short_version}"]

    # Approving twice the same text records nothing more.
    post(clinician, "/contenus/approuver", answer_id=answer.id, version=answer.version)
    assert len(decisions(database_url)) == 1

    # The text changes in the domain: the approval no longer counts.
    edit_text(files, answer)
    assert a_response(files).version != answer.version
    assert statuses(clinician)[answer.id] == TO_REVALIDATE
    assert "à revalider" in clinician.get("/contenus?etat=a-valider").get_data(as_text=True)
    assert awaiting_on_dashboard(clinician) == str(total)

    # An approval of the text as it was before is refused: the clinician must read the new one.
    response = post(clinician, "/contenus/approuver", answer_id=answer.id, version=answer.version)
    assert response.status_code == 302
    assert "a changé" in clinician.get("/contenus").get_data(as_text=True)
    assert len(decisions(database_url)) == 1
    post(clinician, "/contenus/approuver", answer_id=answer.id, version=a_response(files).version)
    assert statuses(clinician)[answer.id] == VALID


def test_a_changed_practical_file_needs_a_new_validation(
    files: dict[str, Path], clinician: FlaskClient
) -> None:
    practical = next(a for a in answers(files) if a.id == PRACTICAL_PREFIX + "ask_contact")
    post(clinician, "/contenus/approuver", answer_id=practical.id, version=practical.version)
    assert statuses(clinician)[practical.id] == VALID
    text = files["practical"].read_text(encoding="utf-8")
    # The secretariat fills in the landmark that the address answer reads out.
    edited = text.replace("repere: ~", 'repere: "face à la mairie"')
    assert edited != text
    files["practical"].write_text(edited, encoding="utf-8")
    assert statuses(clinician)[practical.id] == TO_REVALIDATE


def test_ask_for_a_change_with_a_comment(files: dict[str, Path], clinician: FlaskClient, database_url: str) -> None:
    answer = a_response(files)
    for comment in ("", "   ", "x" * 2001):
        response = post(clinician, URL_CHANGE, answer_id=answer.id, version=answer.version, comment=comment)
        assert response.status_code == 302
    assert decisions(database_url) == []
    comment = f"Dire « hématome » autrement {XSS}"
    post(clinician, "/contenus/modification", answer_id=answer.id, version=answer.version, comment=comment)
    assert statuses(clinician)[answer.id] == "modification demandée"
    page = clinician.get("/contenus").get_data(as_text=True)
    assert "<script>alert(" not in page and "&lt;script&gt;alert(" in page
    assert "modification demandée par docteur" in page
    [row] = decisions(database_url)
    assert (row.decision, row.comment) == ("modification", comment)
    [target] = audit_rows(database_url, "content_change_requested")
    assert target.startswith(f"{answer.id} version {answer.short_version} : Dire")
    assert awaiting_on_dashboard(clinician) == str(len(answers(files)))


def test_bad_requests_are_refused_cleanly(files: dict[str, Path], clinician: FlaskClient, database_url: str) -> None:
    answer = a_response(files)
    assert post(clinician, "/contenus/approuver", answer_id="utter_inconnu", version=answer.version).status_code == 404
    for version in ("", "abc", "' OR '1'='1", "x" * 65):
        assert post(clinician, "/contenus/approuver", answer_id=answer.id, version=version).status_code == 400
    assert post(clinician, "/contenus/approuver", version=answer.version).status_code == 400
    assert post(clinician, "/contenus/approuver", answer_id="x" * 201, version=answer.version).status_code == 400
    assert decisions(database_url) == []


def test_unreadable_answers_file_is_reported_not_a_crash(files: dict[str, Path], clinician: FlaskClient) -> None:
    files["domain"].write_text("responses: [\n  - pas du yaml valide: {", encoding="utf-8")
    page = clinician.get("/contenus")
    assert page.status_code == 200
    assert "illisibles" in page.get_data(as_text=True)
    assert awaiting_on_dashboard(clinician) == "—"
    files["domain"].unlink()
    assert clinician.get("/contenus").status_code == 200


def test_roles(files: dict[str, Path], secretariat: FlaskClient, admin: FlaskClient, clinician: FlaskClient,
               database_url: str) -> None:
    answer = a_response(files)
    assert secretariat.get("/contenus").status_code == 403
    token = csrf_token(secretariat, "/")
    data = {"csrf_token": token, "answer_id": answer.id, "version": answer.version, "comment": "non"}
    assert secretariat.post("/contenus/approuver", data=data).status_code == 403
    assert secretariat.post("/contenus/modification", data=data).status_code == 403
    assert secretariat.get("/contenus/validations.csv").status_code == 403
    assert clinician.get("/contenus/validations.csv").status_code == 403
    assert decisions(database_url) == []
    assert 'href="/contenus"' not in secretariat.get("/").get_data(as_text=True)
    assert 'href="/contenus"' in clinician.get("/").get_data(as_text=True)
    assert "Exporter le registre" not in clinician.get("/contenus").get_data(as_text=True)
    post(admin, "/contenus/approuver", answer_id=answer.id, version=answer.version)  # an admin may approve too
    assert statuses(admin)[answer.id] == VALID
    assert "Exporter le registre" in admin.get("/contenus").get_data(as_text=True)


def test_posts_need_their_csrf_token(files: dict[str, Path], clinician: FlaskClient, database_url: str) -> None:
    answer = a_response(files)
    for data in ({}, {"csrf_token": "faux-jeton"}):
        for url in ("/contenus/approuver", "/contenus/modification"):
            form = {**data, "answer_id": answer.id, "version": answer.version, "comment": "x"}
            response = clinician.post(url, data=form)
            assert response.status_code == 403
            assert "jeton CSRF" in response.get_data(as_text=True)
    assert decisions(database_url) == []


def csv_rows(body: bytes) -> list[dict[str, str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_admin_exports_the_sign_off_record(
    files: dict[str, Path], clinician: FlaskClient, admin: FlaskClient, database_url: str
) -> None:
    answer, other = [a for a in answers(files) if a.id.startswith("utter_") and "page" in a.source][:2]
    post(clinician, "/contenus/approuver", answer_id=answer.id, version=answer.version)
    post(clinician, "/contenus/modification", answer_id=other.id, version=other.version, comment='=HYPERLINK("http://x")')
    edit_text(files, answer)

    response = admin.get("/contenus/validations.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="validations-contenus-')
    rows = csv_rows(response.data)
    assert len(rows) == len(answers(files))  # one row per decision, then one per answer never reviewed
    change, approval = rows[0], rows[1]  # newest first
    assert (change["reponse"], change["decision"], change["par"]) == (other.id, "modification", "docteur")
    assert change["commentaire"] == "'=HYPERLINK(\"http://x\")"  # no formula in a spreadsheet
    assert (change["texte_actuel_identique"], change["statut_actuel"]) == ("oui", "modification demandée")
    assert (approval["reponse"], approval["decision"]) == (answer.id, "approuvé")
    assert approval["version"] == answer.short_version
    assert (approval["texte_actuel_identique"], approval["statut_actuel"]) == ("non", TO_REVALIDATE)
    assert approval["texte_relu"] == " ".join(answer.text.split())
    assert {r["statut_actuel"] for r in rows[2:]} == {TO_VALIDATE}
    assert audit_rows(database_url, "export_contents_csv") == [f"2 décision(s), {len(rows)} réponse(s)"]
    with session_scope(database_url) as s:
        assert s.execute(select(func.count(AuditLog.id)).where(AuditLog.action == "contents_list")).scalar_one() >= 1
