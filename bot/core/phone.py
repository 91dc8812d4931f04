"""French phone numbers: validation and normalisation (pure functions)."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-/()]")
# 0 then 1-9 then 8 digits; 08 numbers are accepted (a patient may give a work line).
_NATIONAL = re.compile(r"^0[1-9]\d{8}$")


def normalize_phone(raw: str) -> str | None:
    """Return the number as "06 12 34 56 78", or None when it is not a French number.

    Accepts national format and international forms +33 / 0033 (with an optional "(0)").
    """
    if not raw:
        return None
    compact = _SEPARATORS.sub("", raw.strip())
    compact = compact.replace("+33(0)", "0").replace("+330", "0")
    if compact.startswith("+33"):
        compact = "0" + compact[3:]
    elif compact.startswith("0033"):
        compact = "0" + compact[4:]
    if not _NATIONAL.match(compact):
        return None
    return " ".join(compact[i : i + 2] for i in range(0, 10, 2))
