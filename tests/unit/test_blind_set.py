"""The blind set (tests/nlu_blind): loads, is big and varied enough, and is never trained on."""

from collections import Counter
from pathlib import Path

from bot.core.training_data import dedup_key, load_examples
from bot.quality.cases import FOLLOWUP, QUESTION, RED_FLAG, load_blind

ROOT = Path(__file__).resolve().parents[2]
CASES = load_blind(ROOT / "tests" / "nlu_blind")


def test_the_blind_set_has_what_the_issue_asks():
    kinds = Counter(c.kind for c in CASES)
    assert len(CASES) >= 800
    assert kinds[FOLLOWUP] >= 100 and kinds[RED_FLAG] >= 80
    assert sum(1 for c in CASES if {"long", "compound"} & set(c.tags)) >= 0.4 * len(CASES)
    assert sum(1 for c in CASES if c.kind == QUESTION and {"negated", "old", "hypothetical"} & set(c.tags)) >= 150
    assert sum(1 for c in CASES if c.expect == ("out_of_scope",)) >= 60
    assert {c.group for c in CASES if c.kind == RED_FLAG} == set("ABCDEF")
    assert sum(1 for c in CASES if "retention" in c.tags) >= 10


def test_the_blind_set_shares_no_message_with_the_training_data_or_the_other_sets():
    others = {dedup_key(t) for folder in ("data/nlu", "tests/nlu", "tests/nlu_holdout")
              for _, t in load_examples(ROOT / folder)}
    # The second turn of a follow-up is a short elliptical phrase ("c'est grave ?"): a closed class.
    shared = [t for c in CASES for t in (c.turns[:1] if c.kind == FOLLOWUP else c.turns) if dedup_key(t) in others]
    assert shared == []


def test_every_expected_topic_and_aspect_is_known():
    import yaml

    from bot.core.followups import load_table

    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    aspects = set(load_table().aspects) | {"hours"}
    for case in CASES:
        assert set(case.expect) <= intents | {"statement"}, case
        if case.kind == FOLLOWUP:
            assert case.topic in intents and case.aspect in aspects, case
