"""docs/intents.md against domain.yml: every intent documented, nothing documented that the domain lacks,
and an intent with no `utter_<intent>` says what answers it (a response, action or form of the domain)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
INTENTS = {i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]}
# "- name: meaning" or "- first … last: meaning" (a lettered range), continued on indented lines.
RASA_ACTIONS = {"action_deactivate_loop"}  # Rasa's own, never declared in a domain
ENTRY = re.compile(r"^- ([a-z_]+)(?: … ([a-z_]+))?: (.*(?:\n  .*)*)", re.M)


def catalogue() -> dict[str, str]:
    """Documented intent → its text."""
    entries: dict[str, str] = {}
    for first, last, text in ENTRY.findall((ROOT / "docs" / "intents.md").read_text(encoding="utf-8")):
        names = [first]
        if last:
            stem = first[:-1]
            assert last.startswith(stem) and first[-1] < last[-1], (first, last)
            names = [stem + chr(c) for c in range(ord(first[-1]), ord(last[-1]) + 1)]
        for name in names:
            assert name not in entries, f"{name} documented twice"
            entries[name] = text
    return entries


def test_every_intent_of_the_domain_is_documented_and_nothing_else() -> None:
    documented = set(catalogue())
    assert INTENTS - documented == set(), "intents missing from docs/intents.md"
    assert documented - INTENTS == set(), "docs/intents.md lists intents the domain does not have"


def test_an_intent_without_its_own_response_names_what_answers_it() -> None:
    known = set(DOMAIN["responses"]) | set(DOMAIN.get("actions", [])) | set(DOMAIN.get("forms", {})) | RASA_ACTIONS
    for intent, text in catalogue().items():
        if f"utter_{intent}" in DOMAIN["responses"]:
            continue
        named = set(re.findall(r"`((?:utter|action)_[a-z_]+|[a-z_]+_form)`", text))
        assert named, f"{intent}: no utter_{intent} in domain.yml, and its line names no answer"
        assert named <= known, f"{intent}: docs/intents.md names {sorted(named - known)}, unknown to domain.yml"
