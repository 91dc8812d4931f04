"""lexicon.yml compiled: element ids, pattern sets, the cue sets and the grammar words (syntax in lexicon.yml)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.redflags.fuzzy import FuzzyIndex
from bot.core.redflags.normalize import split_word
from bot.core.redflags.patterns import Pattern, PatternSet

DEFAULT_LEXICON = Path(__file__).with_name("lexicon.yml")
COMPARATIVE_KEY = "pluscmp"
CURRENT_KEY = "@current"
_CLASS_NAME = re.compile(r"^[A-Z][A-Z_]+$")
_GAP = re.compile(r"^~(\d+)$")


def _words(data: dict[str, Any], key: str) -> frozenset[str]:
    items = data[key]
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"lexicon: grammar.{key} must be a list of quoted words")
    return frozenset(items)


@dataclass(frozen=True)
class Grammar:
    """The `grammar` section: function words the cues and filters test one token at a time."""

    plus: frozenset[str]
    negators: frozenset[str]
    ne: frozenset[str]
    neg_adverbs: frozenset[str]
    clitics: frozenset[str]
    depuis_prefixes: tuple[str, ...]
    coordinators: frozenset[str]
    contrast: frozenset[str]
    imperfect: re.Pattern[str]
    not_imperfect: frozenset[str]
    auxiliaries: frozenset[str]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Grammar:
        endings = sorted(_words(data, "imperfect_endings"), key=lambda e: (-len(e), e))
        return cls(
            plus=_words(data, "plus"),
            negators=_words(data, "negators"),
            ne=_words(data, "ne"),
            neg_adverbs=_words(data, "neg_adverbs"),
            clitics=_words(data, "clitics"),
            depuis_prefixes=tuple(sorted(_words(data, "depuis_prefixes"))),
            coordinators=_words(data, "coordinators"),
            contrast=_words(data, "contrast"),
            imperfect=re.compile("(" + "|".join(map(re.escape, endings)) + ")$"),
            not_imperfect=_words(data, "not_imperfect"),
            auxiliaries=_words(data, "auxiliaries"),
        )


class Lexicon:
    """lexicon.yml compiled into element ids, pattern sets and lookup tables."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.settings: dict[str, Any] = data.get("settings", {})
        self.max_gap = int(self.settings.get("max_gap", 3))
        self.priority: tuple[str, ...] = tuple(data["priority"])
        self.classes: dict[str, list[str]] = {k: [str(t) for t in v] for k, v in data["classes"].items()}
        self.forms: dict[str, frozenset[str]] = self._invert_forms(data.get("forms", {}))
        self.form_words = frozenset(self.forms)
        self.grammar = Grammar.from_data(data["grammar"])
        self._elements: list[tuple[frozenset[str], tuple[str, ...]]] = []
        self._element_ids: dict[tuple[frozenset[str], tuple[str, ...]], int] = {}
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._key_ids: dict[str, frozenset[int]] = {}

        self.groups: dict[str, PatternSet] = {
            name: self._pattern_set(spec.get("patterns", []), spec.get("except", []))
            for name, spec in data["groups"].items()
        }
        missing = set(self.groups) ^ set(self.priority)
        if missing:
            raise ValueError(f"lexicon: groups and priority differ on {sorted(missing)}")
        amb = data.get("ambiguous", {})
        self.ambiguous = self._pattern_set(amb.get("patterns", []), amb.get("except", []))
        self.fuzzy = self._fuzzy_index()

        cues = data["cues"]
        neg = cues["negation"]
        self.neg = self._pattern_set(neg["patterns"], neg.get("except", []))
        self.comparative = self._pattern_set(neg.get("comparative", []))
        self.neg_window = int(self.settings.get("negation_window", 6))
        self.scope_break = frozenset(neg.get("scope_break", []))
        self.pass_verbs = frozenset(neg.get("pass_verbs", []))
        self.post_neg = self._element("|".join(neg.get("post", [])))
        self.post_after = self._element("|".join(neg.get("post_after", [])))
        self.answers = self._element("|".join(str(a) for a in neg.get("answers", [])))
        self.inherit = frozenset(neg.get("inherit", []))
        self.question = self._pattern_set(cues["question"]["patterns"])
        hyp = cues["hypothetical"]
        self.hyp_verb = self._pattern_set(hyp.get("verb", []))
        self.hyp_conj = self._pattern_set(hyp.get("conj", []), hyp.get("conj_except", []))
        self.hyp_question = self._pattern_set(hyp.get("in_question", []))
        self.hyp_post = self._pattern_set(hyp.get("post", []))
        self.third_party = self._pattern_set(hyp.get("third_party", []))
        self.third_party_stop = frozenset(hyp.get("third_party_stop", []))
        self.animal = self._pattern_set(hyp.get("animal", []))
        self.generic_question = self._pattern_set(hyp.get("generic_question", []))
        complement = hyp.get("complement", {})
        self.complement_lead = frozenset(complement.get("lead", []))
        self.complement_start = frozenset(complement.get("start", []))
        self.subjects = frozenset(self._expand("SUBJECT")) if "SUBJECT" in self.classes else frozenset()
        person = cues["person"]
        self.person = self._pattern_set(person["patterns"], person.get("except", []))
        cur = cues["current_time"]
        self.current = self._pattern_set(cur["patterns"], cur.get("except", []))
        hist = cues["history"]
        self.history = self._pattern_set(hist["patterns"], hist.get("except", []))
        known = cues.get("known", {})
        self.known = self._pattern_set(known.get("patterns", []), known.get("except", []))
        weak = cues.get("history_if_past", {})
        self.history_if_past = self._pattern_set(weak.get("patterns", []), weak.get("except", []))
        clauses = cues.get("clauses", {})
        self.clause_words = frozenset(clauses.get("words", []))
        self.clause_pairs = frozenset(tuple(p.split()) for p in clauses.get("pairs", []))
        numbers = data.get("numbers", {})
        self.units_after = frozenset(str(u) for u in numbers.get("units_after", []))
        self.not_before = frozenset(str(u) for u in numbers.get("not_before", []))

    # -- elements -----------------------------------------------------------------------------------

    @staticmethod
    def _invert_forms(forms: dict[str, list[str]]) -> dict[str, frozenset[str]]:
        inverted: dict[str, set[str]] = {}
        for lemma, surfaces in forms.items():
            for surface in surfaces:
                for part in split_word(str(surface)):
                    inverted.setdefault(part, set()).add(str(lemma))
        return {k: frozenset(v) for k, v in inverted.items()}

    def _expand(self, spec: str, seen: frozenset[str] = frozenset()) -> list[str]:
        """Alternatives of one element, classes resolved recursively; terms folded like the text."""
        terms: list[str] = []
        for alt in spec.split("|"):
            if _CLASS_NAME.match(alt):
                if alt not in self.classes:
                    raise ValueError(f"lexicon: unknown class {alt}")
                if alt in seen:
                    raise ValueError(f"lexicon: recursive class {alt}")
                for item in self.classes[alt]:
                    terms.extend(self._expand(item, seen | {alt}))
            elif alt:
                terms.append(self._fold_term(alt))
        return terms

    @staticmethod
    def _fold_term(term: str) -> str:
        if term[0] in "#@" or term == COMPARATIVE_KEY:
            return term
        star = term.endswith("*")
        parts = split_word(term.rstrip("*"))
        return "".join(parts) + ("*" if star else "")

    def _element(self, spec: str) -> int:
        terms = self._expand(spec)
        exact = frozenset(t for t in terms if not t.endswith("*"))
        prefixes = tuple(sorted({t[:-1] for t in terms if t.endswith("*")}))
        key = (exact, prefixes)
        if key not in self._element_ids:
            eid = len(self._elements)
            self._elements.append(key)
            self._element_ids[key] = eid
            for term in exact:
                self._exact.setdefault(term, []).append(eid)
            for prefix in prefixes:
                self._prefix.setdefault(prefix, []).append(eid)
        return self._element_ids[key]

    def ids_for(self, keys: Iterable[str]) -> frozenset[int]:
        """Element ids matched by a token carrying these keys."""
        ids: set[int] = set()
        for key in keys:
            ids |= self._ids_of_key(key)
        return frozenset(ids)

    def _ids_of_key(self, key: str) -> frozenset[int]:
        found = self._key_ids.get(key)
        if found is None:
            ids = set(self._exact.get(key, ()))
            for cut in range(1, len(key) + 1):
                ids.update(self._prefix.get(key[:cut], ()))
            found = frozenset(ids)
            if len(self._key_ids) < 100_000:  # patients' vocabulary is open-ended: bounded memory
                self._key_ids[key] = found
        return found

    def expand_forms(self, keys: set[str]) -> set[str]:
        for key in list(keys):
            keys.update(self.forms.get(key, ()))
        return keys

    def _fuzzy_index(self) -> FuzzyIndex:
        """Fuzzy vocabulary: only the words of symptom patterns (cue words are short and common)."""
        used: set[int] = set()
        for pset in (*self.groups.values(), self.ambiguous):
            for pattern in pset.patterns:
                used.update(pattern.elements)
        terms = set(self.forms)
        prefixes: set[str] = set()
        for eid in used:
            exact, prefs = self._elements[eid]
            terms.update(exact)
            prefixes.update(prefs)
        never = frozenset(str(w) for w in self.settings.get("no_fuzzy", []))
        return FuzzyIndex(terms, prefixes, int(self.settings.get("fuzzy_min_len", 5)), never)

    # -- patterns -----------------------------------------------------------------------------------

    def _pattern_set(self, specs: Sequence[Any], exceptions: Sequence[Any] = ()) -> PatternSet:
        return PatternSet(tuple(self._pattern(s) for s in specs), tuple(self._pattern(s) for s in exceptions))

    def _pattern(self, spec: Any) -> Pattern:
        if isinstance(spec, str):
            spec = {"seq": spec}
        unordered = "all" in spec
        source = str(spec["all"] if unordered else spec["seq"])
        elements: list[int] = []
        gaps: list[int] = []
        pending_gap = self.max_gap
        carries_negation = False
        for item in source.split():
            gap = _GAP.match(item)
            if gap:
                pending_gap = int(gap.group(1))
                continue
            if any(alt.startswith("NEG") and _CLASS_NAME.match(alt) for alt in item.split("|")):
                carries_negation = True
            elements.append(self._element(item))
            gaps.append(pending_gap if elements[1:] else 0)
            pending_gap = self.max_gap
        if not elements:
            raise ValueError(f"lexicon: empty pattern {spec!r}")
        block = self._element(spec["block"]) if spec.get("block") else None
        return Pattern(
            source=source,
            elements=tuple(elements),
            gaps=tuple(gaps),
            unordered=unordered,
            window=int(spec.get("window", 8)),
            sentence_scope=spec.get("scope", "clause") == "sentence",
            block=block,
            carries_negation=carries_negation,
            unless_current=bool(spec.get("unless_current", False)),
        )


@lru_cache(maxsize=8)
def load_lexicon(path: str = str(DEFAULT_LEXICON)) -> Lexicon:
    with open(path, encoding="utf-8") as handle:
        return Lexicon(yaml.safe_load(handle))
