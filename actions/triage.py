"""Follow-up questions about a vague symptom: stop at the first "yes", then give the outcome."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core.triage import TRIAGE_SLOTS, first_yes, questions_to_ask, triage_outcome
from bot.storage.alert_queue import store_alert_or_queue


class ValidateTriageForm(FormValidationAction):
    """Ends the questions on the first "yes": the remaining ones are no longer required."""

    def name(self) -> str:
        return "validate_triage_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.get_slot("requested_slot") is None:
            # The questions start (nothing asked yet): answers of an earlier round, ended by a red flag,
            # "annuler" or a yes, must not skip a question, nor end this round at once.
            return [SlotSet(slot, None) for slot in TRIAGE_SLOTS] + [SlotSet("requested_slot", TRIAGE_SLOTS[0])]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        return questions_to_ask({slot: tracker.get_slot(slot) for slot in TRIAGE_SLOTS})


class ActionTriageOutcome(Action):
    def name(self) -> str:
        return "action_triage_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        answers = {slot: tracker.get_slot(slot) for slot in TRIAGE_SLOTS}
        group = triage_outcome(answers)
        if group is None:
            dispatcher.utter_message(response="utter_triage_reassure")
        else:
            dispatcher.utter_message(response=f"utter_red_flag_{group.lower()}")
            store_alert_or_queue(
                conversation_id=tracker.sender_id,
                group=group,
                matched=[f"questions: {first_yes(answers)}"],
                message_text=_symptom_text(tracker),
            )
        return [SlotSet(slot, None) for slot in TRIAGE_SLOTS]


def _symptom_text(tracker: Tracker) -> str:
    """The patient's message that started the questions."""
    for event in reversed(tracker.events):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if event.get("event") == "user" and intent == "report_symptom_unclear":
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""
