"""Conversation outcomes (deflection) and dashboard figures: pure functions over event rows.

The rows come from Rasa's `events` table (see queries.py); nothing here touches the database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Sequence

from bot.console.timeutil import local_day
from bot.core.intents import (
    FALLBACK_INTENT,
    FEEDBACK_INTENT,
    NO_QUESTION_INTENTS,
    NOT_TOPICS,
    PERSON_INTENTS,
    RED_FLAG_INTENTS,
)

ANSWERED = "answered"
NOT_HELPED = "not_helped"
CALLBACK = "callback"
ABANDONED = "abandoned"
OUTCOMES: tuple[str, ...] = (ANSWERED, NOT_HELPED, CALLBACK, ABANDONED)
OUTCOME_LABELS = {
    ANSWERED: "répondu par l'assistant",
    NOT_HELPED: "répondu, mais « Non, ça ne m'a pas aidé »",
    CALLBACK: "rappel / personne",
    ABANDONED: "abandonné",
}
OUTCOME_SHORT = {ANSWERED: "répondu", NOT_HELPED: "réponse jugée inutile", CALLBACK: "rappel", ABANDONED: "abandonné"}


@dataclass(frozen=True)
class EventRow:
    """One row of Rasa's `events` table, reduced to what the figures need.

    For `active_loop` events Rasa stores the form's name (or None when the form ends) in `action_name`.
    """

    conversation_id: str
    type_name: str
    timestamp: float | None = None
    intent_name: str | None = None
    action_name: str | None = None


def _in_form_at_end(events: Sequence[EventRow]) -> bool:
    active = None
    for e in events:
        if e.type_name == "active_loop":
            active = e.action_name
    return bool(active)


def _gave_an_answer(events: Sequence[EventRow]) -> bool:
    """True if a bot message followed a patient message that asked something and was understood."""
    last_intent: str | None = None
    for e in events:
        if e.type_name == "user":
            last_intent = e.intent_name
        elif e.type_name == "bot" and last_intent is not None:
            if last_intent != FALLBACK_INTENT and last_intent not in NO_QUESTION_INTENTS:
                return True
    return False


def classify_outcome(
    events: Sequence[EventRow], has_callback_request: bool = False, has_negative_feedback: bool = False
) -> str:
    """Outcome of one conversation, from its events in order.

    - "callback": a callback request was stored, or the patient asked for a person
      (request_human, request_callback, book_appointment, change_appointment);
    - otherwise "abandoned" if the patient left while a form was still active;
    - otherwise, if the assistant answered at least one understood question (a bot message after a
      patient message whose intent is neither nlu_fallback nor small talk): "not_helped" when the
      patient said "Non" to an answer, else "answered";
    - otherwise "abandoned" (only fallbacks, only greetings, or nothing said).

    Only "answered" counts as deflected: no callback, no human asked for, no "Non".
    """
    if has_callback_request:
        return CALLBACK
    if any(e.type_name == "user" and e.intent_name in PERSON_INTENTS for e in events):
        return CALLBACK
    if _in_form_at_end(events):
        return ABANDONED
    if _gave_an_answer(events):
        return NOT_HELPED if has_negative_feedback else ANSWERED
    return ABANDONED


def outcomes_by_conversation(
    rows: Iterable[EventRow], callback_conversations: set[str], negative_feedback: set[str] | None = None
) -> dict[str, str]:
    """Classify every conversation present in `rows` (rows must be in event order per conversation)."""
    negative_feedback = negative_feedback or set()
    grouped: dict[str, list[EventRow]] = defaultdict(list)
    for row in rows:
        grouped[row.conversation_id].append(row)
    return {
        cid: classify_outcome(evts, cid in callback_conversations, cid in negative_feedback)
        for cid, evts in grouped.items()
    }


@dataclass(frozen=True)
class AlertRow:
    conversation_id: str
    group: str
    acknowledged: bool


@dataclass
class Dashboard:
    days: list[date]
    conversations_per_day: list[int]
    messages_per_day: list[int]
    conversations: int = 0
    user_messages: int = 0
    fallback_messages: int = 0
    top_intents: list[tuple[str, int]] = field(default_factory=list)
    red_flag_conversations: int = 0
    alerts: int = 0
    alerts_unacknowledged: int = 0
    alerts_by_group: list[tuple[str, int]] = field(default_factory=list)
    callback_requests: int = 0
    callback_requests_pending: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    feedback_yes: int = 0
    feedback_no: int = 0

    @property
    def fallback_rate(self) -> float:
        return self.fallback_messages / self.user_messages if self.user_messages else 0.0

    @property
    def deflection_rate(self) -> float:
        """Share of conversations answered with no callback request, no human asked for and no "Non"."""
        return self.outcomes.get(ANSWERED, 0) / self.conversations if self.conversations else 0.0

    @property
    def feedback_share(self) -> float:
        """Share of "Oui" among the patients' answers to "Cette réponse vous a aidé ?"."""
        total = self.feedback_yes + self.feedback_no
        return self.feedback_yes / total if total else 0.0

    def outcome_share(self, outcome: str) -> float:
        return self.outcomes.get(outcome, 0) / self.conversations if self.conversations else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "dates": [d.isoformat() for d in self.days],
            "conversations_per_day": self.conversations_per_day,
            "messages_per_day": self.messages_per_day,
            "conversations": self.conversations,
            "user_messages": self.user_messages,
            "fallback_messages": self.fallback_messages,
            "fallback_rate": round(self.fallback_rate, 4),
            "top_intents": [{"intent": i, "count": n} for i, n in self.top_intents],
            "red_flag_conversations": self.red_flag_conversations,
            "alerts": self.alerts,
            "alerts_unacknowledged": self.alerts_unacknowledged,
            "alerts_by_group": dict(self.alerts_by_group),
            "callback_requests": self.callback_requests,
            "callback_requests_pending": self.callback_requests_pending,
            "outcomes": {o: self.outcomes.get(o, 0) for o in OUTCOMES},
            "deflection_rate": round(self.deflection_rate, 4),
            "feedback": {"oui": self.feedback_yes, "non": self.feedback_no},
        }


def build_dashboard(
    rows: Iterable[EventRow],
    *,
    first_day: date,
    last_day: date,
    alerts: Sequence[AlertRow] = (),
    callback_conversations: set[str] | None = None,
    callback_requests: int = 0,
    callback_requests_pending: int = 0,
    negative_feedback: set[str] | None = None,
    feedback: tuple[int, int] = (0, 0),
    top: int = 10,
) -> Dashboard:
    """Figures over the conversations whose events are in `rows` (in event order per conversation).

    A conversation is counted on the local day of its first event; messages are patient messages,
    counted on their own day. Days outside [first_day, last_day] are ignored in the series.
    """
    callback_conversations = callback_conversations or set()
    negative_feedback = negative_feedback or set()
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    conv_per_day = [0] * len(days)
    msg_per_day = [0] * len(days)
    grouped: dict[str, list[EventRow]] = defaultdict(list)
    intents: Counter[str] = Counter()
    user_messages = fallbacks = 0
    red_flag_ids: set[str] = {a.conversation_id for a in alerts}

    for row in rows:
        grouped[row.conversation_id].append(row)
        if row.type_name != "user" or row.intent_name == FEEDBACK_INTENT:
            continue  # a click on "Oui" / "Non" is not a patient message
        user_messages += 1
        if row.intent_name == FALLBACK_INTENT:
            fallbacks += 1
        elif row.intent_name and row.intent_name not in NOT_TOPICS:
            intents[row.intent_name] += 1
        if row.intent_name in RED_FLAG_INTENTS:
            red_flag_ids.add(row.conversation_id)
        if row.timestamp is not None and (i := index.get(local_day(row.timestamp))) is not None:
            msg_per_day[i] += 1

    outcomes: Counter[str] = Counter()
    for cid, evts in grouped.items():
        stamps = [e.timestamp for e in evts if e.timestamp is not None]
        if stamps and (i := index.get(local_day(min(stamps)))) is not None:
            conv_per_day[i] += 1
        outcomes[classify_outcome(evts, cid in callback_conversations, cid in negative_feedback)] += 1

    by_group = Counter(a.group for a in alerts)
    return Dashboard(
        days=days,
        conversations_per_day=conv_per_day,
        messages_per_day=msg_per_day,
        conversations=len(grouped),
        user_messages=user_messages,
        fallback_messages=fallbacks,
        top_intents=intents.most_common(top),
        red_flag_conversations=len(red_flag_ids),
        alerts=len(alerts),
        alerts_unacknowledged=sum(1 for a in alerts if not a.acknowledged),
        alerts_by_group=sorted(by_group.items()),
        callback_requests=callback_requests,
        callback_requests_pending=callback_requests_pending,
        outcomes={o: outcomes.get(o, 0) for o in OUTCOMES},
        feedback_yes=feedback[0],
        feedback_no=feedback[1],
    )
