"""What a patient asks in a long message: its question clauses, and up to two distinct requests (pure).

Patients write long, mixed messages: a story, negated symptoms ("pas de fièvre, je sens bien mes
jambes"), then the question, sometimes a second question or a goodbye. The classifier ranks the whole
message and each request clause (`segments`); `choose_requests` decides what to answer: the
whole-message intent when it is sure, else the best question clause, and a second, different
request when one clause clearly asks something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.practical import PRACTICAL_INTENTS
from bot.core.redflags.normalize import fold_text

# The parse-data key the classifier writes and the second-request policy and action read.
REQUESTS_KEY = "requests"

Ranking = list[tuple[str, float]]

# Below it, the whole-message intent yields to a more confident question clause.
WHOLE_MESSAGE_SURE = 0.6
# A second request is answered only when its clause is at least this sure, and is about another topic.
SECOND_REQUEST_SURE = 0.6
# ... or this sure when the clause asks a question of its own ("… ? Et la kiné, ça commence quand ?").
SECOND_QUESTION_SURE = 0.45
# A question clause this sure comes before the greeting or the goodbye that holds it.
QUESTION_BEFORE_SMALL_TALK = 0.4

# Intents that are a request of their own, answerable as the second one by a plain answer.
SMALL_TALK = frozenset({"greet", "thank", "inform_situation"})
NOT_SECOND = frozenset({"affirm", "deny", "stop", "nlu_fallback", "report_symptom_unclear", "request_callback",
                        "request_human", "out_of_scope", "bot_challenge", "ask_capabilities"})
SHARED_ANSWERS = {"change_appointment": "utter_book_appointment", "book_appointment": "utter_book_appointment",
                  "inform_situation": "utter_acknowledge"}

_QUESTION_START = re.compile(
    r"^(?:(?:et|mais|alors|donc|ok|d'accord|bon|aussi|sinon|enfin|bref|par contre|sinon)\s*,?\s+)*"
    r"(?:est[- ]ce|est[- ]il|est[- ]elle|comment|combien|cb|cmb|quand|pourquoi|pk|pq|quel|quels|quelle|quelles"
    r"|a quel|a partir de quand|jusqu'a quand|ou\b|qui\b|que\b|qu'|quoi|peut[- ]on|peux[- ]je|puis[- ]je|pourrai"
    r"|pourrais|pourrait|pourra|dois[- ]je|devrai|faut[- ]il|faudra|y a[- ]t|ya t|y aura|c'est quoi|c quoi|ca sert"
    r"|(?:je|j')\s*(?:voudrais|voulais|aimerais|souhaiterais|souhaite|veux)\s+(?:\w+\s+)?savoir"
    r"|je (?:me )?demand|savez[- ]vous|pouvez[- ]vous|pourriez[- ]vous|vous pouvez)",
)
_INVERSION = re.compile(r"\w-(?:t-)?(?:je|tu|il|elle|on|nous|vous|ils|elles)\b")
# Sentence ends; a full stop after a title or an initial does not end a sentence.
_SENTENCE_END = re.compile(r"(?<!\bM)(?<!\bMme)(?<!\bDr)(?<!\bPr)(?<!\b[A-Z])[.!?…]+(?=\s|$)|\n+")
# Where a sentence may be cut: commas, semicolons, colons, and "et" / "mais" / "ou" between clauses.
_PIECE_BREAK = re.compile(r"\s*[,;:]\s*|\s+(?:et|mais|ou)\s+(?=\S)")
_ASKING_WORD = re.compile(r"\b(?:combien|quand|quel|quelle|quels|quelles|comment|pourquoi|ou)\b|\?\s*$")
_GOODBYE = re.compile(
    r"\b(?:merci\b.*\b(?:revoir|bonne|a demain)|au revoir|bonne (?:journee|soiree|nuit|fin de journee|continuation)"
    r"|a bientot|a demain|a plus tard|adieu|bye)\b"
)


@dataclass(frozen=True)
class Segment:
    """A sentence or clause of the message: character offsets and whether it asks something."""

    start: int
    end: int
    text: str
    question: bool
    goodbye: bool = False


def is_question(text: str) -> bool:
    folded = fold_text(text).strip()
    if not folded:
        return False
    return folded.endswith("?") or bool(_QUESTION_START.match(folded)) or bool(_INVERSION.search(folded))


def _spans(text: str, pattern: re.Pattern[str], start: int, end: int, keep_delimiter: bool) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for match in pattern.finditer(text, start, end):
        cut = match.end() if keep_delimiter else match.start()
        if text[cursor:cut].strip():
            spans.append((cursor, cut))
        cursor = match.end()
    if text[cursor:end].strip():
        spans.append((cursor, end))
    return spans


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence cut into clause-sized pieces; a piece that asks something starts a new segment."""
    merged: list[tuple[int, int]] = []
    asking = False
    for p_start, p_end in _spans(text, _PIECE_BREAK, start, end, keep_delimiter=False):
        piece = fold_text(text[p_start:p_end]).strip()
        opens = bool(_QUESTION_START.match(piece)) or bool(_GOODBYE.match(piece)) or (
            asking and bool(_ASKING_WORD.search(piece)))
        if merged and not opens:
            merged[-1] = (merged[-1][0], p_end)
        else:
            merged.append((p_start, p_end))
            asking = is_question(text[p_start:p_end]) or bool(_ASKING_WORD.search(piece))
    return merged


def segments(text: str) -> list[Segment]:
    """The sentences of the message, cut again where a new question (or a goodbye) starts inside one."""
    found = []
    for s_start, s_end in _spans(text, _SENTENCE_END, 0, len(text), keep_delimiter=True):
        for start, end in _pieces(text, s_start, s_end):
            while start < end and text[start].isspace():
                start += 1
            piece = text[start:end]
            found.append(Segment(start, end, piece, is_question(piece), bool(_GOODBYE.search(fold_text(piece)))))
    return found


def answer_for_intent(intent: str) -> str | None:
    """The answer that a second request gets (a response or `practical:<intent>`), None if none fits."""
    if not intent or intent in NOT_SECOND or intent.startswith(("red_flag_", "followup_")):
        return None
    if intent in PRACTICAL_INTENTS:
        return f"practical:{intent}"
    return SHARED_ANSWERS.get(intent, f"utter_{intent}")


def _top(ranking: Ranking) -> tuple[str, float]:
    return ranking[0] if ranking else ("", 0.0)


def choose_requests(whole: Ranking, parts: list[tuple[Segment, Ranking]]) -> tuple[Ranking, list[tuple[str, float]]]:
    """The ranking to use for the message, and its requests (the first is the ranking's top intent).

    `whole`: the whole message's ranking; `parts`: each segment with its ranking (empty or one
    segment: the whole message decides alone).
    """
    primary = whole
    name, confidence = _top(whole)
    if len(parts) < 2:
        return primary, [(name, confidence)]
    # An elliptical follow-up ("et combien de jours avant ?") inside a longer message belongs to it.
    parts = [(s, r) for s, r in parts if not _top(r)[0].startswith("followup_")]
    if len(parts) < 2 or name.startswith("followup_"):
        return primary, [(name, confidence)]
    asking = [(s, r) for s, r in parts if s.question] or parts
    content = [(s, r) for s, r in asking if _top(r)[0] not in SMALL_TALK] or asking
    best_segment, best = max(content, key=lambda p: _top(p[1])[1])
    best_name, best_sure = _top(best)
    if best_name not in SMALL_TALK:
        if name in SMALL_TALK or name == "goodbye":
            # "Bonjour… [question]", "[question] Merci, au revoir": the question comes first.
            threshold = QUESTION_BEFORE_SMALL_TALK if best_segment.question else SECOND_REQUEST_SURE
            switch = best_sure >= threshold and best_name != name
        else:
            # An unsure whole message (two questions pull it apart) takes its surest question clause;
            # a red flag the classifier saw in the whole message stays for the red-flag component.
            switch = confidence < WHOLE_MESSAGE_SURE and best_sure > confidence and not name.startswith("red_flag_")
        if switch:
            primary, (name, confidence) = best, (best_name, best_sure)
    requests = [(name, confidence)]
    # A second request: another clause, clearly about something else (a goodbye counts).
    for segment, ranking in parts:
        other, sure = _top(ranking)
        if segment is best_segment and primary is best:
            continue
        needed = SECOND_QUESTION_SURE if segment.question else SECOND_REQUEST_SURE
        if other == name or sure < needed or answer_for_intent(other) is None:
            continue
        if other in SMALL_TALK:
            continue
        if other == "goodbye" and not segment.goodbye:
            continue
        if answer_for_intent(name) is None:
            continue
        requests.append((other, sure))
        break
    return primary, requests


def merge_shared_answers(ranking: Ranking) -> Ranking:
    """Intents that get the same answer count as one: the first keeps their summed confidence.

    "annuler rdv" splits between book_appointment and change_appointment, both answered by the
    secretariat's booking answer; the fallback's ambiguity test would otherwise ask to rephrase.
    """
    merged: dict[str, tuple[str, float]] = {}
    for name, confidence in ranking:
        key = SHARED_ANSWERS.get(name, name)
        first, total = merged.get(key, (name, 0.0))
        merged[key] = (first, total + confidence)
    return sorted(merged.values(), key=lambda pair: -pair[1])
