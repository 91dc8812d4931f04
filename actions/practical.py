"""Practical answers read from config/centre.yml and config/practical.yml (bot/core/practical.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import say_practical


class ActionPracticalAnswer(Action):
    def name(self) -> str:
        return "action_practical_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        say_practical(dispatcher, str((tracker.latest_message.get("intent") or {}).get("name") or ""))
        return []
