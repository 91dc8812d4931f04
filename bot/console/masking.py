"""Masking of identifiers in free text (lists and exports): phone numbers (French and foreign), e-mail
addresses (also written out or dictated, "jean point dupont arobase gmail point com") and the French
social-security number (NIR)."""

from __future__ import annotations

import re

PHONE_MASK = "[tél. masqué]"
EMAIL_MASK = "[e-mail masqué]"
NIR_MASK = "[n° de sécurité sociale masqué]"

_SEP = r"[ .\-/]?"
# French numbers: 0X XX XX XX XX, +33 X.., 0033 X.., +33 (0)X.., with spaces, dots, dashes or nothing
# between pairs; also the 0 800 / 0 8XX shape (1-3-3-2) used by numéros verts.
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?|0)"
    r"[1-9]"
    r"(?:" + _SEP + r"\d{2}){4}"
    r"(?!\d)"
    r"|(?<![\w+])0\s?8\d{2}" + _SEP + r"\d{3}" + _SEP + r"\d{3}(?!\d)"
)
# International form of any country: + or 00, then digits in any grouping (spaces, dots, dashes, slashes,
# brackets, "(0)"); 8 to 15 digits in all (ITU E.164), counted by `_mask_international`.
_INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|00)\s?\(?\d[\d().\-/ ]{4,30}\d(?!\d)")
# Digits written with a space between every digit ("0 6 1 2 3 4 5 6 7 8"), as dictated to a voice channel.
_SPELLED = re.compile(r"(?<![\w+])(?:\+\s?3\s?3|0)(?:[ .\-]?\d){9}(?!\d)")

# Bounded parts (an address has at most a few dotted words, each of at most 64 characters): the work per
# starting position is bounded, so a long text is masked in linear time.
_WORD = r"[\w+\-'%]{1,64}"
_DOT = r"(?:\.|\s+(?:point|dot)\s+|\s*[\[(](?:point|dot)[\])]\s*)"
_AT = r"(?:\s*@\s*|\s*[\[(](?:at|arobase|arrobase)[\])]\s*|\s+(?:arobase|arrobase|at)\s+)"
_EMAIL = re.compile(
    _WORD + r"(?:" + _DOT + _WORD + r"){0,6}" + _AT + r"[\w\-]{1,63}(?:" + _DOT + r"[\w\-]{1,63}){0,6}" + _DOT
    + r"[^\W\d_]{2,24}\b",
    re.IGNORECASE | re.UNICODE,
)
# NIR: sex (1, 2; 3, 4, 7, 8 for provisional numbers), year, month (01-12, 20-42 or 50-99 when unknown),
# département (2 digits, 2A, 2B), commune and order (3 digits each), with or without the 2-digit key;
# grouped with spaces, dots or dashes or not at all.
_NIR = re.compile(
    r"(?<![\w+])[1-478]" + _SEP + r"\d{2}" + _SEP + r"(?:0[1-9]|1[0-2]|[2-9]\d)" + _SEP + r"(?:\d{2}|2[AaBb])"
    + _SEP + r"\d{3}" + _SEP + r"\d{3}(?:" + _SEP + r"\d{2})?(?![\w])"
)


def _mask_international(match: re.Match[str]) -> str:
    text = match.group()
    digits = sum(ch.isdigit() for ch in text) - (2 if text.startswith("00") else 0)
    return PHONE_MASK if 8 <= digits <= 15 else text


def mask_text(text: str | None) -> str:
    """Return `text` with phone numbers, e-mail addresses and social-security numbers replaced by placeholders."""
    if not text:
        return ""
    masked = _EMAIL.sub(EMAIL_MASK, text)
    masked = _NIR.sub(NIR_MASK, masked)
    masked = _PHONE.sub(PHONE_MASK, masked)
    masked = _INTERNATIONAL.sub(_mask_international, masked)
    return _SPELLED.sub(PHONE_MASK, masked)
