"""The custom actions, run with rasa-sdk trackers against a real SQLite database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.alerts import ActionStoreAlert
from actions.callback import ActionAskCbConsent, ActionSubmitCallback, ValidateCallbackForm
from actions.feedback import ActionStoreFeedback
from actions.triage import ActionTriageOutcome, ValidateTriageForm
from bot.storage import Alert, AnswerFeedback, CallbackRequest, init_db, session_scope

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr("bot.storage.alert_queue.VAR_DIR", tmp_path)
    init_db(url)
    return url


def tracker(text: str, intent: str, entities: list | None = None, slots: dict | None = None,
            events: list | None = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return Tracker("conv-1", slots or {}, latest, events or [], False, None, {}, "action_listen")


def run(action, t: Tracker) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return events, dispatcher.messages


def test_red_flag_alert_is_stored_and_the_other_question_answered(database: str) -> None:
    entity = {"entity": "red_flag_group", "value": "A", "matched": ["sens", "plus", "jambe"],
              "original_intent": {"name": "ask_physiotherapy", "confidence": 0.9}}
    text = "combien de séances de kiné ? depuis hier je ne sens plus ma jambe"
    _, messages = run(ActionStoreAlert(), tracker(text, "red_flag_a", [entity]))
    assert [m["response"] for m in messages] == ["utter_red_flag_other_question", "utter_ask_physiotherapy"]
    with session_scope(database) as s:
        alert = s.execute(select(Alert)).scalar_one()
        assert (alert.conversation_id, alert.group, alert.matched) == ("conv-1", "A", "sens | plus | jambe")
        assert alert.message_text == text and alert.created_at is not None


def test_classifier_only_red_flag_stores_its_group_and_suicidal_thoughts_add_3114(database: str) -> None:
    _, messages = run(ActionStoreAlert(), tracker("g du mal a respiré", "red_flag_b"))
    assert messages == []
    entity = {"entity": "red_flag_group", "value": "A", "matched": ["jambe"], "also_f": True, "original_intent": {}}
    _, messages = run(ActionStoreAlert(), tracker("...", "red_flag_a", [entity]))
    assert [m["response"] for m in messages] == ["utter_red_flag_f"]
    with session_scope(database) as s:
        assert sorted(s.execute(select(Alert.group)).scalars()) == ["A", "B"]


def test_alert_waits_in_a_file_when_the_database_is_down(database: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    run(ActionStoreAlert(), tracker("je manque d'air", "red_flag_b"))
    assert (tmp_path / "alerts-pending.jsonl").exists()
    monkeypatch.setenv("DATABASE_URL", database)
    run(ActionStoreAlert(), tracker("je saigne", "red_flag_c"))
    assert not (tmp_path / "alerts-pending.jsonl").exists()
    with session_scope(database) as s:
        assert sorted(s.execute(select(Alert.group)).scalars()) == ["B", "C"]


TRIAGE_NO = {"tr_weakness": False, "tr_bladder": False, "tr_breathing": False, "tr_bleeding": False,
             "tr_malaise": False, "tr_fever": False}


def test_triage_yes_to_weakness_gives_group_a_and_an_alert(database: str) -> None:
    slots = {"tr_weakness": True}
    events, messages = run(ActionTriageOutcome(), tracker("oui", "affirm", slots=slots))
    assert [m["response"] for m in messages] == ["utter_red_flag_a"]
    assert {e["name"] for e in events} == set(TRIAGE_NO)
    with session_scope(database) as s:
        alert = s.execute(select(Alert)).scalar_one()
        assert (alert.group, alert.matched) == ("A", "questions: tr_weakness")


def test_triage_yes_to_bleeding_gives_group_c(database: str) -> None:
    slots = {"tr_weakness": False, "tr_bladder": False, "tr_breathing": False, "tr_bleeding": True}
    _, messages = run(ActionTriageOutcome(), tracker("oui", "affirm", slots=slots))
    assert [m["response"] for m in messages] == ["utter_red_flag_c"]


def test_triage_validation_stops_the_questions_at_the_first_yes() -> None:
    form = ValidateTriageForm()

    def required(slots: dict) -> list:
        t = tracker("", "affirm", slots=slots)
        return asyncio.run(form.required_slots(list(TRIAGE_NO), CollectingDispatcher(), t, DOMAIN))

    assert required({}) == list(TRIAGE_NO)
    assert required({"tr_weakness": True}) == ["tr_weakness"]
    assert required({"tr_weakness": False, "tr_bladder": True}) == ["tr_weakness", "tr_bladder"]
    # Through the SDK: a yes sets requested_slot to None, which ends the form.
    t = Tracker("conv-1", {"tr_weakness": True, "requested_slot": "tr_weakness"},
                {"text": "oui", "intent": {"name": "affirm"}, "entities": []},
                [{"event": "slot", "name": "tr_weakness", "value": True}], False, None,
                {"name": "triage_form", "is_interrupted": False}, "action_listen")
    events, _ = run(form, t)
    assert {"event": "slot", "name": "requested_slot", "value": None, "timestamp": None} in events


def test_a_new_round_of_questions_forgets_the_answers_of_an_earlier_one() -> None:
    # An earlier round ended by a red flag left tr_weakness at True: it must not end the new round at once.
    t = Tracker("conv-1", {"tr_weakness": True, "tr_bladder": False, "requested_slot": None},
                {"text": "j'ai des fourmis", "intent": {"name": "report_symptom_unclear"}, "entities": []},
                [], False, None, {"name": "triage_form"}, "utter_triage_intro")
    events, _ = run(ValidateTriageForm(), t)
    values = {e["name"]: e["value"] for e in events}
    assert values == {**dict.fromkeys(TRIAGE_NO), "requested_slot": "tr_weakness"}


def test_triage_all_no_reassures_without_alert(database: str) -> None:
    slots = TRIAGE_NO
    _, messages = run(ActionTriageOutcome(), tracker("non", "deny", slots=slots))
    assert [m["response"] for m in messages] == ["utter_triage_reassure"]
    with session_scope(database) as s:
        assert s.execute(select(Alert)).first() is None


def test_consent_question_says_the_retention_period_of_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.settings.RETENTION_DAYS", 30)
    _, messages = run(ActionAskCbConsent(), tracker("", "inform"))
    assert messages[0]["response"] == "utter_ask_cb_consent" and messages[0]["retention_days"] == 30


def test_phone_validation_asks_again_on_a_bad_number() -> None:
    form = ValidateCallbackForm()
    dispatcher = CollectingDispatcher()
    assert form.validate_cb_phone("12 34", dispatcher, tracker("12 34", "inform"), DOMAIN) == {"cb_phone": None}
    assert dispatcher.messages[0]["response"] == "utter_invalid_phone"
    assert form.validate_cb_phone("+33 6 12 34 56 78", dispatcher, tracker("", "inform"), DOMAIN) == {
        "cb_phone": "06 12 34 56 78"}


def test_callback_stored_only_with_consent(database: str) -> None:
    slots = {"cb_name": "Jeanne", "cb_phone": "06 12 34 56 78", "cb_time_slot": "le matin", "cb_reason": "rdv",
             "cb_consent": False}
    _, messages = run(ActionSubmitCallback(), tracker("non", "deny", slots=slots))
    assert messages[0]["response"] == "utter_callback_not_saved"
    _, messages = run(ActionSubmitCallback(), tracker("oui", "affirm", slots={**slots, "cb_consent": True}))
    assert messages[0]["response"] == "utter_callback_saved"
    with session_scope(database) as s:
        row = s.execute(select(CallbackRequest)).scalar_one()
        assert (row.name, row.phone, row.status) == ("Jeanne", "06 12 34 56 78", "nouveau")


# ---------- per-conversation caps (issue 14): floods stop, emergencies and other conversations do not ----------

def test_callback_requests_stop_at_the_conversation_cap(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("actions.callback.MAX_CALLBACKS_PER_CONVERSATION", 2)
    slots = {"cb_name": "Jeanne", "cb_phone": "06 12 34 56 78", "cb_time_slot": "le matin", "cb_reason": "rdv",
             "cb_consent": True}
    responses = [run(ActionSubmitCallback(), tracker("oui", "affirm", slots=slots))[1][0]["response"]
                 for _ in range(4)]
    assert responses == ["utter_callback_saved"] * 2 + ["utter_callback_failed"] * 2
    latest = {"text": "oui", "intent": {"name": "affirm"}}
    other = Tracker("conv-2", slots, latest, [], False, None, {}, "action_listen")
    assert run(ActionSubmitCallback(), other)[1][0]["response"] == "utter_callback_saved"
    with session_scope(database) as s:
        assert sorted(s.execute(select(CallbackRequest.conversation_id)).scalars()) == ["conv-1", "conv-1", "conv-2"]


def test_alerts_stop_at_the_conversation_cap_and_are_not_queued(database: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.storage.alert_queue.MAX_ALERTS_PER_CONVERSATION", 3)
    for _ in range(5):
        run(ActionStoreAlert(), tracker("je manque d'air", "red_flag_b"))
    assert not (tmp_path / "alerts-pending.jsonl").exists()
    with session_scope(database) as s:
        assert len(s.execute(select(Alert)).scalars().all()) == 3
    # An hour later the conversation may alert again.
    with session_scope(database) as s:
        for alert in s.execute(select(Alert)).scalars():
            alert.created_at = alert.created_at.replace(year=alert.created_at.year - 1)
    run(ActionStoreAlert(), tracker("je manque d'air", "red_flag_b"))
    with session_scope(database) as s:
        assert len(s.execute(select(Alert)).scalars().all()) == 4


FEEDBACK_EVENTS = [
    {"event": "user", "text": "je dois etre a jeun ?", "timestamp": 10.0,
     "parse_data": {"intent": {"name": "ask_fasting", "confidence": 0.9}}},
    {"event": "bot", "text": "Oui, il faut venir à jeun…", "timestamp": 11.0,
     "metadata": {"utter_action": "utter_ask_fasting"}},
]


def feedback(value: str, comment: str | None = None, answer: str = "utter_ask_fasting") -> Tracker:
    entities = [{"entity": "feedback_value", "value": value}, {"entity": "feedback_answer", "value": answer}]
    if comment is not None:
        entities.append({"entity": "feedback_comment", "value": comment})
    return tracker("/feedback{...}", "feedback", entities, events=FEEDBACK_EVENTS)


def test_feedback_is_stored_once_per_answer_with_its_comment(database: str) -> None:
    assert run(ActionStoreFeedback(), feedback("oui")) == ([], [])
    assert run(ActionStoreFeedback(), feedback("non")) == ([], [])  # changed her mind: same row
    _, messages = run(ActionStoreFeedback(), feedback("non", "combien d'heures avant ?"))
    assert [m["response"] for m in messages] == ["utter_feedback_thanks"]
    with session_scope(database) as s:
        row = s.execute(select(AnswerFeedback)).scalar_one()
        assert (row.conversation_id, row.answer, row.intent, row.value) == (
            "conv-1", "utter_ask_fasting", "ask_fasting", "non")
        assert (row.answer_at, row.question_at, row.comment, row.comment_red_flag) == (
            11.0, 10.0, "combien d'heures avant ?", None)


def test_a_red_flag_in_the_comment_gets_the_emergency_answer_and_the_alert(database: str) -> None:
    _, messages = run(ActionStoreFeedback(), feedback("non", "depuis ce matin je ne sens plus mes jambes"))
    assert [m["response"] for m in messages] == ["utter_red_flag_a"]
    with session_scope(database) as s:
        alert = s.execute(select(Alert)).scalar_one()
        assert (alert.conversation_id, alert.group) == ("conv-1", "A")
        assert s.execute(select(AnswerFeedback.comment_red_flag)).scalar_one() == "A"


def test_feedback_on_an_unknown_answer_or_without_value_stores_nothing(database: str) -> None:
    assert run(ActionStoreFeedback(), feedback("non", answer="utter_ask_risks")) == ([], [])
    t = tracker("/feedback", "feedback", [{"entity": "feedback_value", "value": "<script>"}], events=FEEDBACK_EVENTS)
    assert run(ActionStoreFeedback(), t) == ([], [])
    with session_scope(database) as s:
        assert s.execute(select(AnswerFeedback)).first() is None
