"""Compiled lexicon patterns: sequences (or unordered sets) of element ids, grouped in pattern sets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain


@dataclass(frozen=True)
class Pattern:
    source: str
    elements: tuple[int, ...]
    gaps: tuple[int, ...]  # gaps[k]: max tokens between element k-1 and element k
    unordered: bool = False
    window: int = 8
    sentence_scope: bool = False
    block: int | None = None
    carries_negation: bool = False
    unless_current: bool = False  # an `except` pattern that does not apply in a clause with a current-time marker
    element_set: frozenset[int] = frozenset()  # filled in __post_init__: quick "can it match here?" test

    def __post_init__(self) -> None:
        object.__setattr__(self, "element_set", frozenset(self.elements))


def _index(patterns: tuple[Pattern, ...]) -> dict[int, tuple[int, ...]]:
    """Pattern positions by their first element: every element must occur for a pattern to match."""
    index: dict[int, list[int]] = {}
    for position, pattern in enumerate(patterns):
        index.setdefault(pattern.elements[0], []).append(position)
    return {element: tuple(positions) for element, positions in index.items()}


def _viable(patterns: tuple[Pattern, ...], index: dict[int, tuple[int, ...]], ids: frozenset[int]) -> list[Pattern]:
    hits = index.keys() & ids  # in C, sized by the smaller side
    if not hits:
        return []
    if len(hits) == 1:
        positions: Iterable[int] = index[next(iter(hits))]
    else:
        positions = sorted(chain.from_iterable(index[e] for e in hits))
    return [p for i in positions if (p := patterns[i]).element_set <= ids]


@dataclass(frozen=True)
class PatternSet:
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...] = ()
    _index: dict[int, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)
    _except_index: dict[int, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _index(self.patterns))
        object.__setattr__(self, "_except_index", _index(self.exceptions))

    def viable(self, ids: frozenset[int]) -> list[Pattern]:
        """The patterns whose elements all occur among `ids` (a span's element ids), in lexicon order.

        Same as testing `element_set <= ids` on every pattern, without visiting the hundreds that
        cannot match: the order is kept (the first accepted match gives the reported sentence).
        """
        return _viable(self.patterns, self._index, ids)

    def viable_exceptions(self, ids: frozenset[int]) -> list[Pattern]:
        return _viable(self.exceptions, self._except_index, ids)
