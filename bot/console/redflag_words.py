"""Does a message hold red-flag words (reported, negated, asked about or old)? For the labels table:
`bot learn` never takes such a text without a clinician's review."""

from __future__ import annotations

from bot.core.redflags import analyse


def red_flag_groups(text: str) -> str:
    """The red-flag groups whose words appear in `text`, e.g. "AD" ("" when none)."""
    report = analyse(text)
    groups = set(report.mentioned) | ({report.group} if report.group else set())
    return "".join(sorted(groups))
