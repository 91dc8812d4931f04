"""Does a message hold red-flag words (reported, negated, asked about or old)? For the labels table:
`bot learn` never takes such a text without a clinician's review."""

from __future__ import annotations

import threading

from bot.core.redflags import RedFlagDetector

_detector: RedFlagDetector | None = None
_lock = threading.Lock()


def detector() -> RedFlagDetector:
    global _detector
    with _lock:
        if _detector is None:
            _detector = RedFlagDetector()
        return _detector


def red_flag_groups(text: str) -> str:
    """The red-flag groups whose words appear in `text`, e.g. "AD" ("" when none)."""
    found = detector().mentioned_groups(text)
    reported = detector().detect(text)
    groups = set(found) | ({reported.group} if reported else set())
    return "".join(sorted(groups))
