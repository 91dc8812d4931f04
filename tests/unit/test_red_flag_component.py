"""When a vague-symptom match replaces the classifier's intent (bot.rasa_components.ambiguity_overrides)."""

from __future__ import annotations

import pytest

from bot.rasa_components import CONFIDENT_QUESTION, ambiguity_overrides


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        # A sure question keeps its answer: "en quoi le ciment calme le mal de dos ?"
        ({"name": "ask_mechanism", "confidence": 0.9}, False),
        ({"name": "ask_pain_after", "confidence": CONFIDENT_QUESTION}, False),
        # An unsure question, a non-question or a misunderstanding gets the follow-up questions.
        ({"name": "ask_mechanism", "confidence": CONFIDENT_QUESTION - 0.01}, True),
        ({"name": "greet", "confidence": 0.95}, True),
        ({"name": "nlu_fallback", "confidence": 0.3}, True),
        ({}, True),
        # Inside a form, yes / no / stop keep their meaning; a red flag is never downgraded.
        ({"name": "deny", "confidence": 0.2}, False),
        ({"name": "stop", "confidence": 0.2}, False),
        ({"name": "red_flag_a", "confidence": 0.2}, False),
    ],
)
def test_ambiguity_overrides(original: dict, expected: bool) -> None:
    assert ambiguity_overrides(original) is expected
