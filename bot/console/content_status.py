"""The answers as the console shows them: current texts (bot/content), their quotes and sign-off status."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import settings
from bot.content.items import Answer, all_answers
from bot.content.signoff import Decision, Status, statuses
from bot.content.sources import Library
from bot.core.practical import PRACTICAL_FILE
from bot.storage.models import ContentDecision

logger = logging.getLogger(__name__)


class ContentUnavailable(RuntimeError):
    """The answers' files cannot be read; the message is for the staff."""


@dataclass(frozen=True)
class Row:
    answer: Answer
    status: Status


def _paths() -> tuple[Path, Path, Path]:
    config = current_app.config
    return (
        Path(config.get("CONTENT_DOMAIN_FILE", settings.DOMAIN_FILE)),
        Path(config.get("CONTENT_PRACTICAL_FILE", PRACTICAL_FILE)),
        Path(config.get("CONTENT_SOURCES_DIR", settings.SOURCES_DIR)),
    )


def current_answers() -> tuple[Answer, ...]:
    domain, practical, _ = _paths()
    try:
        return all_answers(domain, practical)
    except (OSError, yaml.YAMLError, ValueError, TypeError, AttributeError) as exc:
        logger.error("contenus illisibles : %s", exc)
        raise ContentUnavailable(f"Les textes des réponses sont illisibles ({type(exc).__name__}).") from exc


def library() -> Library:
    _, _, sources = _paths()
    page, facts = sources / "source" / "page-vertebroplastie-centre.txt", sources / "medical-facts.md"
    return _library(page, _mtime(page), facts, _mtime(facts))


def _mtime(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


@lru_cache(maxsize=2)
def _library(page: Path, _pm: int, facts: Path, _fm: int) -> Library:
    return Library.load(page, facts)


def decisions(session: Session) -> list[Decision]:
    rows = session.execute(select(ContentDecision).order_by(ContentDecision.decided_at, ContentDecision.id)).scalars()
    return [Decision(r.answer_id, r.version, r.decision, r.decided_by, r.decided_at, r.comment) for r in rows]


def rows(session: Session) -> list[Row]:
    answers = current_answers()
    by_id = statuses({a.id: a.version for a in answers}, decisions(session))
    return [Row(a, by_id[a.id]) for a in answers]
