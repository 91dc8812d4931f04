"""Intent names the code gives a meaning to (docs/intents.md): the one place for their spelling."""

from __future__ import annotations

FALLBACK_INTENT = "nlu_fallback"
UNCLEAR_SYMPTOM_INTENT = "report_symptom_unclear"
RED_FLAG_PREFIX = "red_flag_"
RED_FLAG_INTENTS: tuple[str, ...] = tuple(f"{RED_FLAG_PREFIX}{g}" for g in "abcdef")
# Sent by the widget's buttons as `/feedback{...}` (never typed): Rasa's RegexMessageHandler sets it,
# the intent classifier does not learn it.
FEEDBACK_INTENT = "feedback"
PAYLOAD_ONLY_INTENTS: tuple[str, ...] = (FEEDBACK_INTENT,)
PERSON_INTENTS: tuple[str, ...] = ("request_human", "request_callback", "book_appointment", "change_appointment")
# Messages that carry no question: a bot reply to them is not an "answer" for the deflection figures.
NO_QUESTION_INTENTS: tuple[str, ...] = ("greet", "goodbye", "thank", "affirm", "deny", "stop", FEEDBACK_INTENT)
# Not topics for the dashboard: small talk, form answers, not understood.
NOT_TOPICS: tuple[str, ...] = (*NO_QUESTION_INTENTS, "inform", FALLBACK_INTENT)


def red_flag_intent(group: str) -> str:
    """"A" -> "red_flag_a"."""
    return f"{RED_FLAG_PREFIX}{group.lower()}"


def is_red_flag_intent(name: str | None) -> bool:
    return bool(name) and str(name).startswith(RED_FLAG_PREFIX)


def red_flag_group(name: str | None) -> str | None:
    """"red_flag_a" -> "A"; None for any other intent."""
    return str(name).removeprefix(RED_FLAG_PREFIX).upper() if is_red_flag_intent(name) else None
