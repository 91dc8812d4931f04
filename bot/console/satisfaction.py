"""Patients' satisfaction with the answers ("Oui" / "Non"), per day, per topic and per answer (pure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable


@dataclass(frozen=True)
class FeedbackRow:
    conversation_id: str
    day: date  # local day of the feedback
    intent: str
    answer: str
    value: str  # oui | non
    comment: str = ""


@dataclass(frozen=True)
class Tally:
    key: str  # an intent or an answer's name
    yes: int
    no: int

    @property
    def total(self) -> int:
        return self.yes + self.no

    @property
    def share(self) -> float:
        """Share of "Oui"."""
        return self.yes / self.total if self.total else 0.0


@dataclass
class Satisfaction:
    days: list[date]
    yes_per_day: list[int]
    no_per_day: list[int]
    by_topic: list[Tally] = field(default_factory=list)
    by_answer: list[Tally] = field(default_factory=list)
    comments: list[FeedbackRow] = field(default_factory=list)  # newest first

    @property
    def yes(self) -> int:
        return sum(self.yes_per_day)

    @property
    def no(self) -> int:
        return sum(self.no_per_day)

    @property
    def share(self) -> float:
        total = self.yes + self.no
        return self.yes / total if total else 0.0

    @property
    def most_no(self) -> list[Tally]:
        """The answers with the most "Non", most first (ties: the lower share of "Oui" first)."""
        return sorted((t for t in self.by_answer if t.no), key=lambda t: (-t.no, t.share, t.key))

    def as_dict(self) -> dict[str, object]:
        return {
            "dates": [d.isoformat() for d in self.days],
            "oui_per_day": self.yes_per_day,
            "non_per_day": self.no_per_day,
            "oui": self.yes,
            "non": self.no,
            "share_oui": round(self.share, 4),
            "by_topic": [{"intent": t.key, "oui": t.yes, "non": t.no} for t in self.by_topic],
            "by_answer": [{"answer": t.key, "oui": t.yes, "non": t.no} for t in self.by_answer],
        }


def _tallies(rows: list[FeedbackRow], key: str) -> list[Tally]:
    yes: Counter[str] = Counter()
    no: Counter[str] = Counter()
    for row in rows:
        (yes if row.value == "oui" else no)[getattr(row, key)] += 1
    keys = set(yes) | set(no)
    return sorted((Tally(k, yes[k], no[k]) for k in keys), key=lambda t: (-t.total, t.key))


def build_satisfaction(
    rows: Iterable[FeedbackRow],
    *,
    first_day: date,
    last_day: date,
    intent: str | None = None,
    answer: str | None = None,
    comments: int = 30,
) -> Satisfaction:
    """Figures over the feedback of [first_day, last_day], for one topic or one answer if given."""
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    kept = [
        r for r in rows
        if r.day in index and r.value in ("oui", "non")
        and (intent is None or r.intent == intent) and (answer is None or r.answer == answer)
    ]
    yes_per_day, no_per_day = [0] * len(days), [0] * len(days)
    for row in kept:
        (yes_per_day if row.value == "oui" else no_per_day)[index[row.day]] += 1
    with_comment = sorted((r for r in kept if r.comment), key=lambda r: r.day, reverse=True)
    return Satisfaction(
        days=days,
        yes_per_day=yes_per_day,
        no_per_day=no_per_day,
        by_topic=_tallies(kept, "intent"),
        by_answer=_tallies(kept, "answer"),
        comments=with_comment[:comments],
    )
