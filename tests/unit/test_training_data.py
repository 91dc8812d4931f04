"""Training and test data: enough examples per intent, none shared, the test set kept apart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from bot.core.intents import PAYLOAD_ONLY_INTENTS
from bot.core.training_data import dedup_key as key
from bot.core.training_data import load_examples

ROOT = Path(__file__).resolve().parents[2]
# Payload-only intents (the widget's buttons) are never typed: nothing to learn or to test.
DOMAIN_INTENTS = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]) - set(
    PAYLOAD_ONLY_INTENTS
)


TRAIN = [(i, t) for i, t in load_examples(ROOT / "data" / "nlu") if i not in PAYLOAD_ONLY_INTENTS]
TEST = load_examples(ROOT / "tests" / "nlu")
# Written blind (without reading the training data or the test set): only measured, never trained on.
HOLDOUT = load_examples(ROOT / "tests" / "nlu_holdout")
ADDED_AFTER_HOLDOUT = {"ask_fracture_impact", "ask_ct_scan", "ask_guidelines"}


def test_every_intent_has_at_least_25_training_examples() -> None:
    counts = Counter(intent for intent, _ in TRAIN)
    assert set(counts) == DOMAIN_INTENTS
    assert {i: n for i, n in counts.items() if n < 25} == {}


def test_no_example_is_shared_between_intents_or_repeated() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for intent, text in TRAIN:
        k = key(text)
        if k in seen:
            clashes.append((text, seen[k], intent))
        seen[k] = intent
    assert clashes == []


def test_test_set_is_large_covers_every_intent_and_is_not_copied_from_training() -> None:
    assert len(TEST) >= 250
    assert {i for i, _ in TEST} == {i for i, _ in TRAIN}
    train_keys = {key(t) for _, t in TRAIN}
    copied = [t for _, t in TEST if key(t) in train_keys]
    assert copied == []


def test_holdout_set_covers_every_catalogue_intent_and_shares_nothing_with_training_or_test() -> None:
    assert len(HOLDOUT) >= 250
    assert {i for i, _ in HOLDOUT} <= DOMAIN_INTENTS
    # ask_procedure_details is reached by a button, rarely typed: the blind set may omit it. The intents
    # added after the blind set was written (issue 11) cannot be in it without breaking its blindness.
    assert DOMAIN_INTENTS - {i for i, _ in HOLDOUT} <= {"ask_procedure_details"} | ADDED_AFTER_HOLDOUT
    others = {key(t) for _, t in TRAIN} | {key(t) for _, t in TEST}
    assert [t for _, t in HOLDOUT if key(t) in others] == []
