"""Outcome of the follow-up questions asked about a vague symptom (pure function)."""

from __future__ import annotations

# Question slot -> red-flag group, in order of urgency (../shared/medical-facts.md).
TRIAGE_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("tr_weakness", "A"),
    ("tr_bladder", "A"),
    ("tr_breathing", "B"),
    ("tr_fever", "D"),
)


def triage_outcome(answers: dict[str, bool | None]) -> str | None:
    """The most urgent group answered "yes", or None when every answer is no."""
    for slot, group in TRIAGE_QUESTIONS:
        if answers.get(slot):
            return group
    return None
