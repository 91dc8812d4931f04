"""Callback request form: validation of each answer and storage with the patient's consent."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import settings
from bot.core.phone import normalize_phone
from bot.settings import CALLBACK_WINDOW_HOURS, MAX_CALLBACKS_PER_CONVERSATION
from bot.storage.models import CallbackRequest
from bot.storage.records import recent_count, store_callback

logger = logging.getLogger(__name__)

CALLBACK_SLOTS = ("cb_name", "cb_phone", "cb_time_slot", "cb_reason", "cb_consent")
MAX_FIELD = 200


def clean_free_text(value: Any, limit: int = MAX_FIELD) -> str | None:
    """Trimmed text, or None when empty (the form asks again)."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text[:limit] or None


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    def validate_cb_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"cb_name": clean_free_text(value, 100)}

    def validate_cb_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        phone = normalize_phone(value) if isinstance(value, str) else None
        if phone is None:
            dispatcher.utter_message(response="utter_invalid_phone")
        return {"cb_phone": phone}

    def validate_cb_time_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"cb_time_slot": clean_free_text(value)}

    def validate_cb_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"cb_reason": clean_free_text(value, 1000)}


class ActionAskCbConsent(Action):
    """The consent question, with the retention period the deployment really applies."""

    def name(self) -> str:
        return "action_ask_cb_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_cb_consent", retention_days=settings.RETENTION_DAYS)
        return []


class ActionSubmitCallback(Action):
    def name(self) -> str:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        reset = [SlotSet(slot, None) for slot in CALLBACK_SLOTS]
        if tracker.get_slot("cb_consent") is not True:
            dispatcher.utter_message(response="utter_callback_not_saved")
            return reset
        try:
            # A conversation files a few requests a day at most: more is a script filling the secretariat's queue.
            filed = recent_count(CallbackRequest, tracker.sender_id, CALLBACK_WINDOW_HOURS)
            if filed >= MAX_CALLBACKS_PER_CONVERSATION:
                logger.warning("Demande de rappel refusée : plafond de la conversation %s atteint", tracker.sender_id)
                dispatcher.utter_message(response="utter_callback_failed")
                return reset
            store_callback(
                conversation_id=tracker.sender_id,
                name=tracker.get_slot("cb_name") or "",
                phone=tracker.get_slot("cb_phone") or "",
                time_slot=tracker.get_slot("cb_time_slot") or "",
                reason=tracker.get_slot("cb_reason") or "",
            )
        except Exception:
            logger.exception("Demande de rappel non enregistrée (conversation %s)", tracker.sender_id)
            dispatcher.utter_message(response="utter_callback_failed")
            return reset
        dispatcher.utter_message(response="utter_callback_saved", cb_phone=tracker.get_slot("cb_phone"))
        return reset
