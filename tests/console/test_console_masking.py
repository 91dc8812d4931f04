"""Masking of phone numbers, e-mail addresses and social-security numbers (pure function)."""

from __future__ import annotations

import time

import pytest

from bot.console.masking import EMAIL_MASK, NIR_MASK, PHONE_MASK, mask_text


@pytest.mark.parametrize(
    "text",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "01 39 63 71 39",
        "09/87/65/43/21",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "0033612345678",
        "0 800 123 456",
        "0 6 1 2 3 4 5 6 7 8",
    ],
)
def test_french_phone_numbers_are_masked(text: str) -> None:
    masked = mask_text(f"rappelez-moi au {text} merci")
    assert masked == f"rappelez-moi au {PHONE_MASK} merci"


@pytest.mark.parametrize(
    "text",
    [
        "+44 20 7946 0958",
        "+44 (0)20 7946 0958",
        "0044 20 7946 0958",
        "+32 470 12 34 56",
        "+41 79 123 45 67",
        "+1 (555) 123-4567",
        "+212 6 12 34 56 78",
        "+49 30 901820",
        "+352 621 123 456",
    ],
)
def test_foreign_phone_numbers_are_masked(text: str) -> None:
    assert mask_text(f"rappelez-moi au {text} merci") == f"rappelez-moi au {PHONE_MASK} merci"


@pytest.mark.parametrize(
    "text",
    [
        "jean.dupont@exemple.fr", "j-d+rdv@mail.sante.gouv.fr", "Marie_L@Orange.FR", "émile@exemple.com",
        "o'brien@exemple.ie", "jean.dupont @ exemple.fr", "jean.dupont(at)exemple.fr", "jean.dupont [at] exemple.fr",
        "jean.dupont@exemple[dot]fr", "jean point dupont arobase gmail point com", "jean arobase orange point fr",
        "Jean Point Dupont Arobase Free Point FR", "jeandupont at gmail dot com",
    ],
)
def test_email_addresses_are_masked(text: str) -> None:
    assert mask_text(f"écrivez à {text}.") == f"écrivez à {EMAIL_MASK}."


@pytest.mark.parametrize(
    "text",
    [
        "1 85 05 78 006 084 36",
        "185057800608436",
        "2 91 12 2A 123 456 78",
        "2.91.12.2B.123.456.78",
        "1-85-05-78-006-084-36",
        "1 85 05 78 006 084",  # without its key
        "2850799123456",
        "7 85 05 78 006 084 36",  # provisional number
    ],
)
def test_social_security_numbers_are_masked(text: str) -> None:
    assert mask_text(f"mon numéro de sécu : {text}, merci") == f"mon numéro de sécu : {NIR_MASK}, merci"


@pytest.mark.parametrize(
    "text",
    [
        "j'ai 82 ans et deux vertèbres fracturées",
        "rendez-vous le 12/03/2025 à 14 h 30",
        "né le 12 03 1950",
        "douleur à 7 sur 10 depuis 3 jours",
        "dossier 123456789012",
        "code postal 78150",
        "appelez le 15 ou le 112, ou le 3114",
        "il reste 2 à 4 heures en observation, 90 % des patients vont mieux",
        "le point sur la douleur : 3 sur 10 à 14 h 30",
        "dossier n° 2024-00123",
        "+5 kg depuis l'intervention",
        "je suis rentré à la maison. Merci",
        "c'est au point mort, à l'hôpital",
    ],
)
def test_other_numbers_are_kept(text: str) -> None:
    assert mask_text(text) == text


def test_several_items_and_empty_values() -> None:
    text = "fille : 06 11 22 33 44, fils : +33 7 55 66 77 88, mail a@b.fr"
    assert mask_text(text) == f"fille : {PHONE_MASK}, fils : {PHONE_MASK}, mail {EMAIL_MASK}"
    assert mask_text("") == ""
    assert mask_text(None) == ""


def test_masking_is_idempotent() -> None:
    once = mask_text("06 12 34 56 78 / x@y.fr / +44 20 7946 0958 / 1 85 05 78 006 084 36")
    assert mask_text(once) == once


def test_long_texts_without_addresses_are_masked_quickly() -> None:
    # Texts a regular expression could backtrack on forever: dotted words, "point" words, digit runs.
    texts = ["a." * 20_000 + "!", "mot point " * 5_000 + "fin", "1 " * 10_000, "+" + "1 " * 5_000, "a@" * 10_000]
    start = time.perf_counter()
    for text in texts:
        mask_text(text)
    assert time.perf_counter() - start < 2.0
