"""Readability of an answer for elderly readers: word count and LIX (pure functions).

LIX = words per sentence + 100 × share of long words (over 6 letters). Under 40 reads easily; the
project's limit for answers is 45. Counting rules, chosen for French answers:
- a word is a whitespace-separated token with at least one letter or digit; an elided article stays
  part of its word ("l'intervention" is one word) but does not count in its length;
- a phone number ("01 23 45 67 89") is one word;
- a sentence ends with . ! ? : ; or … (a colon starts a new sentence, as in Björnsson's LIX).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LONG_WORD = 6  # letters: a word with more is "long"
_PHONE = re.compile(r"(?<!\d)(?:\+33\s?|0)[1-9](?:[\s.]?\d{2}){4}(?!\d)")
_SENTENCE_END = re.compile(r"[.!?:;…]+(?=\s|$)")
_HAS_WORD_CHAR = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Readability:
    words: int
    sentences: int
    long_words: int

    @property
    def lix(self) -> float:
        if not self.words:
            return 0.0
        return self.words / max(self.sentences, 1) + 100 * self.long_words / self.words


def words(text: str) -> list[str]:
    text = _PHONE.sub("0123456789", text)  # any phone number: one token
    return [token for token in text.split() if _HAS_WORD_CHAR.search(token)]


def letters(word: str) -> int:
    """Letters of a word, without an elided prefix (l', qu', jusqu') and splitting at hyphens."""
    parts = re.split(r"['’\-]", word)
    return max((sum(ch.isalpha() for ch in part) for part in parts), default=0)


def sentences(text: str) -> int:
    pieces = _SENTENCE_END.split(text)
    return sum(1 for piece in pieces if words(piece)) or (1 if words(text) else 0)


def measure(text: str) -> Readability:
    tokens = words(text)
    return Readability(
        words=len(tokens),
        sentences=sentences(text),
        long_words=sum(1 for token in tokens if letters(token) > LONG_WORD),
    )
