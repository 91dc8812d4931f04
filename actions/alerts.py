"""Stores red-flag alerts; the emergency answer itself was already given by a rule."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.core.intents import red_flag_group
from bot.core.redflags.entity import parse_entity
from bot.storage.alert_queue import store_alert_or_queue

logger = logging.getLogger(__name__)

# Below this, the classifier's guess at the patient's other question is not worth answering.
OTHER_QUESTION_MIN_CONFIDENCE = 0.55


class ActionStoreAlert(Action):
    def name(self) -> str:
        return "action_store_alert"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        entity = parse_entity(tracker.latest_message.get("entities"))
        # Without the detector's entity, the classifier alone recognised the red flag (second net).
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        group = (entity.group if entity else "") or red_flag_group(intent) or "?"
        store_alert_or_queue(
            conversation_id=tracker.sender_id,
            group=group,
            matched=list(entity.matched) if entity else [],
            message_text=tracker.latest_message.get("text") or "",
        )
        if entity is None:
            return []
        if entity.also_f:
            dispatcher.utter_message(response="utter_red_flag_f")
        name = entity.original_name
        if (
            name.startswith("ask_")
            and entity.original_confidence >= OTHER_QUESTION_MIN_CONFIDENCE
            and f"utter_{name}" in (domain.get("responses") or {})
        ):
            dispatcher.utter_message(response="utter_red_flag_other_question")
            dispatcher.utter_message(response=f"utter_{name}")
        return []
