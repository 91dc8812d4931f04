"""Where a pattern matches in a message: token positions, per clause or sentence, `except` overlaps removed."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bot.core.redflags.patterns import Pattern, PatternSet
from bot.core.redflags.tokens import Message, Span, Token

Match = tuple[int, ...]


def find(pattern: Pattern, tokens: list[Token], lo: int, hi: int) -> Iterator[Match]:
    """Each start position's first (shortest-gap) match of a pattern inside tokens[lo:hi]."""
    if pattern.unordered:
        yield from _find_unordered(pattern, tokens, lo, hi)
        return
    first = pattern.elements[0]
    for i in range(lo, hi):
        if first in tokens[i].ids:
            path = _extend(pattern, tokens, 1, [i], hi)
            if path is not None:
                yield tuple(path)


def _extend(pattern: Pattern, tokens: list[Token], k: int, path: list[int], hi: int) -> list[int] | None:
    if k == len(pattern.elements):
        return path
    element = pattern.elements[k]
    prev = path[-1]
    for j in range(prev + 1, min(prev + 2 + pattern.gaps[k], hi)):
        if element in tokens[j].ids:
            found = _extend(pattern, tokens, k + 1, [*path, j], hi)
            if found is not None:
                return found
        if pattern.block is not None and pattern.block in tokens[j].ids:
            return None  # a blocking word in the gap: "je ne sens plus la douleur dans les jambes"
    return None


def _find_unordered(pattern: Pattern, tokens: list[Token], lo: int, hi: int) -> Iterator[Match]:
    positions = [[i for i in range(lo, hi) if el in tokens[i].ids] for el in pattern.elements]
    if not all(positions):
        return
    for anchor in positions[0]:
        chosen = [anchor]
        for candidates in positions[1:]:
            near = [q for q in candidates if abs(q - anchor) <= pattern.window and q not in chosen]
            if not near:
                break
            chosen.append(min(near, key=lambda q: abs(q - anchor)))
        else:
            if max(chosen) - min(chosen) <= pattern.window:
                yield tuple(chosen)


def _excluded(pset: PatternSet, m: Message, s: int, keep: Callable[[Match], bool] = lambda _: True) -> set[int]:
    """Token positions covered by the set's `except` patterns in sentence s (those `keep` accepts)."""
    sentence = m.sentences[s]
    excluded: set[int] = set()
    for pattern in pset.viable_exceptions(m.sentence_ids[s]):
        for match in find(pattern, m.tokens, sentence.start, sentence.end):
            if keep(match) or not pattern.unless_current:
                excluded.update(range(min(match), max(match) + 1))
    return excluded


def cue_positions(m: Message, pset: PatternSet, matched_only: bool = True) -> set[int]:
    """Token positions covered by a cue pattern set over each sentence, minus its exceptions.

    matched_only=False: the whole stretch from the first to the last matched token.
    """
    positions: set[int] = set()
    for s, sentence in enumerate(m.sentences):
        patterns = pset.viable(m.sentence_ids[s])
        if not patterns:
            continue
        excluded = _excluded(pset, m, s)
        for pattern in patterns:
            for match in find(pattern, m.tokens, sentence.start, sentence.end):
                span = set(match) if matched_only else set(range(min(match), max(match) + 1))
                if not span & excluded:
                    positions |= span
    return positions


def occurs_in(m: Message, pset: PatternSet, s: int) -> bool:
    """Whether a pattern of the set (exceptions ignored) matches in sentence s."""
    sentence = m.sentences[s]
    return any(next(find(p, m.tokens, sentence.start, sentence.end), None) is not None
               for p in pset.viable(m.sentence_ids[s]))


def mentions(m: Message, pset: PatternSet) -> bool:
    """Whether the set's words occur anywhere, whatever the filters would say ("pas de fièvre")."""
    return any(occurs_in(m, pset, s) for s in range(len(m.sentences)))


Accept = Callable[[Pattern, Match, int], bool]


def accepted_matches(m: Message, pset: PatternSet, has_current: list[bool], accept: Accept) -> list[Match]:
    """Per pattern and scope (its clauses, or its sentence), the first match that `accept` lets through.

    An `except` match cancels the matches it overlaps, unless it is `unless_current` and one of its
    tokens is in a clause with a current-time marker ("elle est souvent confuse depuis l'opération").
    """
    accepted: list[Match] = []
    for s, sentence in enumerate(m.sentences):
        patterns = pset.viable(m.sentence_ids[s])
        if not patterns:
            continue
        excluded = _excluded(pset, m, s, lambda match: not any(has_current[m.clause_of[i]] for i in match))
        clause_scopes = [(m.clauses[ci], m.clause_ids[ci]) for ci in m.sentence_clauses[s]]
        for pattern in patterns:
            scopes: list[tuple[Span, frozenset[int]]] = (
                [(sentence, m.sentence_ids[s])] if pattern.sentence_scope else clause_scopes
            )
            for span, ids in scopes:
                if not pattern.element_set <= ids:
                    continue
                for match in find(pattern, m.tokens, span.start, span.end):
                    if excluded.intersection(match):
                        continue
                    if accept(pattern, match, s):
                        accepted.append(match)
                        break
    return accepted
