"""What one reply of the assistant did, read from the tracker's events of that turn (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from bot.core.intents import FALLBACK_INTENT, is_red_flag_intent, red_flag_group

TRIAGE_INTRO = "utter_triage_intro"
FALLBACK_RESPONSES = frozenset({"utter_default", "utter_fallback_secretariat"})
# Answers that serve several intents (the rules in data/rules).
SHARED_ANSWERS: dict[str, tuple[str, ...]] = {
    "utter_book_appointment": ("book_appointment", "change_appointment"),
    "utter_callback_intro": ("request_callback",),
    "utter_acknowledge": ("statement", "greet", "inform_situation"),
    "utter_greet": ("greet", "statement"),
}


@dataclass
class Outcome:
    """One turn: the understood intent, the classifier's best guess, and the answers given in order."""

    intent: str = ""
    top1: str = ""
    # The group the intent classifier alone would have raised the emergency for (the second net).
    classifier_red_flag: str | None = None
    responses: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    @property
    def emergency_groups(self) -> list[str]:
        return [g for g in (red_flag_group(r.removeprefix("utter_")) for r in self.responses) if g]

    @property
    def first_emergency(self) -> str | None:
        """The group of the emergency answer when it is the FIRST thing said, else None."""
        first = self.responses[0] if self.responses else ""
        return red_flag_group(first.removeprefix("utter_"))

    @property
    def triage_started(self) -> bool:
        return TRIAGE_INTRO in self.responses

    @property
    def fallback(self) -> bool:
        return any(r in FALLBACK_RESPONSES for r in self.responses)

    @property
    def answered(self) -> set[str]:
        """The intents whose answer was given (utter_ask_x answers ask_x)."""
        topics: set[str] = set()
        for name in self.responses:
            if name in SHARED_ANSWERS:
                topics.update(SHARED_ANSWERS[name])
            elif name.startswith("utter_"):
                topics.add(name.removeprefix("utter_"))
            elif name.startswith("topic:"):
                topics.add(name.removeprefix("topic:"))
        return topics


def top_intent(parse: dict[str, Any]) -> str:
    """The classifier's best intent before the fallback and the red-flag component changed it."""
    for item in parse.get("intent_ranking") or []:
        name = str(item.get("name") or "")
        if name != FALLBACK_INTENT and not is_red_flag_intent(name):
            return name
    return FALLBACK_INTENT


# bot.rasa_server.components.RedFlagComponent's default: a classifier's red flag below it gets the follow-up
# questions, not the emergency answer.
CLASSIFIER_RED_FLAG_CONFIDENCE = 0.8


def classifier_red_flag(parse: dict[str, Any], threshold: float = CLASSIFIER_RED_FLAG_CONFIDENCE) -> str | None:
    """The group of the emergency the classifier alone would have raised, without the detector.

    When the detector fired, the red-flag component keeps the classifier's intent on its entity; otherwise
    the understood intent is the classifier's, already weighed by the component.
    """
    for entity in parse.get("entities") or []:
        if entity.get("entity") == "red_flag_group" and "original_intent" in entity:
            original = entity.get("original_intent") or {}
            name = str(original.get("name") or "")
            return red_flag_group(name) if float(original.get("confidence") or 0.0) >= threshold else None
    return red_flag_group(str((parse.get("intent") or {}).get("name") or ""))


def outcome_of_turn(events: Iterable[dict[str, Any]]) -> Outcome:
    """`events`: the serialised tracker events from the user's message (included) to the end of the turn.

    An answer given by a custom action without a response name carries `topic` in its metadata.
    """
    out = Outcome()
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            out.intent = str((parse.get("intent") or {}).get("name") or "")
            out.top1 = top_intent(parse)
            out.classifier_red_flag = classifier_red_flag(parse)
        elif kind == "action" and event.get("name") != "action_listen":
            out.actions.append(str(event.get("name")))
        elif kind == "bot":
            meta = event.get("metadata") or {}
            name = str(meta.get("utter_action") or "")
            if meta.get("topic") and not name.startswith("utter_"):
                name = f"topic:{meta['topic']}"  # a practical answer: its topic is what it answers
            out.responses.append(name or "?")
    return out
