"""Patients' feedback on an answer ("Cette réponse vous a aidé ? Oui / Non"): pure functions.

The widget sends `/feedback{"feedback_value": "non", "feedback_answer": "utter_ask_fasting",
"feedback_comment": "..."}` through Rasa; `action_store_feedback` finds that answer in the
conversation's events and stores one row per answer (a later click or comment updates it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from bot.core.intents import FEEDBACK_INTENT, is_red_flag_intent
from bot.core.topics import TOPIC_NAMES

VALUES = ("oui", "non")
MAX_COMMENT = 500
MAX_ANSWER_NAME = 120
PRACTICAL_ACTION = "action_practical_answer"
URGENT_MARK = "\U0001F6A8"  # 🚨 starts every emergency answer
# Topics whose answer is a menu or a redirection rather than information.
NOT_INFORMATIONAL = frozenset({"ask_capabilities"})


@dataclass(frozen=True)
class FeedbackRequest:
    value: str  # "oui" | "non"
    answer: str  # the answer's name as the widget gave it, "" when unknown
    comment: str


@dataclass(frozen=True)
class AnsweredQuestion:
    """The answer a feedback is about, and the patient message it answered."""

    answer: str
    answer_at: float
    intent: str
    question: str
    question_at: float | None


def practical_answer_name(intent: str) -> str:
    """The name of a practical answer (a custom action's text has no response name of its own)."""
    return f"{PRACTICAL_ACTION}:{intent}"


def answer_intent(answer: str | None) -> str | None:
    """The topic an informational answer answers, or None for any other message (form questions,
    rephrase requests, small talk, emergency answers)."""
    if not answer:
        return None
    base, _, intent = answer.partition(":")
    if base == PRACTICAL_ACTION:
        name = intent
    elif base.startswith("utter_") and not intent:
        name = base.removeprefix("utter_")
    else:
        return None
    if name.startswith("ask_") and name in TOPIC_NAMES and name not in NOT_INFORMATIONAL:
        return name
    return None


def asks_feedback(answer: str | None) -> bool:
    return answer_intent(answer) is not None


def clean_comment(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    text = "".join(c if c.isprintable() else " " for c in value)
    return " ".join(text.split())[:MAX_COMMENT]


def parse_feedback(entities: Iterable[Mapping[str, Any]]) -> FeedbackRequest | None:
    """The feedback carried by the payload's entities, or None when it holds no valid value."""
    found: dict[str, Any] = {}
    for entity in entities or []:
        if isinstance(entity, Mapping) and isinstance(entity.get("entity"), str):
            found.setdefault(entity["entity"], entity.get("value"))
    value = str(found.get("feedback_value") or "").strip().lower()
    if value not in VALUES:
        return None
    answer = found.get("feedback_answer")
    answer = answer.strip()[:MAX_ANSWER_NAME] if isinstance(answer, str) else ""
    return FeedbackRequest(value=value, answer=answer, comment=clean_comment(found.get("feedback_comment")))


def _utter_action(event: Mapping[str, Any]) -> str:
    metadata = event.get("metadata")
    return str(metadata.get("utter_action") or "") if isinstance(metadata, Mapping) else ""


def _intent(event: Mapping[str, Any]) -> str:
    parse = event.get("parse_data") or {}
    return str((parse.get("intent") or {}).get("name") or "")


def find_answered_question(events: Iterable[Mapping[str, Any]], answer: str) -> AnsweredQuestion | None:
    """The latest informational answer named `answer` (any, when `answer` is empty) in the events.

    None when there is no such answer, or when it was given in a turn with an emergency answer:
    nobody is asked whether an emergency answer "helped".
    """
    found: AnsweredQuestion | None = None
    question: Mapping[str, Any] | None = None
    urgent = False
    for event in events:
        kind = event.get("event")
        if kind == "user":
            if _intent(event) == FEEDBACK_INTENT:
                continue  # a feedback is not a question: the answers after it still answer the one before
            question, urgent = event, is_red_flag_intent(_intent(event))
        elif kind == "bot":
            text = str(event.get("text") or "")
            if text.lstrip().startswith(URGENT_MARK):
                urgent = True
                continue
            name = _utter_action(event)
            if urgent or not asks_feedback(name) or (answer and name != answer):
                continue
            found = AnsweredQuestion(
                answer=name,
                answer_at=float(event.get("timestamp") or 0.0),
                intent=_intent(question) if question else str(answer_intent(name)),
                question=str(question.get("text") or "") if question else "",
                question_at=float(question["timestamp"]) if question and question.get("timestamp") else None,
            )
    return found
