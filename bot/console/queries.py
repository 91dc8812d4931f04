"""The console's reading of Rasa's `events` table and of the project's tables (SQLAlchemy, bound parameters).

The table itself is described in bot/storage/events.py. Before Rasa has written anything it may not
exist: every function then answers as if there were no conversation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator, Sequence

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from bot.console.stats import EventRow, outcomes_by_conversation
from bot.console.timeutil import day_end_epoch, day_start_epoch
from bot.core.feedback import FeedbackRequest, parse_feedback
from bot.core.intents import FALLBACK_INTENT, FEEDBACK_INTENT, PERSON_INTENTS, RED_FLAG_INTENTS
from bot.storage.events import chunks, event_data, event_text, events, has_events_table
from bot.storage.models import Alert, AnswerFeedback, CallbackRequest, ConversationReview


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with `/` as escape character."""
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


# --- conversation list -------------------------------------------------------------------------


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    red_flag: bool = False
    fallback: bool = False
    asked_person: bool = False
    not_reviewed: bool = False
    q: str = ""

    def describe(self) -> str:
        parts = []
        for name in ("date_from", "date_to", "red_flag", "fallback", "asked_person", "not_reviewed", "q"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name}={value}")
        return " ".join(parts)


@dataclass
class ConversationSummary:
    conversation_id: str
    started: float | None
    last: float | None
    user_messages: int
    red_flag: bool
    fallback: bool
    asked_person: bool
    has_callback: bool
    reviewed: bool
    tags: str
    first_message: str = ""
    outcome: str = ""


@dataclass
class Page:
    items: list[ConversationSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _flag(cond: ColumnElement) -> ColumnElement:
    return func.max(case((cond, 1), else_=0))


def _conversation_query(filters: Filters):
    is_user = events.c.type_name == "user"
    _not_feedback = or_(events.c.intent_name.is_(None), events.c.intent_name != FEEDBACK_INTENT)
    conv = (
        select(
            events.c.sender_id.label("conversation_id"),
            func.min(events.c.timestamp).label("started"),
            func.max(events.c.timestamp).label("last"),
            # a click on "Oui" / "Non" is not a message the patient wrote
            func.sum(case((and_(is_user, _not_feedback), 1), else_=0)).label("user_messages"),
            _flag(and_(is_user, events.c.intent_name.in_(RED_FLAG_INTENTS))).label("red_flag_intent"),
            _flag(and_(is_user, events.c.intent_name == FALLBACK_INTENT)).label("fallback"),
            _flag(and_(is_user, events.c.intent_name.in_(PERSON_INTENTS))).label("person_intent"),
        )
        .group_by(events.c.sender_id)
        .subquery("conv")
    )
    cid = conv.c.conversation_id
    has_alert = exists().where(Alert.conversation_id == cid)
    has_callback = exists().where(CallbackRequest.conversation_id == cid)
    red_flag = or_(conv.c.red_flag_intent == 1, has_alert)
    asked_person = or_(conv.c.person_intent == 1, has_callback)

    query = select(
        conv,
        case((red_flag, 1), else_=0).label("red_flag"),
        case((asked_person, 1), else_=0).label("asked_person"),
        case((has_callback, 1), else_=0).label("has_callback"),
        ConversationReview.reviewed,
        ConversationReview.tags,
    ).outerjoin(ConversationReview, ConversationReview.conversation_id == cid)

    if filters.date_from:
        query = query.where(conv.c.started >= day_start_epoch(filters.date_from))
    if filters.date_to:
        query = query.where(conv.c.started < day_end_epoch(filters.date_to))
    if filters.red_flag:
        query = query.where(red_flag)
    if filters.fallback:
        query = query.where(conv.c.fallback == 1)
    if filters.asked_person:
        query = query.where(asked_person)
    if filters.not_reviewed:
        query = query.where(or_(ConversationReview.reviewed.is_(None), ConversationReview.reviewed.is_(False)))
    if filters.q:
        pattern = like_pattern(filters.q)
        matching = select(events.c.sender_id).where(
            events.c.type_name.in_(("user", "bot")),
            event_text(events.c.data).ilike(pattern, escape="/"),
        )
        query = query.where(or_(cid.in_(matching), cid.ilike(pattern, escape="/")))
    return query, conv


def _summary(row: Any) -> ConversationSummary:
    return ConversationSummary(
        conversation_id=row.conversation_id,
        started=row.started,
        last=row.last,
        user_messages=int(row.user_messages or 0),
        red_flag=bool(row.red_flag),
        fallback=bool(row.fallback),
        asked_person=bool(row.asked_person),
        has_callback=bool(row.has_callback),
        reviewed=bool(row.reviewed),
        tags=row.tags or "",
    )


def list_conversations(session: Session, filters: Filters, page: int = 1, per_page: int = 25) -> Page:
    if not has_events_table(session):
        return Page([], 0, 1, per_page)
    query, conv = _conversation_query(filters)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = max(1, min(page, max(1, -(-total // per_page))))
    rows = session.execute(
        query.order_by(conv.c.last.desc(), conv.c.conversation_id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    items = [_summary(r) for r in rows]
    _attach_first_messages(session, items)
    _attach_outcomes(session, items)
    return Page(items, total, page, per_page)


def iter_conversations(session: Session, filters: Filters, batch: int = 200) -> Iterator[ConversationSummary]:
    """Every conversation matching `filters`, newest first, with first message and outcome (for exports)."""
    if not has_events_table(session):
        return
    query, conv = _conversation_query(filters)
    query = query.order_by(conv.c.last.desc(), conv.c.conversation_id)
    offset = 0
    while True:
        rows = session.execute(query.limit(batch).offset(offset)).all()
        if not rows:
            return
        items = [_summary(r) for r in rows]
        _attach_first_messages(session, items)
        _attach_outcomes(session, items)
        yield from items
        offset += batch


def _attach_first_messages(session: Session, items: list[ConversationSummary]) -> None:
    ids = [i.conversation_id for i in items]
    if not ids:
        return
    first_ids = (
        select(func.min(events.c.id))
        .where(events.c.type_name == "user", events.c.sender_id.in_(ids))
        .group_by(events.c.sender_id)
    )
    rows = session.execute(select(events.c.sender_id, events.c.data).where(events.c.id.in_(first_ids))).all()
    texts = {r.sender_id: str(event_data(r.data).get("text") or "") for r in rows}
    for item in items:
        item.first_message = texts.get(item.conversation_id, "")


def _attach_outcomes(session: Session, items: list[ConversationSummary]) -> None:
    ids = [i.conversation_id for i in items]
    outcomes = outcomes_by_conversation(
        event_rows(session, ids), callback_conversations(session, ids), negative_feedback_conversations(session, ids)
    )
    for item in items:
        item.outcome = outcomes.get(item.conversation_id, "")


# --- events of conversations ------------------------------------------------------------------

_FIGURE_TYPES = ("user", "bot", "active_loop")


def event_rows(session: Session, conversation_ids: Sequence[str]) -> list[EventRow]:
    """The events the figures need, in order, for the given conversations."""
    out: list[EventRow] = []
    for part in chunks(list(conversation_ids)):
        rows = session.execute(
            select(
                events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.intent_name, events.c.action_name
            )
            .where(events.c.sender_id.in_(part), events.c.type_name.in_(_FIGURE_TYPES))
            .order_by(events.c.sender_id, events.c.id)
        ).all()
        out.extend(EventRow(r.sender_id, r.type_name, r.timestamp, r.intent_name, r.action_name) for r in rows)
    return out


def event_rows_started_between(session: Session, start: float, end: float) -> list[EventRow]:
    """Events of the conversations whose first event falls in [start, end)."""
    if not has_events_table(session):
        return []
    started = (
        select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(and_(func.min(events.c.timestamp) >= start, func.min(events.c.timestamp) < end))
    )
    rows = session.execute(
        select(events.c.sender_id, events.c.type_name, events.c.timestamp, events.c.intent_name, events.c.action_name)
        .where(events.c.sender_id.in_(started), events.c.type_name.in_(_FIGURE_TYPES))
        .order_by(events.c.sender_id, events.c.id)
    ).all()
    return [EventRow(r.sender_id, r.type_name, r.timestamp, r.intent_name, r.action_name) for r in rows]


def negative_feedback_conversations(session: Session, conversation_ids: Sequence[str]) -> set[str]:
    """The conversations in which the patient said "Non" to an answer."""
    found: set[str] = set()
    query = select(AnswerFeedback.conversation_id).where(AnswerFeedback.value == "non").distinct()
    for part in chunks(list(conversation_ids)):
        found.update(session.execute(query.where(AnswerFeedback.conversation_id.in_(part))).scalars())
    return found


def callback_conversations(session: Session, conversation_ids: Sequence[str] | None = None) -> set[str]:
    query = select(CallbackRequest.conversation_id).distinct()
    if conversation_ids is None:
        return set(session.execute(query).scalars())
    found: set[str] = set()
    for part in chunks(list(conversation_ids)):
        found.update(session.execute(query.where(CallbackRequest.conversation_id.in_(part))).scalars())
    return found


@dataclass
class Message:
    kind: str  # user | bot | session | form
    timestamp: float | None
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[str] = field(default_factory=list)
    red_flag: bool = False
    fallback: bool = False
    form: str | None = None
    event_id: int | None = None
    feedback: FeedbackRequest | None = None  # a click on "Oui" / "Non" (and its comment)
    answer: str = ""  # bot: the answer's name


def conversation_messages(session: Session, conversation_id: str) -> list[Message]:
    """Every message of a conversation, in order, with the NLU result of each patient message."""
    if not has_events_table(session):
        return []
    rows = session.execute(
        select(events.c.id, events.c.type_name, events.c.timestamp, events.c.data)
        .where(
            events.c.sender_id == conversation_id,
            events.c.type_name.in_(("user", "bot", "session_started", "active_loop")),
        )
        .order_by(events.c.id)
    ).all()
    messages = []
    for r in rows:
        message = _message(r.type_name, r.timestamp, event_data(r.data))
        message.event_id = int(r.id)
        messages.append(message)
    return messages


def _message(type_name: str, timestamp: float | None, data: dict[str, Any]) -> Message:
    if type_name == "user":
        parse = data.get("parse_data") or {}
        intent = parse.get("intent") or {}
        name = intent.get("name")
        confidence = intent.get("confidence")
        entities = [e for e in parse.get("entities") or [] if isinstance(e, dict)]
        return Message(
            "user",
            timestamp,
            text=str(data.get("text") or ""),
            intent=name,
            confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
            entities=entities,
            red_flag=name in RED_FLAG_INTENTS,
            fallback=name == FALLBACK_INTENT,
            feedback=parse_feedback(entities) if name == FEEDBACK_INTENT else None,
        )
    if type_name == "bot":
        extra = data.get("data") or {}
        buttons = [str(b.get("title", "")) for b in extra.get("buttons") or [] if isinstance(b, dict)]
        text = str(data.get("text") or "")
        if not text and extra.get("custom"):
            text = json.dumps(extra["custom"], ensure_ascii=False)
        metadata = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
        return Message("bot", timestamp, text=text, buttons=buttons, answer=str(metadata.get("utter_action") or ""))
    if type_name == "active_loop":
        return Message("form", timestamp, form=data.get("name"))
    return Message("session", timestamp)


def conversation_exists(session: Session, conversation_id: str) -> bool:
    if has_events_table(session):
        if session.execute(select(events.c.id).where(events.c.sender_id == conversation_id).limit(1)).first():
            return True
    return any(
        session.execute(select(model.conversation_id).where(model.conversation_id == conversation_id).limit(1)).first()
        for model in (Alert, CallbackRequest)
    )


def fallback_messages(session: Session, date_from: date | None = None, date_to: date | None = None) -> list[str]:
    """Texts of the patient messages classified nlu_fallback, oldest first."""
    if not has_events_table(session):
        return []
    query = select(events.c.data).where(events.c.type_name == "user", events.c.intent_name == FALLBACK_INTENT)
    if date_from:
        query = query.where(events.c.timestamp >= day_start_epoch(date_from))
    if date_to:
        query = query.where(events.c.timestamp < day_end_epoch(date_to))
    return [str(event_data(d).get("text") or "") for d in session.execute(query.order_by(events.c.id)).scalars()]
