"""Answers said by actions: a response of the domain or a practical answer, tagged with its topic.

The topic travels in the bot message's metadata, so that the next elliptical follow-up ("et après ?")
is answered against it (bot/core/followups.py reads it back from the conversation).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.core.feedback import practical_answer_name
from bot.core.followups import PRACTICAL_PREFIX
from bot.core.practical import PRACTICAL_INTENTS, PracticalInfo, answer_for

logger = logging.getLogger(__name__)
INFO = PracticalInfo()


def say_practical(dispatcher: CollectingDispatcher, intent: str) -> None:
    """The practical answer of config/practical.yml and config/centre.yml (read again when they change)."""
    if intent not in PRACTICAL_INTENTS:
        intent = "ask_contact"
    try:
        answer = answer_for(intent, INFO.data())
    except Exception:
        logger.exception("config/practical.yml ou config/centre.yml illisible : réponse minimale")
        # From the domain: its {centre_phone} does not depend on the unreadable files.
        dispatcher.utter_message(response="utter_practical_unavailable", topic=intent)
        return
    dispatcher.utter_message(
        text=answer.text, buttons=[{"title": t, "payload": p} for t, p in answer.buttons], topic=intent,
        # Rasa names a domain response's answer in its metadata; this names ours (feedback, console).
        utter_action=practical_answer_name(intent),
    )


def say(dispatcher: CollectingDispatcher, name: str, domain: dict[str, Any], topic: str | None = None) -> bool:
    """Says a response (`utter_…`) or a practical answer (`practical:<intent>`); False if unknown."""
    if name.startswith(PRACTICAL_PREFIX):
        say_practical(dispatcher, name.removeprefix(PRACTICAL_PREFIX))
        return True
    if name not in (domain.get("responses") or {}):
        logger.error("réponse inconnue du domaine : %s", name)
        return False
    if topic:
        dispatcher.utter_message(response=name, topic=topic)
    else:
        dispatcher.utter_message(response=name)
    return True
