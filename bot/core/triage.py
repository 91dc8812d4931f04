"""The follow-up questions asked about a vague symptom, and their outcome (pure functions).

The questions are asked in this order and stop at the first "yes", which gives that question's
emergency answer at once (../shared/medical-facts.md, red-flag groups): the signs that call for the
15 first, then bleeding, then the general signs, and the signs of infection (centre the same day) last.
"""

from __future__ import annotations

from collections.abc import Mapping

# Question slot -> red-flag group of a "yes". The domain's triage_form lists the same slots in the
# same order (tests/unit/test_triage.py).
TRIAGE_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("tr_weakness", "A"),   # legs weak or numb
    ("tr_bladder", "A"),    # a new bladder or bowel problem ("depuis peu")
    ("tr_breathing", "B"),  # breathing, chest
    ("tr_bleeding", "C"),   # bleeding at the puncture point, a lump growing in the back
    ("tr_malaise", "E"),    # malaise, fainting, allergy
    ("tr_fever", "D"),      # fever, chills, red or oozing puncture point
)
TRIAGE_SLOTS: tuple[str, ...] = tuple(slot for slot, _ in TRIAGE_QUESTIONS)


def first_yes(answers: Mapping[str, bool | None]) -> str | None:
    """The first question, in the asking order, answered "yes"."""
    return next((slot for slot in TRIAGE_SLOTS if answers.get(slot) is True), None)


def questions_to_ask(answers: Mapping[str, bool | None]) -> list[str]:
    """The questions of this conversation: all of them, or those up to the first "yes"."""
    yes = first_yes(answers)
    return list(TRIAGE_SLOTS if yes is None else TRIAGE_SLOTS[: TRIAGE_SLOTS.index(yes) + 1])


def triage_outcome(answers: Mapping[str, bool | None]) -> str | None:
    """The red-flag group of the first "yes", or None when no answer is yes."""
    yes = first_yes(answers)
    return dict(TRIAGE_QUESTIONS)[yes] if yes else None
