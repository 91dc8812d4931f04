"""Elliptical follow-ups answered against the previous topic (bot/core/followups.py, bot/core/followups.yml)."""

import re
from pathlib import Path

import yaml

from bot.core.followups import aspect_of, last_topic, load_table

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
TABLE = load_table()


def test_every_answer_of_the_table_exists_and_every_aspect_is_an_intent_with_a_rule():
    responses = set(DOMAIN["responses"])
    assert TABLE.response_names() <= responses
    assert set(TABLE.intents) <= set(DOMAIN["intents"])
    rules = (ROOT / "data" / "rules" / "faq.yml").read_text(encoding="utf-8")
    for intent in TABLE.intents:
        assert f"intent: {intent}\n      - action: action_answer_followup" in rules


def test_every_topic_of_the_table_is_an_intent():
    assert set(TABLE.topics) <= set(DOMAIN["intents"])


def test_fasting_follow_ups_never_get_a_number_of_hours():
    hours = re.compile(r"\d+\s*(h\b|heure)")
    for aspect in TABLE.aspects:
        for name in TABLE.resolve("ask_fasting", aspect):
            if name.startswith("utter_"):
                text = " ".join(v["text"] for v in DOMAIN["responses"][name])
                assert not hours.search(text), (aspect, name)


def test_answers_in_context():
    assert TABLE.resolve("ask_fasting", "duration") == ["utter_fu_fasting_hours"]
    assert TABLE.resolve("ask_cement_leak", "severity") == ["utter_fu_cement_leak_severity"]
    assert TABLE.resolve("ask_vertebral_fracture", "treatment") == ["utter_ask_alternatives"]
    assert TABLE.resolve("ask_results", "duration") == ["utter_ask_relief_time"]
    assert TABLE.resolve("ask_duration", "several_vertebrae") == ["utter_fu_duration_several"]
    assert TABLE.resolve("ask_osteoporosis", "men") == ["utter_fu_osteoporosis_men"]
    assert TABLE.resolve("ask_going_home", "next") == ["utter_ask_aftercare"]


def test_relatives_get_the_same_answer_and_unknown_pairs_say_so():
    assert TABLE.resolve("ask_anticoagulants", "relative") == ["utter_fu_relative", "utter_ask_anticoagulants"]
    assert TABLE.resolve("ask_address", "relative") == ["utter_fu_relative", "practical:ask_address"]
    assert TABLE.resolve("ask_history", "men") == ["utter_fu_unknown"]
    assert TABLE.resolve(None, "duration") == ["utter_ask_duration"]


def test_the_topic_is_the_latest_answer_of_the_session():
    events = [
        {"event": "bot", "metadata": {"utter_action": "utter_ask_fasting"}},
        {"event": "bot", "metadata": {"utter_action": "utter_fu_fasting_hours", "topic": "ask_fasting"}},
        {"event": "user", "text": "et l'eau ?"},
    ]
    assert last_topic(events) == "ask_fasting"
    assert last_topic([*events, {"event": "bot", "metadata": {"topic": "ask_address"}}]) == "ask_address"
    assert last_topic([*events, {"event": "session_started"}]) is None
    # "… ? merci, au revoir": the goodbye said second does not become the topic
    assert last_topic([*events, {"event": "bot", "metadata": {"utter_action": "utter_goodbye", "topic": "goodbye"}}]) \
        == "ask_fasting"
    assert aspect_of("followup_water") == "water" and aspect_of("ask_fasting") is None
