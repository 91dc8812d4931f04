"""Exports: conversations CSV (masked) and not-understood messages as Rasa NLU YAML."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from sqlalchemy import select

from bot.console.export_formats import CSV_HEADER, fallback_nlu_yaml
from bot.storage.models import AuditLog
from bot.storage.session import session_scope

from .console_helpers import XSS, Seeder, bot, user


def rows(body: bytes) -> list[dict[str, str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_export(seeder: Seeder, clinician: FlaskClient, database_url: str) -> None:
    seeder.sample()
    seeder.conversation("+33612345678", [user('=HYPERLINK("http://x")', "nlu_fallback", 0.1), bot("?")])
    response = clinician.get("/export/conversations.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="conversations-')
    data = rows(response.data)
    assert list(data[0].keys()) == list(CSV_HEADER)
    by_id = {r["conversation"]: r for r in data}
    assert len(data) == 6
    assert "[tél. masqué]" in by_id  # a conversation id that is a phone number (voice channel) is masked
    assert by_id["[tél. masqué]"]["premier_message"].startswith("'=HYPERLINK")  # no formula in a spreadsheet
    assert by_id["conv-incompris"]["premier_message"] == "rappelez ma fille au [tél. masqué] ou [e-mail masqué]"
    assert by_id["conv-alarme"]["signal_alarme"] == "oui" and by_id["conv-alarme"]["issue"] == "répondu"
    assert by_id["conv-rappel"]["demande_rappel"] == "oui" and by_id["conv-rappel"]["issue"] == "rappel"
    assert by_id["conv-incompris"]["issue"] == "abandonné"
    body = response.data.decode()
    assert "06 12 34 56 78" not in body and "marie@exemple.fr" not in body and "+33612345678" not in body
    filtered = rows(clinician.get("/export/conversations.csv?red_flag=1").data)
    assert [r["conversation"] for r in filtered] == ["conv-alarme"]
    with session_scope(database_url) as s:
        targets = list(s.execute(select(AuditLog.target).where(AuditLog.action == "export_csv")).scalars())
    assert targets == ["6 conversation(s)", "1 conversation(s) red_flag=True"]


def test_nlu_yaml_export_is_valid_rasa_training_data(seeder: Seeder, clinician: FlaskClient, database_url: str) -> None:
    seeder.sample()
    seeder.conversation(
        "conv-incompris-2",
        [
            user("c'est quoi [ce truc](bizarre) ?", "nlu_fallback", 0.2),
            bot("?"),
            user("Rappelez ma fille au 06 12 34 56 78 ou marie@exemple.fr", "nlu_fallback", 0.3),  # duplicate
            bot("?"),
            user(XSS, "nlu_fallback", 0.1),
            bot("?"),
            user("ligne 1\nligne 2", "nlu_fallback", 0.1),
            bot("?"),
        ],
    )
    response = clinician.get("/export/incompris.yml")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'version: "3.1"' in body and "- intent: a_etiqueter" in body and "  examples: |" in body
    data = RasaYAMLReader().reads(body)
    assert data.intents == {"a_etiqueter"}
    examples = [m.get("text") for m in data.training_examples]
    assert examples == [
        "rappelez ma fille au [tél. masqué] ou [e-mail masqué]".replace("[", "(").replace("]", ")"),
        "c'est quoi (ce truc)(bizarre) ?",
        XSS,
        "ligne 1 ligne 2",
    ]
    assert data.entity_examples == []
    with session_scope(database_url) as s:
        assert s.execute(select(AuditLog).where(AuditLog.action == "export_nlu")).scalar_one()


def test_nlu_yaml_with_nothing_to_label() -> None:
    body = fallback_nlu_yaml([])
    data = RasaYAMLReader().reads(body)
    assert data.training_examples == []
