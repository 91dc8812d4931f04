"""Practical answers read from config/practical.yml (bot/practical.py)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.feedback import practical_answer_name
from bot.practical import FALLBACK_PHONE, PRACTICAL_INTENTS, PracticalInfo, answer_for

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
            logger.exception("config/practical.yml illisible : réponse minimale")
            dispatcher.utter_message(text=f"Le secrétariat vous renseigne au {FALLBACK_PHONE}.")
            return []
        dispatcher.utter_message(
            text=answer.text,
            buttons=[{"title": t, "payload": p} for t, p in answer.buttons],
            # Rasa names a domain response's answer in its metadata; this names ours (feedback, console).
            utter_action=practical_answer_name(intent),
        )
        return []
