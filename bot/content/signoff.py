"""Where each answer stands in the clinicians' sign-off (pure functions).

A decision (approve, or ask for a change) is recorded against the version of the text the clinician
read. The latest decision counts, and only while the text is still that version: once the text
changes, the answer must be reviewed again ("à revalider").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

APPROVED = "approuvé"
CHANGE_REQUESTED = "modification"

VALID = "validé"
TO_VALIDATE = "à valider"
TO_REVALIDATE = "à revalider"
CHANGE_ASKED = "modification demandée"
STATUSES = (TO_REVALIDATE, CHANGE_ASKED, TO_VALIDATE, VALID)  # most pressing first


@dataclass(frozen=True)
class Decision:
    answer_id: str
    version: str
    decision: str
    by: str
    at: datetime
    comment: str = ""


@dataclass(frozen=True)
class Status:
    code: str
    latest: Decision | None = None  # the decision the status comes from

    @property
    def awaiting(self) -> bool:
        return self.code != VALID


def status_of(current_version: str, latest: Decision | None) -> Status:
    if latest is None:
        return Status(TO_VALIDATE)
    if latest.version != current_version:
        return Status(TO_REVALIDATE, latest)
    return Status(VALID if latest.decision == APPROVED else CHANGE_ASKED, latest)


def latest_decisions(decisions: Iterable[Decision]) -> dict[str, Decision]:
    """The last decision per answer; `decisions` in the order they were taken."""
    latest: dict[str, Decision] = {}
    for d in decisions:
        latest[d.answer_id] = d
    return latest


def statuses(versions: Mapping[str, str], decisions: Iterable[Decision]) -> dict[str, Status]:
    """Status of every current answer (`versions`: answer id -> version of its text now)."""
    latest = latest_decisions(decisions)
    return {answer_id: status_of(version, latest.get(answer_id)) for answer_id, version in versions.items()}


def awaiting_count(all_statuses: Mapping[str, Status]) -> int:
    return sum(1 for s in all_statuses.values() if s.awaiting)
