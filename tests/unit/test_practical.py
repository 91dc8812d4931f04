"""Practical answers come from config/centre.yml and config/practical.yml and never invent what they lack."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.centre import load_centre
from bot.core.practical import PRACTICAL_INTENTS, PracticalInfo, answer_for

ROOT = Path(__file__).resolve().parents[2]
REAL = yaml.safe_load((ROOT / "config" / "practical.yml").read_text(encoding="utf-8"))
CENTRE = load_centre()


def test_contact_gives_the_phone_email_and_address_of_the_centre() -> None:
    text = answer_for("ask_contact", REAL).text
    assert "01 39 63 71 39" in text and "sec.coro.hpp2@ramsaysante.fr" in text and "21 rue Moxouris" in text


def test_missing_hours_access_and_prices_are_said_missing_with_the_number() -> None:
    for intent in ("ask_opening_hours", "ask_cost"):
        text = answer_for(intent, REAL).text
        assert "Je n'ai pas" in text and "01 39 63 71 39" in text
        assert not re.search(r"\d{1,2}\s?h\b", text), "no invented hours"
    address = answer_for("ask_address", REAL).text
    assert "21 rue Moxouris" in address and "Je n'ai pas d'information sur l'accès ni le stationnement" in address


def test_values_the_staff_add_are_used() -> None:
    data = {**REAL, "horaires": "du lundi au vendredi, de 9 h à 17 h", "stationnement": "parking de Parly 2"}
    assert "du lundi au vendredi" in answer_for("ask_opening_hours", data).text
    address = answer_for("ask_address", data).text
    assert "parking de Parly 2" in address and "l'accès" in address and CENTRE.phone in address


def test_parly_2_waits_for_the_secretariats_confirmation() -> None:
    # The page writes "Centre embolisation Parly 2" under the address without saying what it is.
    assert REAL["repere"] is None and "CONFIRMER" in (ROOT / "config" / "practical.yml").read_text(encoding="utf-8")
    assert "Parly" not in answer_for("ask_address", REAL).text
    assert f"{CENTRE.address} (Parly 2)" in answer_for("ask_contact", {**REAL, "repere": "Parly 2"}).text


def test_what_to_bring_lists_the_files_items_and_admits_missing_documents() -> None:
    text = answer_for("ask_what_to_bring", REAL).text
    assert "IRM" in text and "prise de sang" in text and "papiers administratifs" in text
    assert "Je n'ai pas la liste" in answer_for("ask_what_to_bring", {}).text


@pytest.mark.parametrize("intent", PRACTICAL_INTENTS)
def test_an_empty_file_still_gives_a_safe_answer(intent: str) -> None:
    assert CENTRE.phone in answer_for(intent, {}).text


def test_the_file_is_read_again_when_the_staff_change_it(tmp_path: Path) -> None:
    path = tmp_path / "practical.yml"
    path.write_text("telephone: '01 11 11 11 11'\n", encoding="utf-8")
    info = PracticalInfo(path)
    assert info.data()["telephone"] == "01 11 11 11 11"
    path.write_text("telephone: '01 22 22 22 22'\n", encoding="utf-8")
    import os

    os.utime(path, (1, 1))
    assert info.data()["telephone"] == "01 22 22 22 22"


def test_the_domains_answers_write_no_phone_number_but_the_centres_slot() -> None:
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    texts = " ".join(item["text"] for items in responses.values() for item in items)
    numbers = set(re.findall(r"0\d(?: \d\d){4}", texts)) - {"06 12 34 56 78"}  # the example in a question
    assert numbers == set() and "{centre_phone}" in texts
