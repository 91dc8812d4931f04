"""Answer after the follow-up questions about a vague symptom."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.alert_queue import store_alert_or_queue
from bot.triage import TRIAGE_QUESTIONS, triage_outcome


class ActionTriageOutcome(Action):
    def name(self) -> str:
        return "action_triage_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        answers = {slot: tracker.get_slot(slot) for slot, _ in TRIAGE_QUESTIONS}
        group = triage_outcome(answers)
        if group is None:
            dispatcher.utter_message(response="utter_triage_reassure")
        else:
            dispatcher.utter_message(response=f"utter_red_flag_{group.lower()}")
            yes = [slot for slot, _ in TRIAGE_QUESTIONS if answers.get(slot)]
            store_alert_or_queue(
                conversation_id=tracker.sender_id,
                group=group,
                matched=[f"questions: {', '.join(yes)}"],
                message_text=_symptom_text(tracker),
            )
        return [SlotSet(slot, None) for slot, _ in TRIAGE_QUESTIONS]


def _symptom_text(tracker: Tracker) -> str:
    """The patient's message that started the questions."""
    for event in reversed(tracker.events):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if event.get("event") == "user" and intent == "report_symptom_unclear":
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""
