"""The red-flag detector's one question: what does a patient message report? `analyse(text, doc) -> Report`.

Pipeline for one message:
  1. tokens (tokens.py): spaCy (lemma, tense) on the raw text, or on a Doc the caller already has; each
     token is normalised (normalize.py) and gets keys: surface, lemma, `forms` lemmas, fuzzy correction,
     numbers; then sentences (. ! ? new line) and clauses (, ; : and mais / et / ou / car ...);
  2. cues (cues.py): negation, comparative "plus", question, hypothesis, person, current time, history;
  3. each group's patterns are matched per clause or sentence (matching.py) and each match is filtered
     (filters.py); the most urgent reported group (lexicon `priority`) is the report's group.
Safety first: recall on the labelled set must stay at 100 % (tests/redflags).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.redflags.cues import Cues, read_cues
from bot.core.redflags.filters import accepts
from bot.core.redflags.lexicon import DEFAULT_LEXICON, Lexicon, load_lexicon
from bot.core.redflags.matching import Match, accepted_matches, mentions
from bot.core.redflags.normalize import clean_text, plain_tokens
from bot.core.redflags.patterns import PatternSet
from bot.core.redflags.tokens import Message, RawToken, raw_from_doc, read_message

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LOGGER = logging.getLogger(__name__)
DEFAULT_MODEL = "fr_core_news_md"


@dataclass(frozen=True)
class Detection:
    """A reported red flag: its group ("A".."F"), the words that matched, the sentence they are in."""

    group: str
    matched: tuple[str, ...]
    sentence: str


@dataclass(frozen=True)
class Report:
    """Everything the detector reads in one message.

    `reported`: every group the message reports, most urgent first (the first one is THE red flag);
    `mentioned`: groups whose words appear, reported or not ("je n'ai pas de fièvre" gives D): evidence
    that a message talks about a red flag without reporting one; `ambiguous`: words of a vague symptom
    report that needs follow-up questions, read independently of the groups (a red flag wins).
    """

    reported: tuple[Detection, ...] = ()
    mentioned: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()

    @property
    def detection(self) -> Detection | None:
        return self.reported[0] if self.reported else None

    @property
    def group(self) -> str | None:
        return self.reported[0].group if self.reported else None

    @property
    def matched(self) -> tuple[str, ...]:
        return self.reported[0].matched if self.reported else ()

    @property
    def sentence(self) -> str:
        return self.reported[0].sentence if self.reported else ""

    @property
    def groups(self) -> dict[str, tuple[str, ...]]:
        """Every reported group with its matched words."""
        return {d.group: d.matched for d in self.reported}

    @property
    def also_f(self) -> bool:
        """Suicidal thoughts beside a more urgent group: the alert adds the 3114 answer."""
        return self.group not in (None, "F") and any(d.group == "F" for d in self.reported)


@dataclass(frozen=True)
class Reading:
    """A message with its cues, what the matching and the filters work on (for benchmarks and debugging)."""

    message: Message
    cues: Cues


class RedFlagDetector:
    """Reads red-flag symptom reports in French patient messages.

    `nlp`: a spaCy French pipeline; by default fr_core_news_md is loaded once, lazily, without its
    parser and NER (only lemmas and morphology are used, so a full pipeline's Doc gives the same
    result). `lexicon_path`: the YAML lexicon (default: lexicon.yml next to this module).
    """

    _default_nlp: Language | None = None
    _default_lock = threading.Lock()

    def __init__(self, nlp: Language | None = None, lexicon_path: str | Path | None = None) -> None:
        self._nlp = nlp
        self.lexicon: Lexicon = load_lexicon(str(lexicon_path or DEFAULT_LEXICON))
        self.max_parse_chars = int(self.lexicon.settings.get("max_parse_chars", 20_000))

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = self._load_default_nlp()
        return self._nlp

    @classmethod
    def _load_default_nlp(cls) -> Language:
        with cls._default_lock:
            if cls._default_nlp is None:
                import spacy

                cls._default_nlp = spacy.load(DEFAULT_MODEL, exclude=["parser", "ner", "senter"])
            return cls._default_nlp

    def analyse(self, text: Any, doc: Doc | None = None) -> Report:
        """What the message reports; `doc`: spaCy's parse of the same text, if the caller has one."""
        reading = self.read(text, doc)
        if reading is None:
            return Report()
        lex = self.lexicon
        m = reading.message
        reported = []
        for group in lex.priority:
            matches = self.matches(reading, lex.groups[group])
            if matches:
                reported.append(Detection(group, words(m, matches), sentence_text(m, matches[0])))
        return Report(
            reported=tuple(reported),
            mentioned=tuple(g for g in lex.priority if mentions(m, lex.groups[g])),
            ambiguous=words(m, self.matches(reading, lex.ambiguous)),
        )

    def matches(self, reading: Reading, pset: PatternSet) -> list[Match]:
        """The matches of a pattern set that the filters accept as a report."""
        m, c = reading.message, reading.cues
        return accepted_matches(m, pset, c.has_current, lambda p, match, s: accepts(self.lexicon, m, c, p, match, s))

    def read(self, text: Any, doc: Doc | None = None) -> Reading | None:
        """Tokens, spans and cues of a message; None for an empty one."""
        text = _as_text(text)
        if not text.strip():
            return None
        source, raw = self._raw_tokens(text, doc)
        message, cues = read_cues(self.lexicon, read_message(self.lexicon, source, raw))
        return Reading(message, cues)

    def _raw_tokens(self, text: str, doc: Doc | None) -> tuple[str, list[RawToken]]:
        if doc is not None:
            doc_text = doc.text
            # Rasa's SpacyNLP may lower-case the text; any other difference means another message.
            if doc_text == text or doc_text.lower() == text.lower():
                return doc_text, raw_from_doc(doc)
            LOGGER.debug("red flags: the Doc given is for another text, parsing again")
        cleaned = clean_text(text)
        if len(cleaned) <= self.max_parse_chars:
            try:
                return cleaned, raw_from_doc(self.nlp(cleaned))
            except Exception:  # a parser failure must not hide a red flag: fall back to plain tokens
                LOGGER.exception("red flags: spaCy failed, using plain tokens")
        # A pure hash: vocab.has_vector() would grow the vocab. In spacy.strings at run time, not in its stubs.
        from spacy.strings import hash_string  # type: ignore[attr-defined]

        vectors = self.nlp.vocab.vectors
        return cleaned, [
            RawToken(text=tok, start=start, oov=hash_string(tok) not in vectors)
            for tok, start, _ in plain_tokens(cleaned)
        ]


def _as_text(text: Any) -> str:
    if text is None:
        return ""
    if isinstance(text, (bytes, bytearray)):
        return bytes(text).decode("utf-8", "replace")
    return text if isinstance(text, str) else str(text)


def words(m: Message, matches: list[Match]) -> tuple[str, ...]:
    """The matched tokens' original text, each once, in match order."""
    found: list[str] = []
    for match in matches:
        for i in match:
            text = m.tokens[i].text
            if text not in found:
                found.append(text)
    return tuple(found)


def sentence_text(m: Message, match: Match) -> str:
    span = next(s for s in m.sentences if s.start <= match[0] < s.end)
    start = m.tokens[span.start].start
    end = m.tokens[span.end - 1].end
    if span.end < len(m.tokens) and m.tokens[span.end].punct.strip():
        end = m.tokens[span.end].end  # keep the closing "." / "?" / "!"
    return m.text[start:end].strip()


_default: RedFlagDetector | None = None
_default_lock = threading.Lock()


def default_detector() -> RedFlagDetector:
    """The process's shared detector (default lexicon, fr_core_news_md loaded on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RedFlagDetector()
        return _default


def analyse(text: Any, doc: Doc | None = None) -> Report:
    """What a patient message reports, read by the shared detector (see RedFlagDetector.analyse)."""
    return default_detector().analyse(text, doc)
