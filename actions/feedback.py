"""Stores a patient's "Oui" / "Non" on an answer; a red flag in the free comment gets the emergency answer."""

from __future__ import annotations

import logging
import threading
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.core.feedback import find_answered_question, parse_feedback
from bot.core.redflags import analyse, default_detector
from bot.storage.alert_queue import store_alert_or_queue
from bot.storage.records import store_feedback

logger = logging.getLogger(__name__)
# spaCy loads in the background when the action server starts: the first comment must not make the
# patient's next question wait (Rasa handles a conversation's messages one at a time).
threading.Thread(target=lambda: default_detector().nlp, name="spacy-warmup", daemon=True).start()


class ActionStoreFeedback(Action):
    def name(self) -> str:
        return "action_store_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        request = parse_feedback(tracker.latest_message.get("entities") or [])
        if request is None:
            logger.warning("Avis sans valeur ignoré (conversation %s)", tracker.sender_id)
            return []
        red_flag = None
        if request.comment:
            report = analyse(request.comment)
            if report.group is not None:
                red_flag = report.group
                dispatcher.utter_message(response=f"utter_red_flag_{red_flag.lower()}")
                store_alert_or_queue(
                    conversation_id=tracker.sender_id,
                    group=red_flag,
                    matched=list(report.matched),
                    message_text=request.comment,
                )
        answered = find_answered_question(tracker.events, request.answer)
        if answered is None:
            logger.warning("Avis sur une réponse introuvable (%r, conversation %s)", request.answer, tracker.sender_id)
            return []
        try:
            store_feedback(
                conversation_id=tracker.sender_id,
                answer=answered.answer,
                answer_at=answered.answer_at,
                intent=answered.intent,
                value=request.value,
                comment=request.comment,
                question_at=answered.question_at,
                comment_red_flag=red_flag,
            )
        except Exception:
            logger.exception("Avis non enregistré (conversation %s)", tracker.sender_id)
            return []
        if request.comment and red_flag is None:
            dispatcher.utter_message(response="utter_feedback_thanks")
        return []
