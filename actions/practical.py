"""Practical answers read from config/centre.yml and config/practical.yml (bot/practical.py)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.practical import PRACTICAL_INTENTS, PracticalInfo, answer_for

logger = logging.getLogger(__name__)
INFO = PracticalInfo()


class ActionPracticalAnswer(Action):
    def name(self) -> str:
        return "action_practical_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in PRACTICAL_INTENTS:
            intent = "ask_contact"
        try:
            answer = answer_for(intent, INFO.data())
        except Exception:
            logger.exception("config/practical.yml ou config/centre.yml illisible : réponse minimale")
            # From the domain: its {centre_phone} does not depend on the unreadable files.
            dispatcher.utter_message(response="utter_practical_unavailable")
            return []
        dispatcher.utter_message(
            text=answer.text,
            buttons=[{"title": t, "payload": p} for t, p in answer.buttons],
        )
        return []
