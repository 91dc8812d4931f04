"""The content-review document's data: everything a doctor reads and signs, collected from the project.

Nothing here is written by hand: the answers come from domain.yml and config/practical.yml, their
quotes from the sources their `metadata.source` names, the follow-up questions from the triage form
and bot/core/triage.py, the examples from the red-flag test set, the thresholds from config.yml.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml

from bot.content.items import Answer, content_version, domain_answers, practical_answers
from bot.content.redflags import GroupExamples, RedFlagReview
from bot.content.sources import Library, Quote, Quotes
from bot.core.triage import TRIAGE_QUESTIONS, triage_outcome

REASSURE = "utter_triage_reassure"
THRESHOLD_MEANINGS = {
    ("FallbackClassifier", "threshold"): "Confiance minimale du sujet reconnu ; en dessous, l'assistant demande "
    "de reformuler (au deuxième échec de suite, il donne le numéro du secrétariat).",
    ("FallbackClassifier", "ambiguity_threshold"): "Écart minimal entre les deux sujets les plus probables ; en "
    "dessous, l'assistant demande de reformuler.",
    ("RedFlagComponent", "fallback_threshold"): "Le même seuil, appliqué quand un signal d'alarme que seul le "
    "classifieur a vu est écarté (mots niés, question sur un risque, antécédent ancien).",
    ("RedFlagComponent", "classifier_red_flag_confidence"): "Un signal d'alarme vu par le classifieur mais pas "
    "par le lexique donne la réponse d'urgence à partir de ce seuil ; en dessous, les questions de suivi.",
    ("RedFlagComponent", "CONFIDENT_QUESTION"): "Une question reconnue avec au moins cette confiance garde sa "
    "réponse même si elle cite un symptôme vague ; en dessous, les questions de suivi sont posées.",
    ("RulePolicy", "core_fallback_threshold"): "Confiance minimale du choix de la réponse ; en dessous, "
    "l'assistant dit ne pas avoir compris.",
}


@dataclass(frozen=True)
class Item:
    answer: Answer
    quotes: Quotes


@dataclass(frozen=True)
class TriageStep:
    order: int
    slot: str
    question: Item | None
    group_if_yes: str | None
    outcome_if_yes: str


@dataclass(frozen=True)
class Triage:
    form: str
    intro: Item | None
    steps: tuple[TriageStep, ...]
    outcome_all_no: str
    undeclared: tuple[str, ...]  # slots of bot/core/triage.py that the form does not ask


@dataclass(frozen=True)
class Emergency:
    group: GroupExamples
    answer: Item | None


@dataclass(frozen=True)
class Threshold:
    component: str
    name: str
    value: Any
    origin: str
    meaning: str


@dataclass
class Document:
    version: str
    generated_at: datetime
    items: list[Item]
    practical: list[Item]
    practical_values: list[tuple[str, str]]
    triage: Triage | None
    emergencies: list[Emergency]
    redflags: RedFlagReview
    thresholds: list[Threshold]
    files: list[tuple[str, str]]  # (path, sha256 short) of every file the document was built from
    to_check: list[Item] = field(default_factory=list)

    @property
    def all_items(self) -> list[Item]:
        return self.items + self.practical


def emergency_response(group: str | None) -> str:
    """The response that ends the follow-up questions (as actions/triage.py and the red-flag rules)."""
    return f"utter_red_flag_{group.lower()}" if group else REASSURE


def triage_table(domain: dict[str, Any], items: dict[str, Item]) -> Triage | None:
    """The follow-up questions in the order the form asks them, and where a first "yes" leads."""
    known = [slot for slot, _ in TRIAGE_QUESTIONS]
    forms = domain.get("forms") or {}
    for name, spec in forms.items():
        slots = (spec or {}).get("required_slots") or []
        if isinstance(slots, dict):  # the older form syntax
            slots = list(slots)
        if not set(slots) & set(known):
            continue
        steps = []
        for k, slot in enumerate(slots):
            answers: dict[str, bool | None] = {s: False for s in slots[:k]}
            answers[slot] = True
            group = triage_outcome(answers)
            steps.append(TriageStep(k + 1, slot, items.get(f"utter_ask_{slot}"), group, emergency_response(group)))
        intro = next((items[n] for n in items if n.startswith("utter_") and n.endswith("triage_intro")), None)
        return Triage(
            form=name,
            intro=intro,
            steps=tuple(steps),
            outcome_all_no=emergency_response(triage_outcome({s: False for s in slots})),
            undeclared=tuple(s for s in known if s not in slots),
        )
    return None


def thresholds(config: dict[str, Any], defaults: Callable[[str], dict[str, Any]] | None = None) -> list[Threshold]:
    """Every threshold and confidence of the NLU pipeline and the policies (config.yml, then the
    defaults of the project's own components that config.yml does not override)."""
    out = []
    for part in ("pipeline", "policies"):
        for spec in config.get(part) or []:
            full = str(spec.get("name", ""))
            short = full.rsplit(".", 1)[-1]
            values = {k: (v, "config.yml") for k, v in spec.items() if k != "name"}
            if defaults is not None and full.startswith("bot."):
                for k, v in defaults(full).items():
                    values.setdefault(k, (v, "valeur par défaut du composant"))
            for key, (value, origin) in values.items():
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                if not any(w in key.lower() for w in ("threshold", "confidence", "confident")):
                    continue
                out.append(Threshold(short, key, value, origin, THRESHOLD_MEANINGS.get((short, key), "")))
    return out


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "absent"


def build(
    domain: dict[str, Any],
    practical_data: dict[str, Any],
    library: Library,
    redflags: RedFlagReview,
    config: dict[str, Any],
    defaults: Callable[[str], dict[str, Any]] | None = None,
    files: Sequence[Path] = (),
    now: datetime | None = None,
    root: Path | None = None,
) -> Document:
    answers = domain_answers(domain)
    items = [Item(a, library.quotes_for(a.source, a.text)) for a in answers]
    by_name = {i.answer.id: i for i in items}
    practical = [Item(a, _practical_quotes(practical_data, a.text)) for a in practical_answers(practical_data)]
    emergencies = [Emergency(g, by_name.get(emergency_response(g.letter))) for g in redflags.groups]
    return Document(
        version=content_version([i.answer for i in items + practical]),
        generated_at=now or datetime.now().astimezone(),
        items=items,
        practical=practical,
        practical_values=[(k, _show(v)) for k, v in practical_data.items()],
        triage=triage_table(domain, by_name),
        emergencies=emergencies,
        redflags=redflags,
        thresholds=thresholds(config, defaults),
        files=[(_relative(p, root), file_hash(p)) for p in files],
        to_check=[i for i in items if i.quotes.unmatched_sentences or i.quotes.unknown_refs],
    )


def _practical_quotes(data: dict[str, Any], text: str) -> Quotes:
    """The values of the secretariat's file that the answer reads out."""
    used = []
    for key, value in data.items():
        parts = value if isinstance(value, list) else [value]
        if any(str(p) in text for p in parts if p not in (None, "")):
            used.append(f"{key} : {_show(value)}")
    if not used:
        used = ["(aucune valeur du fichier : la réponse dit que l'information manque et donne le numéro du centre)"]
    return Quotes("sources", [Quote("config/practical.yml", tuple(used))])


def _show(value: Any) -> str:
    if value in (None, "", []):
        return "(vide : l'assistant dit qu'il n'a pas l'information)"
    if isinstance(value, list):
        return " ; ".join(str(v) for v in value)
    return str(value)


def _relative(path: Path, root: Path | None) -> str:
    return os.path.relpath(path, root) if root else str(path)


def load_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a mapping is expected")
    return data
