"""Masking of phone numbers and e-mail addresses in free text (lists and exports)."""

from __future__ import annotations

import re

PHONE_MASK = "[tél. masqué]"
EMAIL_MASK = "[e-mail masqué]"

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
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}", re.UNICODE)
# Digits written with a space between every digit ("0 6 1 2 3 4 5 6 7 8"), as dictated to a voice channel.
_SPELLED = re.compile(r"(?<![\w+])(?:\+\s?3\s?3|0)(?:[ .\-]?\d){9}(?!\d)")


def mask_text(text: str | None) -> str:
    """Return `text` with French phone numbers and e-mail addresses replaced by placeholders."""
    if not text:
        return ""
    masked = _EMAIL.sub(EMAIL_MASK, text)
    masked = _PHONE.sub(PHONE_MASK, masked)
    return _SPELLED.sub(PHONE_MASK, masked)
