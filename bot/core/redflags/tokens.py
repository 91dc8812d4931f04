"""A message as the lexicon sees it: normalised tokens with their keys, cut into sentences and clauses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bot.core.redflags.lexicon import Lexicon
from bot.core.redflags.normalize import normalize_words, split_word

if TYPE_CHECKING:
    from spacy.tokens import Doc

SENTENCE_PUNCT = frozenset(".!?…\n")
CLAUSE_PUNCT = frozenset(",;:()[]{}-–—/|•")
_NUMBER = re.compile(r"^(\d{1,4})(?:[.,](\d{1,2}))?°?c?$")


@dataclass(frozen=True)
class RawToken:
    """A token as spaCy (or the plain fallback tokeniser) gives it."""

    text: str
    start: int
    lemma: str = ""
    tense: str = ""
    verbform: str = ""
    pos: str = ""
    oov: bool = True


@dataclass
class Token:
    """One normalised word (a raw token may give several: "jsuis") or one punctuation mark.

    `keys` and `ids` change once after tokenisation, when the cues re-read "plus" as a comparison or
    mark a current-time word (cues.retag); they are fixed afterwards.
    """

    text: str  # original token text (shown in the report's matched words)
    start: int
    end: int
    word: str = ""  # normalised word; "" for punctuation
    punct: str = ""
    keys: set[str] = field(default_factory=set)
    ids: frozenset[int] = frozenset()
    lemma: str = ""
    tense: str = ""
    verbform: str = ""
    pos: str = ""


@dataclass(frozen=True)
class Span:
    start: int  # token indices, end exclusive
    end: int
    sentence: int = -1


@dataclass(frozen=True)
class Message:
    """The tokens of one message, its sentences (. ! ? new line) and clauses (, ; : mais, et, ou...)."""

    text: str
    tokens: list[Token]
    sentences: list[Span]
    clauses: list[Span]
    clause_of: list[int]  # token -> clause index, -1 for punctuation
    sentence_clauses: list[list[int]]
    ends_with_question_mark: list[bool]  # per sentence
    clause_ids: list[frozenset[int]]  # element ids present in each clause / sentence
    sentence_ids: list[frozenset[int]]


def raw_from_doc(doc: Doc) -> list[RawToken]:
    raw = []
    for tok in doc:
        morph = tok.morph
        tense = morph.get("Tense", None)
        verbform = morph.get("VerbForm", None)
        raw.append(
            RawToken(
                text=tok.text,
                start=tok.idx,
                lemma=tok.lemma_,
                tense=tense[0] if tense else "",
                verbform=verbform[0] if verbform else "",
                pos=tok.pos_,
                oov=tok.is_oov,
            )
        )
    return raw


def number_keys(word: str) -> set[str]:
    """#num, and #temp_high / #temp_border / #year for numbers that could be one."""
    match = _NUMBER.match(word)
    if not match:
        return set()
    value = float(match.group(1) + ("." + match.group(2) if match.group(2) else ""))
    keys = {"#num"}
    if 38.0 <= value <= 42.5:
        keys.add("#temp_high")
    elif 37.5 <= value < 38.0:
        keys.add("#temp_border")
    if match.group(2) is None and 1900 <= value <= 2099:
        keys.add("#year")
    return keys


def make_tokens(lex: Lexicon, raw: list[RawToken]) -> list[Token]:
    """Normalised tokens, each with its keys: surface, lemma, `forms` lemmas, fuzzy correction, numbers."""
    words_per_token = normalize_words([r.text for r in raw], keep=lex.form_words)
    tokens: list[Token] = []
    for r, words in zip(raw, words_per_token):
        end = r.start + len(r.text)
        if not words:
            punct = "".join(ch for ch in r.text if ch in SENTENCE_PUNCT or ch in CLAUSE_PUNCT)
            if punct:
                tokens.append(Token(r.text, r.start, end, punct=punct))
            continue
        lemma_parts = split_word(r.lemma) if r.lemma and len(words) == 1 else ()
        for index, word in enumerate(words):
            keys = {word}
            if len(lemma_parts) == 1:
                keys.add(lemma_parts[0])
            if len(words) == 1:  # a number glued to other characters is no temperature
                keys |= number_keys(word)
            lex.expand_forms(keys)
            if (r.oov or len(words) > 1) and not lex.ids_for(keys):
                keys.update(lex.fuzzy.correct(word))
                lex.expand_forms(keys)
            first = index == 0
            tokens.append(
                Token(
                    r.text,
                    r.start,
                    end,
                    word=word,
                    keys=keys,
                    lemma=lemma_parts[0] if len(lemma_parts) == 1 else word,
                    tense=r.tense if first else "",
                    verbform=r.verbform if first else "",
                    pos=r.pos if first else "",
                )
            )
    _number_context(lex, tokens)
    for tok in tokens:
        tok.ids = lex.ids_for(tok.keys)
    return tokens


def _number_context(lex: Lexicon, tokens: list[Token]) -> None:
    """'39 ans' or 'rue 38' is no temperature."""
    words = [t.word for t in tokens]
    for i, tok in enumerate(tokens):
        if "#temp_high" in tok.keys or "#temp_border" in tok.keys:
            nxt = next((w for w in words[i + 1 : i + 2] if w), "")
            prev = words[i - 1] if i else ""
            if nxt in lex.units_after or prev in lex.not_before:
                tok.keys -= {"#temp_high", "#temp_border"}


def span_ids(tokens: list[Token], start: int, end: int) -> frozenset[int]:
    ids: set[int] = set()
    for tok in tokens[start:end]:
        ids |= tok.ids
    return frozenset(ids)


def with_ids(message: Message) -> Message:
    """The message with its clause and sentence ids read again from its tokens (after a retag)."""
    tokens = message.tokens
    return replace(
        message,
        clause_ids=[span_ids(tokens, c.start, c.end) for c in message.clauses],
        sentence_ids=[span_ids(tokens, s.start, s.end) for s in message.sentences],
    )


def read_message(lex: Lexicon, text: str, raw: list[RawToken]) -> Message:
    tokens = make_tokens(lex, raw)
    sentences, clauses, clause_of, questions = _segment(lex, tokens)
    sentence_clauses: list[list[int]] = [[] for _ in sentences]
    for ci, clause in enumerate(clauses):
        sentence_clauses[clause.sentence].append(ci)
    message = Message(text, tokens, sentences, clauses, clause_of, sentence_clauses, questions, [], [])
    return with_ids(message)


def _segment(lex: Lexicon, tokens: list[Token]) -> tuple[list[Span], list[Span], list[int], list[bool]]:
    sentences: list[Span] = []
    clauses: list[Span] = []
    clause_of = [-1] * len(tokens)
    questions: list[bool] = []
    sent_start = 0
    clause_start = 0
    question = False

    def close_clause(end: int) -> None:
        nonlocal clause_start
        if end > clause_start:
            for k in range(clause_start, end):
                clause_of[k] = len(clauses)
            clauses.append(Span(clause_start, end, len(sentences)))

    for i, tok in enumerate(tokens):
        if tok.punct:
            close_clause(i)
            clause_start = i + 1
            if any(ch in SENTENCE_PUNCT for ch in tok.punct):
                question = question or "?" in tok.punct
                if i > sent_start:
                    sentences.append(Span(sent_start, i))
                    questions.append(question)
                sent_start = i + 1
                question = False
            continue
        nxt = tokens[i + 1].word if i + 1 < len(tokens) else ""
        accented_where = tok.text.lower() == "où"  # "où" (where) opens no clause; "ou" (or) does
        if (
            i > clause_start
            and not accented_where
            and (tok.word in lex.clause_words or (tok.word, nxt) in lex.clause_pairs)
        ):
            close_clause(i)
            clause_start = i
    close_clause(len(tokens))
    if len(tokens) > sent_start:
        sentences.append(Span(sent_start, len(tokens)))
        questions.append(question)
    return sentences, clauses, clause_of, questions
