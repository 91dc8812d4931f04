"""French names of the topics: one for every intent of the domain, used everywhere in the console."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.topics import (
    EXTRA_LABELS,
    TOPIC_NAMES,
    answer_name,
    group_name,
    label_choices,
    topic_name,
)

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def test_every_domain_intent_has_a_french_name() -> None:
    missing = [i for i in DOMAIN["intents"] if i not in TOPIC_NAMES]
    assert missing == []
    assert not any("_" in name for name in TOPIC_NAMES.values())  # French words, not intent names
    assert len(set(TOPIC_NAMES.values())) == len(TOPIC_NAMES)  # no two topics read the same


def test_names_as_the_staff_read_them() -> None:
    assert topic_name("ask_fasting") == "Jeûne"
    assert topic_name("ask_going_home") == "Retour à la maison"
    assert topic_name("red_flag_a") == "Alerte A : jambes, vessie"
    assert group_name("A") == "Alerte A : jambes, vessie"
    assert topic_name("nlu_fallback") == "Non compris"
    assert topic_name("hors_sujet") == "Hors sujet"
    assert topic_name("inconnu") == "inconnu" and topic_name(None) == "—"
    assert answer_name("utter_ask_fasting") == "Jeûne"
    assert answer_name("action_practical_answer:ask_cost") == "Prix, remboursement"
    assert answer_name("utter_default") == "Demande de reformulation"


def test_review_labels_are_the_topics_then_off_topic_and_new_topic() -> None:
    choices = label_choices()
    values = [value for value, _ in choices]
    assert values[-2:] == list(EXTRA_LABELS)
    assert "ask_fasting" in values and "red_flag_a" in values
    assert not {"affirm", "deny", "stop", "feedback", "nlu_fallback", "out_of_scope"} & set(values)
    assert len(values) == len(set(values)) and len({n for _, n in choices}) == len(choices)
