"""Every answer a patient can read, collected from domain.yml and config/practical.yml.

An answer is one response of the domain (all its variations) or one practical answer built by
bot/core/practical.py from the secretariat's file. Its version is the hash of what the patient reads:
texts, buttons, and the channel or condition that selects a variation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from bot.core.practical import PRACTICAL_INTENTS, PracticalInfo, answer_for
from bot.core.voice import spoken_choices, to_speech

VOICE_CHANNEL = "twilio_voice"
PRACTICAL_PREFIX = "pratique:"
PRACTICAL_SOURCE = "config/practical.yml (modifié par le secrétariat)"
PRACTICAL_LABELS = {
    "ask_contact": "Contact du centre",
    "ask_address": "Adresse et accès",
    "ask_opening_hours": "Horaires",
    "ask_cost": "Prix et remboursement",
    "ask_what_to_bring": "Ce qu'il faut apporter",
}
SHORT = 12  # characters of a hash shown to people


@dataclass(frozen=True)
class Variation:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    channel: str = ""
    condition: str = ""
    extra: str = ""  # image, attachment or custom payload, shown as text

    def canonical(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "buttons": [list(b) for b in self.buttons],
            "channel": self.channel,
            "condition": self.condition,
            "extra": self.extra,
        }

    def spoken(self) -> str:
        """What a caller hears (bot/rasa_server/channels.py: the text for speech, then the choices)."""
        choices = spoken_choices([title for title, _ in self.buttons]) if self.buttons else ""
        return f"{to_speech(self.text)} {choices}".strip()


@dataclass(frozen=True)
class Answer:
    id: str
    kind: str  # "domaine" | "pratique"
    label: str
    source: str
    variations: tuple[Variation, ...]

    @property
    def web(self) -> tuple[Variation, ...]:
        return tuple(v for v in self.variations if v.channel != VOICE_CHANNEL)

    @property
    def voice(self) -> tuple[Variation, ...]:
        """Rasa picks a `channel: twilio_voice` variation on the phone when there is one."""
        own = tuple(v for v in self.variations if v.channel == VOICE_CHANNEL)
        return own or tuple(v for v in self.variations if not v.channel)

    @property
    def text(self) -> str:
        return "\n".join(v.text for v in self.variations if v.text)

    @property
    def version(self) -> str:
        """sha256 of what the patient reads (64 hex characters)."""
        return _sha256([v.canonical() for v in self.variations])

    @property
    def short_version(self) -> str:
        return self.version[:SHORT]


def _sha256(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def content_version(answers: Iterable[Answer]) -> str:
    """Short hash of every answer's text: changes when any text, button or variation changes."""
    return _sha256(sorted((a.id, a.version) for a in answers))[:SHORT]


def _variation(item: dict[str, Any]) -> Variation:
    buttons = tuple((str(b.get("title", "")), str(b.get("payload", ""))) for b in item.get("buttons") or [])
    condition = item.get("condition")
    extra = {k: item[k] for k in ("image", "attachment", "custom") if item.get(k)}
    return Variation(
        text=str(item.get("text") or ""),
        buttons=buttons,
        channel=str(item.get("channel") or ""),
        condition=json.dumps(condition, ensure_ascii=False, sort_keys=True) if condition else "",
        extra=json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else "",
    )


def domain_answers(domain: dict[str, Any]) -> list[Answer]:
    """One answer per response of the domain, in the domain's order."""
    answers = []
    for name, items in (domain.get("responses") or {}).items():
        items = [i for i in items or [] if isinstance(i, dict)]
        sources = [str((i.get("metadata") or {}).get("source", "")).strip() for i in items]
        source = "; ".join(dict.fromkeys(s for s in sources if s))
        answers.append(Answer(name, "domaine", name, source, tuple(_variation(i) for i in items)))
    return answers


def practical_answers(data: dict[str, Any]) -> list[Answer]:
    """The answers bot/core/practical.py builds from the secretariat's file, as a patient reads them now."""
    answers = []
    for intent in PRACTICAL_INTENTS:
        built = answer_for(intent, data)
        variation = Variation(built.text, tuple(built.buttons))
        label = PRACTICAL_LABELS.get(intent, intent)
        answers.append(Answer(PRACTICAL_PREFIX + intent, "pratique", label, PRACTICAL_SOURCE, (variation,)))
    return answers


def load_domain(path: Path) -> dict[str, Any]:
    return _load_domain(path, *_stamp(path))


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=4)
def _load_domain(path: Path, _mtime: int, _size: int) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a mapping is expected")
    return data


def load_practical(path: Path) -> dict[str, Any]:
    return PracticalInfo(path).data()


def all_answers(domain_path: Path, practical_path: Path) -> tuple[Answer, ...]:
    """Every answer of the domain, then every practical answer (files read again when they change)."""
    return _all_answers(domain_path, _stamp(domain_path), practical_path, _stamp(practical_path))


@lru_cache(maxsize=4)
def _all_answers(
    domain_path: Path, _d: tuple[int, int], practical_path: Path, _p: tuple[int, int]
) -> tuple[Answer, ...]:
    return (*domain_answers(load_domain(domain_path)), *practical_answers(load_practical(practical_path)))
