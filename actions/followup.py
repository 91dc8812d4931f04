"""Elliptical follow-ups and the second request of a two-request message."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import say
from bot.core.followups import aspect_in_context, aspect_of, last_topic, load_table
from bot.core.requests import REQUESTS_KEY, answer_for_intent


class ActionAnswerFollowup(Action):
    """Answers "combien de temps ?", "c'est grave ?"… against the topic of the previous answer."""

    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        message = tracker.latest_message
        topic = last_topic(tracker.events)
        # A follow-up the classifier was unsure of (FollowupInContextPolicy): its ranking gives the aspect.
        aspect = (aspect_of((message.get("intent") or {}).get("name"))
                  or aspect_in_context(message.get("intent_ranking") or [], topic, str(message.get("text") or ""))
                  or "")
        for name in load_table().resolve(topic, aspect):
            say(dispatcher, name, domain, topic=topic)
        return []


class ActionAnswerSecondRequest(Action):
    """The other request of a message that holds two (a question and a goodbye; two questions)."""

    def name(self) -> str:
        return "action_answer_second_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        requests = tracker.latest_message.get(REQUESTS_KEY) or []
        if len(requests) > 1:
            name = answer_for_intent(str(requests[1].get("name") or ""))
            if name:
                say(dispatcher, name, domain, topic=str(requests[1].get("name")))
        return []
