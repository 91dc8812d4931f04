"""Masking of phone numbers and e-mail addresses (pure function)."""

from __future__ import annotations

import pytest

from bot.console.masking import EMAIL_MASK, PHONE_MASK, mask_text


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
    "text", ["jean.dupont@exemple.fr", "j-d+rdv@mail.sante.gouv.fr", "Marie_L@Orange.FR", "émile@exemple.com"]
)
def test_email_addresses_are_masked(text: str) -> None:
    assert mask_text(f"écrivez à {text}.") == f"écrivez à {EMAIL_MASK}."


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
    once = mask_text("06 12 34 56 78 / x@y.fr")
    assert mask_text(once) == once
