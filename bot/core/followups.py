"""Elliptical follow-up questions answered against the topic of the previous answer (pure).

"combien d'heures ?" after the fasting answer must not get the 2-4 h of the going-home answer: the
classifier only recognises the aspect asked (intent `followup_<aspect>`), and the table in
followups.yml decides the answer from the topic of the last answer given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from bot.core.intents import FALLBACK_INTENT
from bot.core.practical import PRACTICAL_INTENTS

TABLE_FILE = Path(__file__).with_name("followups.yml")
FOLLOWUP_PREFIX = "followup_"
PRACTICAL_PREFIX = "practical:"


def followup_intent(aspect: str) -> str:
    return f"{FOLLOWUP_PREFIX}{aspect}"


def aspect_of(intent: str | None) -> str | None:
    """"followup_duration" -> "duration"; None for any other intent."""
    name = str(intent or "")
    return name.removeprefix(FOLLOWUP_PREFIX) if name.startswith(FOLLOWUP_PREFIX) else None


@dataclass(frozen=True)
class FollowupTable:
    aspects: Mapping[str, Mapping[str, str]]
    topics: Mapping[str, Mapping[str, Any]]
    unknown: str
    relative_intro: str

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(followup_intent(a) for a in self.aspects)

    def topic_answer(self, topic: str) -> str:
        """The answer of a topic: its response, or the practical answer for the secretariat's topics."""
        return f"{PRACTICAL_PREFIX}{topic}" if topic in PRACTICAL_INTENTS else f"utter_{topic}"

    def resolve(self, topic: str | None, aspect: str) -> list[str]:
        """What to say, in order: response names, or `practical:<intent>` for a practical answer."""
        if aspect not in self.aspects:
            return [self.unknown]
        if not topic:
            return [self.aspects[aspect]["without_topic"]]
        if aspect == "relative":
            return [self.relative_intro, self.topic_answer(topic)]
        cell = (self.topics.get(topic) or {}).get(aspect)
        if cell is None:
            return [self.unknown]
        return list(cell) if isinstance(cell, list) else [str(cell)]

    def response_names(self) -> set[str]:
        """Every response the table can say (a test checks that each exists in the domain)."""
        names = {self.unknown, self.relative_intro}
        names.update(a["without_topic"] for a in self.aspects.values())
        for cells in self.topics.values():
            for cell in cells.values():
                names.update(cell if isinstance(cell, list) else [cell])
        return names


def parse_table(data: Mapping[str, Any]) -> FollowupTable:
    return FollowupTable(
        aspects=data["aspects"], topics=data.get("topics") or {},
        unknown=data["unknown"], relative_intro=data["relative_intro"],
    )


@lru_cache(maxsize=1)
def load_table(path: Path = TABLE_FILE) -> FollowupTable:
    return parse_table(yaml.safe_load(path.read_text(encoding="utf-8")))


def topic_of_answer(response: str | None, metadata_topic: str | None = None) -> str | None:
    """The topic of a bot message: the `topic` it carries, or the intent its response answers.

    Only questions are topics: a goodbye or a thanks said after an answer leaves the topic as it was.
    """
    if metadata_topic:
        return metadata_topic if metadata_topic.startswith("ask_") else None
    name = str(response or "")
    if name.startswith("utter_ask_"):
        return name.removeprefix("utter_")
    return None


def last_topic(events: Iterable[Mapping[str, Any]]) -> str | None:
    """The topic of the latest answer in a conversation's events (serialised, oldest first)."""
    topic = None
    for event in events:
        if event.get("event") == "bot":
            meta = event.get("metadata") or {}
            found = topic_of_answer(meta.get("utter_action"), meta.get("topic"))
            if found:
                topic = found
        elif event.get("event") == "session_started":
            topic = None
    return topic


# A follow-up is short: a longer message the classifier could not read is not rescued by the context.
FOLLOWUP_MAX_WORDS = 10
# The follow-up intents together must weigh this much when none of them is the classifier's first.
FOLLOWUP_SHARE = 0.35


def aspect_in_context(ranking: Iterable[Mapping[str, Any]], topic: str | None, text: str) -> str | None:
    """The aspect asked by a short message the classifier was unsure of, when an answer came before.

    "et c'est pour toujours ?" after the results answer falls below the fallback threshold on its
    own, yet it can only be a follow-up: with a previous topic, the follow-up intents of the
    classifier's ranking decide. None without a topic, for a long message, or when the ranking
    points elsewhere.
    """
    if not topic or len(str(text or "").split()) > FOLLOWUP_MAX_WORDS:
        return None
    items = [(str(i.get("name") or ""), float(i.get("confidence") or 0.0)) for i in ranking]
    items = [(name, conf) for name, conf in items if name != FALLBACK_INTENT]
    followups = [(name, conf) for name, conf in items if aspect_of(name)]
    if not followups:
        return None
    if aspect_of(items[0][0]) or sum(conf for _, conf in followups) >= FOLLOWUP_SHARE:
        return aspect_of(followups[0][0])
    return None
