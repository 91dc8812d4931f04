"""The review queue: which patient messages the assistant should learn from (pure functions).

A typed patient message is a candidate when it was not understood (nlu_fallback, or answered with
the rephrase request), understood with low confidence, rephrased right after its answer, or when
its answer got a "Non". Staff members add others by hand (rows of `message_labels` without label).
Messages typed inside a form (a name, a phone number), button payloads, feedback and red flags
(already in the alerts queue) are never candidates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from bot.core.intents import FALLBACK_INTENT, NO_QUESTION_INTENTS, is_red_flag_intent

FALLBACK = "fallback"
LOW_CONFIDENCE = "low_confidence"
REPHRASE = "rephrase"
FEEDBACK_NO = "feedback_non"
STAFF = "staff"
REASONS: dict[str, str] = {
    FALLBACK: "non compris",
    LOW_CONFIDENCE: "compris avec peu de confiance",
    REPHRASE: "reformulé juste après la réponse",
    FEEDBACK_NO: "réponse jugée inutile (« Non »)",
    STAFF: "signalé par l'équipe",
}
REPHRASE_ANSWERS = frozenset({"utter_default", "utter_fallback_secretariat"})
_STOPWORDS = frozenset(
    "alors aussi avec avoir cela cette comme dans donc elle elles est-ce etre faire faut leur mais meme moi "
    "nous pour pourquoi quand quel quelle quels quoi sans sont suis tout tres vous votre etait avez peut".split()
)


@dataclass(frozen=True)
class ChatEvent:
    """One row of Rasa's `events` table, as the queue needs it."""

    event_id: int
    conversation_id: str
    type_name: str  # user | bot | active_loop
    timestamp: float
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    ranking: tuple[str, ...] = ()  # the classifier's next guesses, best first
    answer: str = ""  # bot: the answer's name (metadata.utter_action)
    form: str | None = None  # active_loop: the form's name, None when it ends


@dataclass
class Candidate:
    """A patient message waiting for a label."""

    event_id: int
    conversation_id: str
    message_at: float
    text: str
    intent: str | None
    confidence: float | None
    ranking: tuple[str, ...] = ()
    reasons: list[str] = field(default_factory=list)
    answer: str = ""  # what the assistant answered
    rephrased_as: str = ""  # the next message, for a rephrase
    comment: str = ""  # the patient's "Qu'est-ce qui manquait ?"
    flagged_by: str = ""


def content_words(text: str) -> set[str]:
    """Accent- and case-folded words of four letters or more, without the commonest ones."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return {w for w in re.findall(r"[a-z0-9]{4,}", folded) if w not in _STOPWORDS}


def is_rephrase(first: ChatEvent, second: ChatEvent) -> bool:
    """The second question asks the same thing again: same topic, or the same words."""
    if first.intent and first.intent == second.intent:
        return True
    a, b = content_words(first.text), content_words(second.text)
    shared = a & b
    return len(shared) >= 2 or (bool(shared) and len(shared) / len(a | b) >= 0.4)


def _typed_question(event: ChatEvent) -> bool:
    return (
        event.type_name == "user"
        and bool(event.text.strip())
        and not event.text.lstrip().startswith("/")
        and not is_red_flag_intent(event.intent)
    )


def find_candidates(
    events: Iterable[ChatEvent],
    negative_feedback: Mapping[tuple[str, float], str] | None = None,
    *,
    low_confidence: float,
    rephrase_seconds: float,
) -> list[Candidate]:
    """Candidates of the queue, newest first. `events` are in order within each conversation;
    `negative_feedback` maps (conversation, time of the question) to the comment of its "Non"."""
    negative_feedback = negative_feedback or {}
    by_conversation: dict[str, list[ChatEvent]] = {}
    for event in events:
        by_conversation.setdefault(event.conversation_id, []).append(event)
    found: list[Candidate] = []
    for conversation in by_conversation.values():
        found.extend(_conversation_candidates(conversation, negative_feedback, low_confidence, rephrase_seconds))
    found.sort(key=lambda c: c.message_at, reverse=True)
    return found


def _conversation_candidates(
    events: Sequence[ChatEvent],
    negative_feedback: Mapping[tuple[str, float], str],
    low_confidence: float,
    rephrase_seconds: float,
) -> list[Candidate]:
    # The typed questions asked outside a form, each with what the assistant answered it.
    questions: list[tuple[ChatEvent, list[ChatEvent]]] = []
    form: str | None = None
    current: list[ChatEvent] | None = None
    for event in events:
        if event.type_name == "active_loop":
            form = event.form
        elif event.type_name == "user":
            current = None
            if form is None and _typed_question(event):
                current = []
                questions.append((event, current))
        elif event.type_name == "bot" and current is not None:
            current.append(event)

    out: list[Candidate] = []
    for i, (message, answers) in enumerate(questions):
        reasons = []
        answer = next((a.answer for a in answers if a.answer), "")
        if message.intent == FALLBACK_INTENT or answer in REPHRASE_ANSWERS:
            reasons.append(FALLBACK)
        elif message.confidence is not None and message.confidence < low_confidence:
            reasons.append(LOW_CONFIDENCE)
        following = questions[i + 1][0] if i + 1 < len(questions) else None
        rephrased = ""
        if (
            answers
            and following is not None
            and FALLBACK not in reasons
            and message.intent not in NO_QUESTION_INTENTS
            and following.intent not in NO_QUESTION_INTENTS
            and following.timestamp - answers[-1].timestamp <= rephrase_seconds
            and is_rephrase(message, following)
        ):
            reasons.append(REPHRASE)
            rephrased = following.text
        key = (message.conversation_id, message.timestamp)
        if key in negative_feedback:
            reasons.append(FEEDBACK_NO)
        if reasons:
            out.append(
                Candidate(
                    event_id=message.event_id,
                    conversation_id=message.conversation_id,
                    message_at=message.timestamp,
                    text=message.text,
                    intent=message.intent,
                    confidence=message.confidence,
                    ranking=message.ranking,
                    reasons=reasons,
                    answer=answer,
                    rephrased_as=rephrased,
                    comment=negative_feedback.get(key, ""),
                )
            )
    return out


def suggestions(candidate: Candidate, allowed: Iterable[str], limit: int = 3) -> list[str]:
    """The classifier's best guesses that are labels a clinician can choose, for one-click labelling."""
    allowed = set(allowed)
    out: list[str] = []
    for intent in (candidate.intent, *candidate.ranking):
        if intent and intent in allowed and intent not in out:
            out.append(intent)
        if len(out) == limit:
            break
    return out
