"""Intent names the console gives a meaning to (see docs/intents.md and issue 3)."""

from __future__ import annotations

RED_FLAG_INTENTS: tuple[str, ...] = (
    "red_flag_a",
    "red_flag_b",
    "red_flag_c",
    "red_flag_d",
    "red_flag_e",
    "red_flag_f",
    "report_emergency",
)
FALLBACK_INTENT = "nlu_fallback"
PERSON_INTENTS: tuple[str, ...] = ("request_human", "request_callback", "book_appointment", "change_appointment")
# Messages that carry no question: a bot reply to them is not an "answer" for the deflection figures.
NO_QUESTION_INTENTS: tuple[str, ...] = ("greet", "goodbye", "thank", "affirm", "deny", "stop")
# Not topics for the dashboard: small talk, form answers, not understood.
NOT_TOPICS: tuple[str, ...] = (*NO_QUESTION_INTENTS, "inform", FALLBACK_INTENT)
