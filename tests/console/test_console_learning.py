"""Historique de l'apprentissage: the runs of `python -m bot learn`, for clinicians and admins."""

from __future__ import annotations

from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import select

from bot.learn.store import RunRecord, record_run
from bot.storage.models import AuditLog
from bot.storage.session import session_scope

FIGURES = {"test": {"answered_right": 490, "answered_total": 505, "red_flags_caught": 60, "red_flags_total": 60,
                    "classifier_red_flags": 58, "emergency_false": 0, "non_emergency_turns": 445}}


def _run(url: str, **kw) -> int:  # type: ignore[no-untyped-def]
    with session_scope(url) as s:
        return record_run(s, RunRecord(**{"started_at": datetime(2026, 12, 1, 10, 0), "status": "accepté",
                                          **kw}))


def test_runs_are_listed_newest_first_with_figures_and_masked_reasons(
    database_url: str, clinician: FlaskClient, admin: FlaskClient
) -> None:
    after = {"test": {**FIGURES["test"], "answered_right": 488, "classifier_red_flags": 57}}
    _run(database_url, accepted=True, examples_added=1, figures_before=FIGURES, figures_after=FIGURES,
         labels_used=[{"id": 7, "intent": "ask_procedure_steps"}], model_before="a" * 64, model_after="b" * 64)
    _run(database_url, started_at=datetime(2026, 12, 2, 9, 30), status="refusé", examples_added=1,
         figures_before=FIGURES, figures_after=after, labels_used=[{"id": 8, "intent": "ask_paralysis_risk"}],
         reasons=["jeu de test : répondus juste en baisse, 97,0 % (490) → 96,6 % (488) ; cas devenus faux :",
                  "  « rappelez le 06 12 34 56 78 » attendu request_callback → obtenu reformuler"])
    page = clinician.get("/learning").get_data(as_text=True)
    assert "Historique de l'apprentissage" in page
    assert page.index("refusé") < page.index("accepté")  # newest first
    assert "n° 8 (ask_paralysis_risk)" in page and "n° 7 (ask_procedure_steps)" in page
    assert "490/505 (97,0 %)" in page and "488/505 (96,6 %)" in page and "moins bien" in page
    assert "répondus juste en baisse" in page
    assert "06 12 34 56 78" not in page and "[tél. masqué]" in page
    assert admin.get("/learning").status_code == 200
    with session_scope(database_url) as s:
        assert s.execute(select(AuditLog).where(AuditLog.action == "learning_runs_list")).scalars().first()


def test_secretariat_cannot_open_it_and_an_empty_history_says_so(
    database_url: str, secretariat: FlaskClient, clinician: FlaskClient
) -> None:
    assert secretariat.get("/learning").status_code == 403
    assert "Historique de l'apprentissage" not in secretariat.get("/").get_data(as_text=True)
    page = clinician.get("/learning").get_data(as_text=True)
    assert "Aucun apprentissage pour l'instant." in page
    assert 'href="/learning"' in clinician.get("/").get_data(as_text=True)
    assert clinician.get("/learning?page=abc").status_code == 200
