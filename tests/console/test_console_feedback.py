"""Satisfaction page, deflection with the "Non", and the review queue: labelling, flags, roles, audit, masking.

Conversations are real Rasa trackers (SQLTrackerStore); the feedback rows are those action_store_feedback
writes. Same tests on SQLite and PostgreSQL (conftest.py).
"""

from __future__ import annotations

import re
import time

from flask.testing import FlaskClient
from sqlalchemy import select

from bot.console.retention import purge
from bot.storage.events import events
from bot.storage.models import AnswerFeedback, AuditLog, MessageLabel
from bot.storage.session import session_scope

from .console_helpers import DAY, PHONE, Seeder, bot, csrf_token, feedback_sample, user


def test_satisfaction_per_topic_and_per_answer(
    seeder: Seeder, secretariat: FlaskClient, clinician: FlaskClient, database_url: str
) -> None:
    feedback_sample(seeder)
    # Patients' comments are read like transcripts: not by the secretariat (issue 14).
    assert secretariat.get("/satisfaction").status_code == 403
    page = clinician.get("/satisfaction").get_data(as_text=True)
    for text in ("Jeûne", "Retour à la maison", "50,0 %", "Avis des patients par jour",
                 "Réponses avec le plus de « Non »", "combien d&#39;heures ?", "[tél. masqué]"):
        assert text in page, text
    assert PHONE not in page and ">ask_fasting" not in page and ">utter_ask" not in page  # French names only
    assert page.count("<svg") >= 2
    fasting = clinician.get("/satisfaction?sujet=ask_fasting&jours=7").get_data(as_text=True)
    assert "Satisfaction des patients — Jeûne" in fasting and 'id="share-yes">0,0 %' in fasting
    data = clinician.get("/api/satisfaction?reponse=utter_ask_going_home").get_json()
    assert (data["oui"], data["non"], data["by_topic"]) == (1, 0, [{"intent": "ask_going_home", "oui": 1, "non": 0}])
    assert clinician.get("/satisfaction?sujet=<script>&jours=abc").status_code == 200
    with session_scope(database_url) as s:
        assert s.execute(select(AuditLog.action).where(AuditLog.action == "satisfaction_view")).first()


def test_deflection_counts_no_callback_no_person_and_no_no(seeder: Seeder, secretariat: FlaskClient) -> None:
    feedback_sample(seeder)
    data = secretariat.get("/api/stats").get_json()
    assert data["outcomes"] == {"answered": 2, "not_helped": 1, "callback": 0, "abandoned": 1}
    assert data["deflection_rate"] == 0.5
    assert data["feedback"] == {"oui": 1, "non": 1}
    assert data["user_messages"] == 4  # the clicks on "Oui" / "Non" are not messages
    page = secretariat.get("/").get_data(as_text=True)
    assert 'id="deflection">50,0 %' in page and "sans « Non »" in page and "Jeûne" in page


def queue(client: FlaskClient) -> str:
    return client.get("/review").get_data(as_text=True)


def item_of(page: str, text: str) -> str:
    """The queue item holding `text`."""
    for article in re.findall(r"<article.*?</article>", page, re.S):
        if text in article:
            return article
    raise AssertionError(f"{text!r} not in the queue")


def event_id(page: str, text: str) -> str:
    return re.search(r'name="event_id" value="(\d+)"', item_of(page, text)).group(1)


def label(client: FlaskClient, page: str, text: str, **form: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/review"), "event_id": event_id(page, text),
            "reasons": "low_confidence", **form}
    return client.post("/review/label", data=data)


def test_queue_lists_what_to_improve_with_its_reasons(seeder: Seeder, clinician: FlaskClient) -> None:
    feedback_sample(seeder)
    page = queue(clinician)
    assert "non compris" in item_of(page, "blorp appelez ma fille")
    assert "compris avec peu de confiance" in item_of(page, "le truc pour le dos")
    jeun = item_of(page, "je dois etre a jeun ?")
    assert "réponse jugée inutile" in jeun and "combien d&#39;heures ?" in jeun and "Jeûne" in jeun
    assert "quand est ce que je rentre" not in page  # understood, and helped
    assert "/feedback" not in page and PHONE not in page and "[tél. masqué]" in page
    assert "Déroulement" in item_of(page, "le truc pour le dos")  # one-click suggestion, French name


def test_labelling_in_one_click_is_stored_masked_audited_and_leaves_the_queue(
    seeder: Seeder, clinician: FlaskClient, database_url: str
) -> None:
    feedback_sample(seeder)
    page = queue(clinician)
    response = label(clinician, page, "le truc pour le dos", label="ask_procedure_steps")
    assert response.status_code == 302
    assert "étiqueté : Déroulement" in clinician.get(response.location).get_data(as_text=True)
    page = queue(clinician)
    assert "le truc pour le dos" not in page
    response = label(clinician, page, "blorp appelez", label="hors_sujet", reasons="fallback")
    with session_scope(database_url) as s:
        rows = {r.label: r for r in s.execute(select(MessageLabel)).scalars()}
        steps, off = rows["ask_procedure_steps"], rows["hors_sujet"]
        assert (steps.conversation_id, steps.predicted_intent, steps.reason, steps.labelled_by) == (
            "conv-flou", "ask_procedure_steps", "low_confidence", "docteur")
        assert steps.text == "le truc pour le dos ca se passe comment" and steps.labelled_at is not None
        assert steps.red_flag_words is False and steps.learned_at is None
        assert off.text == "blorp appelez ma fille au [tél. masqué]" and off.reason == "fallback"
        audits = list(s.execute(select(AuditLog.target).where(AuditLog.action == "review_label")).scalars())
        assert audits == ["conv-flou : ask_procedure_steps", "conv-incompris : hors_sujet"]
    done = clinician.get("/review?etat=traites").get_data(as_text=True)
    assert "Déroulement" in done and "Hors sujet" in done and PHONE not in done


def test_new_topic_needs_a_comment_and_labels_are_checked(
    seeder: Seeder, clinician: FlaskClient, database_url: str
) -> None:
    feedback_sample(seeder)
    page = queue(clinician)
    refused = label(clinician, page, "je dois etre a jeun", label="nouveau_sujet")
    assert "décrivez-le dans le commentaire" in clinician.get(refused.location).get_data(as_text=True)
    bad = label(clinician, page, "je dois etre a jeun", label="<script>alert(1)</script>")
    assert "Choisissez un sujet" in clinician.get(bad.location).get_data(as_text=True)
    other = label(clinician, page, "je dois etre a jeun", other="ask_fasting", comment="  l'heure  exacte  ")
    assert other.status_code == 302
    label(clinician, page, "blorp", label="nouveau_sujet", comment="Les horaires de la piscine")
    with session_scope(database_url) as s:
        rows = {r.conversation_id: (r.label, r.comment) for r in s.execute(select(MessageLabel)).scalars()}
    assert rows == {"conv-jeun": ("ask_fasting", "l'heure exacte"),
                    "conv-incompris": ("nouveau_sujet", "Les horaires de la piscine")}
    token = csrf_token(clinician, "/review")
    assert clinician.post("/review/label", data={"csrf_token": token, "event_id": "abc", "label": "ask_cost"}
                          ).status_code == 400
    assert clinician.post("/review/label", data={"csrf_token": token, "event_id": "999999", "label": "ask_cost"}
                          ).status_code == 404
    assert clinician.post("/review/label", data={"event_id": "1", "label": "ask_cost"}).status_code in (400, 403)


def test_red_flag_words_are_recorded_for_the_learn_command(
    seeder: Seeder, clinician: FlaskClient, database_url: str
) -> None:
    seeder.conversation("conv-fievre", [
        user("j'ai pas de fievre mais la douche c'est quand", "nlu_fallback", 0.25),
        bot("Je n'ai pas bien compris.", answer="utter_default"),
    ])
    label(clinician, queue(clinician), "pas de fievre", label="ask_daily_life")
    with session_scope(database_url) as s:
        row = s.execute(select(MessageLabel)).scalar_one()
        assert (row.red_flag_words, row.red_flag_groups) == (True, "D")
    assert "mots du groupe D" in clinician.get("/review?etat=traites").get_data(as_text=True)


def test_staff_flag_a_message_and_only_clinicians_label(
    seeder: Seeder, secretariat: FlaskClient, clinician: FlaskClient, database_url: str
) -> None:
    feedback_sample(seeder)
    assert secretariat.get("/review").status_code == 403
    assert secretariat.post("/review/label", data={"csrf_token": csrf_token(secretariat, "/"), "event_id": "1",
                                                   "label": "ask_cost"}).status_code == 403
    # The secretariat sees no transcript (issue 14): flagging is done by those who read them.
    assert secretariat.get("/conversation?id=conv-maison").status_code == 403
    assert secretariat.post("/review/flag", data={"csrf_token": csrf_token(secretariat, "/"),
                                                  "event_id": "1"}).status_code == 403
    page = clinician.get("/conversation?id=conv-maison").get_data(as_text=True)
    assert "Retour à la maison" in page and "Avis du patient sur la réponse : « Oui »" in page
    flag_form = r'class="inline flag-form">\s*<input[^>]*>\s*<input type="hidden" name="event_id" value="(\d+)"'
    flag_id = re.search(flag_form, page).group(1)
    token = csrf_token(clinician, "/conversation?id=conv-maison")
    response = clinician.post("/review/flag", data={"csrf_token": token, "event_id": flag_id})
    assert response.status_code == 302
    page = clinician.get("/conversation?id=conv-maison").get_data(as_text=True)
    assert "dans la file « À revoir »" in page
    again = clinician.post("/review/flag", data={"csrf_token": token, "event_id": flag_id}, follow_redirects=True)
    assert "déjà dans la file" in again.get_data(as_text=True)
    with session_scope(database_url) as s:
        bot_event = s.execute(select(events.c.id).where(events.c.type_name == "bot")).scalars().first()
    assert clinician.post("/review/flag", data={"csrf_token": token, "event_id": str(bot_event)}).status_code == 404
    item = item_of(queue(clinician), "quand est ce que je rentre chez moi")
    assert "signalé par l&#39;équipe (docteur)" in item
    label(clinician, queue(clinician), "quand est ce que je rentre", label="ask_going_home")
    with session_scope(database_url) as s:
        row = s.execute(select(MessageLabel)).scalar_one()
        assert (row.flagged_by, row.labelled_by, row.label, row.reason) == (
            "docteur", "docteur", "ask_going_home", "staff,low_confidence")
        assert s.execute(select(AuditLog).where(AuditLog.action == "review_flag")).scalar_one().username == "docteur"
    assert "quand est ce que je rentre" not in queue(clinician)


def test_retention_deletes_feedback_and_flags_but_keeps_labels(
    seeder: Seeder, clinician: FlaskClient, database_url: str
) -> None:
    start = time.time() - 100 * DAY
    seeder.conversation("vieille", [
        user("je dois etre a jeun ?", "ask_fasting", 0.3), bot("Oui.", answer="utter_ask_fasting"),
        user("et pour conduire ?", "ask_driving", 0.9), bot("Non.", answer="utter_ask_driving"),
    ], start=start)
    seeder.feedback("vieille", "non", "utter_ask_fasting", "ask_fasting")
    page = clinician.get("/review?jours=365").get_data(as_text=True)
    data = {"csrf_token": csrf_token(clinician, "/review"), "event_id": event_id(page, "je dois etre a jeun"),
            "label": "ask_fasting", "jours": "365"}
    assert clinician.post("/review/label", data=data).status_code == 302
    conversation = clinician.get("/conversation?id=vieille").get_data(as_text=True)
    flag_id = re.findall(r'name="event_id" value="(\d+)"', conversation)[-1]
    clinician.post("/review/flag", data={"csrf_token": csrf_token(clinician, "/review"), "event_id": flag_id})
    with session_scope(database_url) as s:
        result = purge(s, 90)
    assert (result.feedback, result.flags) == (1, 1)
    with session_scope(database_url) as s:
        assert s.execute(select(AnswerFeedback)).first() is None
        assert [r.label for r in s.execute(select(MessageLabel)).scalars()] == ["ask_fasting"]
