"""Every answer as a patient reads it: the domain's responses with their slots filled in, and the
practical answers built from config/practical.yml. Used by the readability checks (tests, bench)."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot import settings
from bot.core.centre import Centre, fill, load_centre
from bot.core.practical import PRACTICAL_INTENTS, PracticalInfo, answer_for

EXAMPLE_CALLBACK_PHONE = "06 12 34 56 78"  # the patient's own number in utter_callback_saved


def rendered(text: str, centre: Centre | None = None) -> str:
    """A domain text filled in as Rasa fills it during a conversation."""
    return (fill(text, centre).replace("{retention_days}", str(settings.RETENTION_DAYS))
            .replace("{cb_phone}", EXAMPLE_CALLBACK_PHONE))


def patient_texts(root: Path = settings.PROJECT_ROOT) -> list[tuple[str, str]]:
    """(name, text) of every response variation of the domain and every practical answer."""
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8"))
    centre = load_centre()
    texts = [(name, rendered(item["text"], centre))
             for name, items in domain["responses"].items() for item in items if item.get("text")]
    data = PracticalInfo(root / "config" / "practical.yml").data()
    return texts + [(f"practical:{intent}", answer_for(intent, data, centre).text) for intent in PRACTICAL_INTENTS]
