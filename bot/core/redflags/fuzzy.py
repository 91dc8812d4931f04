"""One-edit typo correction towards the lexicon's symptom words ('poitrinne' -> 'poitrine')."""

from __future__ import annotations

from collections.abc import Iterable


def osa_distance(a: str, b: str, limit: int = 1) -> int:
    """Optimal-string-alignment distance (edits incl. adjacent transposition), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class FuzzyIndex:
    """Symmetric-deletion index over exact terms and prefixes (a prefix `saign*` matches 'saignment')."""

    def __init__(self, terms: Iterable[str], prefixes: Iterable[str], min_len: int, never: frozenset[str]) -> None:
        self._min_len = min_len
        self._never = never  # real words never corrected towards a symptom ("Saint-Germain" is no "saigne")
        self._exact: dict[str, set[str]] = {}
        self._prefix: dict[int, list[str]] = {}
        for prefix in prefixes:
            if len(prefix) >= min_len and prefix.isalpha():
                self._prefix.setdefault(len(prefix), []).append(prefix)
        for term in terms:
            if len(term) >= min_len and term.isalpha():
                for variant in _deletions(term) | {term}:
                    self._exact.setdefault(variant, set()).add(term)
        self._cache: dict[str, tuple[str, ...]] = {}

    def correct(self, word: str) -> tuple[str, ...]:
        """Lexicon terms (prefixes without their star) one edit away from an unknown word."""
        if word in self._cache:
            return self._cache[word]
        found: set[str] = set()
        if len(word) >= self._min_len and word.isalpha() and word not in self._never:
            candidates: set[str] = set()
            for variant in _deletions(word) | {word}:
                candidates.update(self._exact.get(variant, ()))
            found.update(t for t in candidates if osa_distance(word, t) <= 1)
            for length, prefixes in self._prefix.items():
                for cut in (length - 1, length, length + 1):
                    head = word[:cut]
                    if len(head) == cut:
                        found.update(p + "*" for p in prefixes if p[0] == head[0] and osa_distance(head, p) <= 1)
        result = tuple(sorted(t[:-1] if t.endswith("*") else t for t in found))
        if len(self._cache) < 50_000:
            self._cache[word] = result
        return result
