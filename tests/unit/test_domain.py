"""The domain's answers: traceable, short, reachable, and never inventing what the sources lack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES: dict[str, list[dict]] = DOMAIN["responses"]
INTENTS: list[str] = DOMAIN["intents"]
FORM_INTENTS = {"affirm", "deny", "stop"}
NO_ANSWER_INTENTS = FORM_INTENTS | {"request_callback", "report_symptom_unclear"} | {
    i for i in INTENTS if i.startswith("red_flag_")
}


def rule_actions() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in (ROOT / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            steps = rule["steps"]
            for a, b in zip(steps, steps[1:]):
                if "intent" in a and "action" in b:
                    found.setdefault(a["intent"], []).append(b["action"])
    return found


def variations():
    for name, items in RESPONSES.items():
        for item in items:
            yield name, item


@pytest.mark.parametrize("name,item", list(variations()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_response_names_its_source(name: str, item: dict) -> None:
    source = (item.get("metadata") or {}).get("source", "")
    assert source, f"{name} has no metadata.source"
    assert re.search(r"page|faits|aucun fait|practical file", source), f"{name}: unknown source kind {source!r}"


@pytest.mark.parametrize("name,item", list(variations()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_message_is_short_enough_for_an_elderly_reader(name: str, item: dict) -> None:
    words = len(item.get("text", "").split())
    assert words <= 80, f"{name}: {words} words"
    sentences = [s for s in re.split(r"[.!?:]\s", item.get("text", "")) if s.strip()]
    assert all(len(s.split()) <= 30 for s in sentences), f"{name}: a sentence is over 30 words"


def test_every_question_intent_has_a_rule_and_an_answer() -> None:
    rules = rule_actions()
    for intent in INTENTS:
        if intent in NO_ANSWER_INTENTS:
            continue
        assert intent in rules, f"no rule answers {intent}"
        for action in rules[intent]:
            assert action in RESPONSES or action in DOMAIN["actions"] or action.endswith("_form"), action


def test_every_red_flag_answer_starts_with_the_emergency_and_shows_the_numbers() -> None:
    rules = rule_actions()
    for group in "abcdef":
        intent = f"red_flag_{group}"
        assert rules[intent][0] == f"utter_{intent}", "the emergency answer must come first, from the domain"
        text = RESPONSES[f"utter_{intent}"][0]["text"]
        assert text.startswith("🚨")
        assert "114" in text
        if group == "f":
            assert "3114" in text and "15" in text
        else:
            assert "15" in text and "112" in text and "01 39 63 71 39" in text


def test_buttons_point_to_known_intents() -> None:
    for name, item in variations():
        for button in item.get("buttons", []):
            payload = button["payload"]
            if payload.startswith("/"):
                assert payload[1:] in INTENTS, f"{name}: button to unknown intent {payload}"


def test_fasting_never_gives_a_number_of_hours() -> None:
    text = RESPONSES["utter_ask_fasting"][0]["text"]
    assert "à jeun" in text
    assert not re.search(r"\d+\s*(h|heures?)\b", text)


def test_answers_never_tell_to_stop_a_medicine_alone() -> None:
    text = RESPONSES["utter_ask_anticoagulants"][0]["text"].lower()
    assert "n'arrêtez jamais seul" in text and "l'équipe qui décide" in text


def test_going_home_and_results_say_what_the_page_says() -> None:
    assert "2 à 4 heures" in RESPONSES["utter_ask_going_home"][0]["text"]
    results = RESPONSES["utter_ask_results"][0]["text"]
    assert "90 %" in results and "expérience du centre" in results and "pas une promesse" in results
    assert "20 séances" in RESPONSES["utter_ask_physiotherapy"][0]["text"]


def test_no_answer_promises_opening_hours() -> None:
    for name, item in variations():
        assert not re.search(r"24\s*h\s*/\s*24|7\s*j\s*/\s*7", item.get("text", "")) or name == "utter_red_flag_f", name
