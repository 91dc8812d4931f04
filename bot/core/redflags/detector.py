"""Rule-based red-flag detector: does a patient message REPORT an emergency symptom?

Safety first: recall on the labelled set must stay at 100 % (tests/redflags). The rules live in
lexicon.yml; this module only knows how to match them and how to filter out negations, questions
about risks, hypotheses and old history. See lexicon.yml for the pattern syntax and the filters.

Pipeline for one message:
  1. tokens: spaCy (lemma, tense) on the raw text, or on a Doc the caller already has; each token is
     normalised (normalize.py) and gets keys: surface, lemma, `forms` lemmas, fuzzy correction, numbers;
  2. sentences (. ! ? new line) and clauses (, ; : and mais / et / ou / car ...);
  3. cues: negation, comparative "plus", question, hypothesis, person, current time, history;
  4. each group's patterns are matched per clause (or per sentence) and each match is filtered;
  5. the most urgent group (lexicon `priority`) wins.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bot.core.redflags.normalize import clean_text, normalize_words, plain_tokens, split_word

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LOGGER = logging.getLogger(__name__)
DEFAULT_LEXICON = Path(__file__).with_name("lexicon.yml")
DEFAULT_MODEL = "fr_core_news_md"
SENTENCE_PUNCT = frozenset(".!?…\n")
CLAUSE_PUNCT = frozenset(",;:()[]{}-–—/|•")
ANSWER_PUNCT = frozenset(":?=-,→>")
NEG_WORDS = frozenset({"plus", "pu", "plu"})
_NEGATORS = frozenset({"ne", "n", "pas", "plus", "jamais", "pu", "plu"})
# object pronouns and the like, between "ne" and its verb ("ne me le dit pas")
_CLITICS = frozenset(
    {"me", "m", "te", "t", "se", "s", "le", "la", "les", "l", "lui", "leur", "y", "en", "nous", "vous"}
)
COMPARATIVE_KEY = "pluscmp"
CURRENT_KEY = "@current"
_NUMBER = re.compile(r"^(\d{1,4})(?:[.,](\d{1,2}))?°?c?$")
_CLASS_NAME = re.compile(r"^[A-Z][A-Z_]+$")
_GAP = re.compile(r"^~(\d+)$")
_IMPERFECT = re.compile(r"(ais|ait|aient|ions|iez)$")
_NOT_IMPERFECT = frozenset({"fait", "fais", "plait", "tait", "tais", "sais", "sait", "vais"})


@dataclass(frozen=True)
class Detection:
    """A reported red flag: its group ("A".."F"), the words that matched, the sentence they are in."""

    group: str
    matched: tuple[str, ...]
    sentence: str


# --------------------------------------------------------------------------------------------------
# Lexicon compilation


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


@dataclass(frozen=True)
class PatternSet:
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...] = ()


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


class Lexicon:
    """lexicon.yml compiled into element ids, pattern sets and lookup tables."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.settings: dict[str, Any] = data.get("settings", {})
        self.max_gap = int(self.settings.get("max_gap", 3))
        self.priority: tuple[str, ...] = tuple(data["priority"])
        self.classes: dict[str, list[str]] = {k: [str(t) for t in v] for k, v in data["classes"].items()}
        self.forms: dict[str, frozenset[str]] = self._invert_forms(data.get("forms", {}))
        self.form_words = frozenset(self.forms)
        self._elements: list[tuple[frozenset[str], tuple[str, ...]]] = []
        self._element_ids: dict[tuple[frozenset[str], tuple[str, ...]], int] = {}
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._neg_terms = frozenset(self._expand("NEG"))

        self.groups: dict[str, PatternSet] = {
            name: self._pattern_set(spec.get("patterns", []), spec.get("except", []))
            for name, spec in data["groups"].items()
        }
        missing = set(self.groups) ^ set(self.priority)
        if missing:
            raise ValueError(f"lexicon: groups and priority differ on {sorted(missing)}")
        amb = data.get("ambiguous", {})
        self.ambiguous = self._pattern_set(amb.get("patterns", []), amb.get("except", []))
        # Fuzzy vocabulary: only the words of symptom patterns (cue words are short and common).
        self._fuzzy_min = int(self.settings.get("fuzzy_min_len", 5))
        # real words never corrected towards a symptom ("Saint-Germain" is no "saigne")
        self._no_fuzzy = frozenset(str(w) for w in self.settings.get("no_fuzzy", []))
        self._fuzzy_exact, self._fuzzy_prefix = self._collect_fuzzy_terms()

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
        self._fuzzy_cache: dict[str, tuple[str, ...]] = {}

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
            ids.update(self._exact.get(key, ()))
            for cut in range(1, len(key) + 1):
                ids.update(self._prefix.get(key[:cut], ()))
        return frozenset(ids)

    def expand_forms(self, keys: set[str]) -> set[str]:
        for key in list(keys):
            keys.update(self.forms.get(key, ()))
        return keys

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

    # -- fuzzy matching -----------------------------------------------------------------------------

    def _collect_fuzzy_terms(self) -> tuple[dict[str, set[str]], dict[int, list[str]]]:
        used: set[int] = set()
        for pset in (*self.groups.values(), self.ambiguous):
            for pattern in pset.patterns:
                used.update(pattern.elements)
        exact_index: dict[str, set[str]] = {}
        prefixes: dict[int, list[str]] = {}
        terms = set(self.forms)
        for eid in used:
            exact, prefs = self._elements[eid]
            terms.update(exact)
            for prefix in prefs:
                if len(prefix) >= self._fuzzy_min and prefix.isalpha():
                    prefixes.setdefault(len(prefix), []).append(prefix)
        for term in terms:
            if len(term) >= self._fuzzy_min and term.isalpha():
                for variant in _deletions(term) | {term}:
                    exact_index.setdefault(variant, set()).add(term)
        return exact_index, prefixes

    def fuzzy(self, word: str) -> tuple[str, ...]:
        """Lexicon terms one edit away from an unknown word ('poitrinne' -> 'poitrine')."""
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
        found: set[str] = set()
        if len(word) >= self._fuzzy_min and word.isalpha() and word not in self._no_fuzzy:
            candidates: set[str] = set()
            for variant in _deletions(word) | {word}:
                candidates.update(self._fuzzy_exact.get(variant, ()))
            found.update(t for t in candidates if osa_distance(word, t) <= 1)
            for length, prefixes in self._fuzzy_prefix.items():
                for cut in (length - 1, length, length + 1):
                    head = word[:cut]
                    if len(head) == cut:
                        found.update(p + "*" for p in prefixes if p[0] == head[0] and osa_distance(head, p) <= 1)
        result = tuple(sorted(t[:-1] if t.endswith("*") else t for t in found))
        if len(self._fuzzy_cache) < 50_000:
            self._fuzzy_cache[word] = result
        return result


@lru_cache(maxsize=8)
def load_lexicon(path: str) -> Lexicon:
    with open(path, encoding="utf-8") as handle:
        return Lexicon(yaml.safe_load(handle))


# --------------------------------------------------------------------------------------------------
# Tokens, sentences, clauses


@dataclass
class Token:
    text: str  # original token text (shown in Detection.matched)
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
class RawToken:
    text: str
    start: int
    lemma: str = ""
    tense: str = ""
    verbform: str = ""
    pos: str = ""
    oov: bool = True


@dataclass(frozen=True)
class Span:
    start: int  # token indices, end exclusive
    end: int
    sentence: int = -1


@dataclass
class Analysis:
    """Everything the filters need about one message."""

    text: str
    tokens: list[Token]
    sentences: list[Span]
    clauses: list[Span]
    clause_of: list[int]
    sentence_is_question: list[bool] = field(default_factory=list)
    sentence_clauses: list[list[int]] = field(default_factory=list)
    clause_ids: list[frozenset[int]] = field(default_factory=list)
    sentence_ids: list[frozenset[int]] = field(default_factory=list)
    neg_cues: list[list[int]] = field(default_factory=list)  # per clause, sorted positions
    neg_positions: set[int] = field(default_factory=set)
    neg_verb: dict[int, int] = field(default_factory=dict)  # cue -> the other lexical verb it negates
    clause_negated: list[bool] = field(default_factory=list)
    inherits_negation: list[bool] = field(default_factory=list)
    complement_clause: list[bool] = field(default_factory=list)  # "..., surtout de ne plus pouvoir marcher"
    answered_no: list[bool] = field(default_factory=list)
    has_current: list[bool] = field(default_factory=list)
    has_history: list[bool] = field(default_factory=list)
    clause_past: list[bool] = field(default_factory=list)
    sentence_history: list[bool] = field(default_factory=list)
    hyp_verb: set[int] = field(default_factory=set)
    hyp_conj: set[int] = field(default_factory=set)
    hyp_question: set[int] = field(default_factory=set)
    hyp_post: set[int] = field(default_factory=set)
    third_party: set[int] = field(default_factory=set)
    animal: set[int] = field(default_factory=set)
    generic_question: set[int] = field(default_factory=set)
    person: set[int] = field(default_factory=set)


def _number_keys(word: str) -> set[str]:
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


def _raw_from_doc(doc: Doc) -> list[RawToken]:
    raw = []
    for tok in doc:
        morph = tok.morph
        tense = morph.get("Tense")
        verbform = morph.get("VerbForm")
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


class RedFlagDetector:
    """Detects red-flag symptom reports in French patient messages.

    `nlp`: a spaCy French pipeline; by default fr_core_news_md is loaded once, lazily, without its
    parser and NER (only lemmas and morphology are used, so a full pipeline's Doc gives the same
    result). `lexicon_path`: the YAML lexicon (default: lexicon.yml next to this module).
    """

    _default_nlp: Language | None = None
    _default_lock = threading.Lock()

    def __init__(self, nlp: Language | None = None, lexicon_path: str | Path | None = None) -> None:
        self._nlp = nlp
        self.lexicon = load_lexicon(str(lexicon_path or DEFAULT_LEXICON))
        self.max_parse_chars = int(self.lexicon.settings.get("max_parse_chars", 20_000))
        self._cache: tuple[tuple[str, int], Analysis] | None = None

    # -- public API ---------------------------------------------------------------------------------

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

    def detect(self, text: str, doc: Doc | None = None) -> Detection | None:
        """The most urgent red flag REPORTED in the message, or None."""
        analysis = self.analyse(text, doc)
        if analysis is None:
            return None
        for group in self.lexicon.priority:
            matches = self._accepted_matches(analysis, self.lexicon.groups[group])
            if matches:
                return Detection(group, self._words(analysis, matches), self._sentence_text(analysis, matches[0]))
        return None

    def detect_all(self, text: str, doc: Doc | None = None) -> dict[str, tuple[str, ...]]:
        """Every group reported in the message with its matched words (for the benchmark and debugging)."""
        analysis = self.analyse(text, doc)
        if analysis is None:
            return {}
        found = {}
        for group in self.lexicon.priority:
            matches = self._accepted_matches(analysis, self.lexicon.groups[group])
            if matches:
                found[group] = self._words(analysis, matches)
        return found

    def mentioned_groups(self, text: str, doc: Doc | None = None) -> tuple[str, ...]:
        """Groups whose words appear in the message, reported or not ("je n'ai pas de fièvre" gives D).

        Evidence that a message talks about a red flag without reporting one: negated, asked about,
        hypothetical or old. The NLU component uses it to overrule the classifier's red-flag intents.
        """
        analysis = self.analyse(text, doc)
        if analysis is None:
            return ()
        return tuple(g for g in self.lexicon.priority if self._mentions(analysis, self.lexicon.groups[g]))

    def is_ambiguous(self, text: str, doc: Doc | None = None) -> tuple[str, ...] | None:
        """Words of a vague symptom report that needs follow-up questions, or None.

        Independent of `detect`: call `detect` first, a red flag always wins.
        """
        analysis = self.analyse(text, doc)
        if analysis is None:
            return None
        matches = self._accepted_matches(analysis, self.lexicon.ambiguous)
        return self._words(analysis, matches) if matches else None

    # -- analysis -----------------------------------------------------------------------------------

    def analyse(self, text: Any, doc: Doc | None = None) -> Analysis | None:
        """Tokens, spans and cues of a message (cached for the last message: detect + is_ambiguous)."""
        text = self._as_text(text)
        if not text.strip():
            return None
        key = (text, id(doc) if doc is not None else 0)
        cached = self._cache
        if cached is not None and cached[0] == key:
            return cached[1]
        analysis = self._analyse(text, doc)
        self._cache = (key, analysis)
        return analysis

    @staticmethod
    def _as_text(text: Any) -> str:
        if text is None:
            return ""
        if isinstance(text, (bytes, bytearray)):
            return bytes(text).decode("utf-8", "replace")
        return text if isinstance(text, str) else str(text)

    def _analyse(self, text: str, doc: Doc | None) -> Analysis:
        source, raw = self._raw_tokens(text, doc)
        tokens = self._tokens(raw)
        sentences, clauses, clause_of, questions = self._segment(tokens)
        analysis = Analysis(source, tokens, sentences, clauses, clause_of, sentence_is_question=questions)
        analysis.sentence_clauses = [[] for _ in sentences]
        for ci, clause in enumerate(clauses):
            analysis.sentence_clauses[clause.sentence].append(ci)
        self._mark_cues(analysis)
        return analysis

    def _raw_tokens(self, text: str, doc: Doc | None) -> tuple[str, list[RawToken]]:
        if doc is not None:
            doc_text = doc.text
            # Rasa's SpacyNLP may lower-case the text; any other difference means another message.
            if doc_text == text or doc_text.lower() == text.lower():
                return doc_text, _raw_from_doc(doc)
            LOGGER.debug("red flags: the Doc given is for another text, parsing again")
        cleaned = clean_text(text)
        if len(cleaned) <= self.max_parse_chars:
            try:
                return cleaned, _raw_from_doc(self.nlp(cleaned))
            except Exception:  # a parser failure must not hide a red flag: fall back to plain tokens
                LOGGER.exception("red flags: spaCy failed, using plain tokens")
        from spacy.strings import hash_string  # pure hash: vocab.has_vector() would grow the vocab

        vectors = self.nlp.vocab.vectors
        return cleaned, [
            RawToken(text=tok, start=start, oov=hash_string(tok) not in vectors)
            for tok, start, _ in plain_tokens(cleaned)
        ]

    def _tokens(self, raw: list[RawToken]) -> list[Token]:
        lex = self.lexicon
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
                    keys |= _number_keys(word)
                lex.expand_forms(keys)
                if (r.oov or len(words) > 1) and not lex.ids_for(keys):
                    keys.update(lex.fuzzy(word))
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
        self._number_context(tokens)
        for tok in tokens:
            tok.ids = lex.ids_for(tok.keys)
        return tokens

    def _number_context(self, tokens: list[Token]) -> None:
        """'39 ans' or 'rue 38' is no temperature."""
        words = [t.word for t in tokens]
        for i, tok in enumerate(tokens):
            if "#temp_high" in tok.keys or "#temp_border" in tok.keys:
                nxt = next((w for w in words[i + 1 : i + 2] if w), "")
                prev = words[i - 1] if i else ""
                if nxt in self.lexicon.units_after or prev in self.lexicon.not_before:
                    tok.keys -= {"#temp_high", "#temp_border"}

    def _segment(self, tokens: list[Token]) -> tuple[list[Span], list[Span], list[int], list[bool]]:
        lex = self.lexicon
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
            accented_where = tok.text.lower() == "où"
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

    # -- cues ---------------------------------------------------------------------------------------

    def _cue_positions(self, a: Analysis, pset: PatternSet, matched_only: bool = True) -> set[int]:
        """Token positions covered by a cue pattern set over each sentence, minus its exceptions."""
        positions: set[int] = set()
        for sentence in a.sentences:
            ids = self._span_ids(a.tokens, sentence.start, sentence.end)
            excluded: set[int] = set()
            for pattern in pset.exceptions:
                if pattern.element_set <= ids:
                    for match in self._find(pattern, a.tokens, sentence.start, sentence.end):
                        excluded.update(range(min(match), max(match) + 1))
            for pattern in pset.patterns:
                if pattern.element_set <= ids:
                    for match in self._find(pattern, a.tokens, sentence.start, sentence.end):
                        span = set(match) if matched_only else set(range(min(match), max(match) + 1))
                        if not span & excluded:
                            positions |= span
        return positions

    @staticmethod
    def _span_ids(tokens: list[Token], start: int, end: int) -> frozenset[int]:
        ids: set[int] = set()
        for tok in tokens[start:end]:
            ids |= tok.ids
        return frozenset(ids)

    def _mark_cues(self, a: Analysis) -> None:
        lex = self.lexicon
        tokens = a.tokens
        # Comparative "plus" ("plus mal qu'avant", "de plus en plus") is not a negation.
        for i in self._cue_positions(a, lex.comparative):
            if tokens[i].keys & NEG_WORDS:
                tokens[i].keys = (tokens[i].keys - NEG_WORDS) | {COMPARATIVE_KEY}
                tokens[i].ids = lex.ids_for(tokens[i].keys)
        current = self._cue_positions(a, lex.current)
        # "il va très bien depuis": a bare "depuis" at the end of its clause means "since then": it points
        # back to a past event (history), not to now
        since_then = {i for i in current if self._bare_depuis(a, i)}
        current -= since_then
        for i in current:
            tokens[i].keys.add(CURRENT_KEY)
            tokens[i].ids = lex.ids_for(tokens[i].keys)
        history = self._cue_positions(a, lex.history) | since_then
        weak_history = self._cue_positions(a, lex.history_if_past)
        neg = self._cue_positions(a, lex.neg)
        for s, sentence in enumerate(a.sentences):
            if not a.sentence_is_question[s]:
                a.sentence_is_question[s] = bool(self._cue_positions_in(a, lex.question, sentence))
        a.hyp_verb = self._cue_positions(a, lex.hyp_verb)
        a.hyp_conj = self._cue_positions(a, lex.hyp_conj)
        a.hyp_question = self._cue_positions(a, lex.hyp_question)
        a.hyp_post = self._cue_positions(a, lex.hyp_post)
        a.complement_clause = [self._is_complement(tokens, c) for c in a.clauses]
        a.third_party = self._cue_positions(a, lex.third_party, matched_only=False)
        a.animal = self._cue_positions(a, lex.animal)
        a.generic_question = self._cue_positions(a, lex.generic_question)
        a.person = self._cue_positions(a, lex.person)
        a.clause_ids = [self._span_ids(tokens, c.start, c.end) for c in a.clauses]
        a.sentence_ids = [self._span_ids(tokens, s.start, s.end) for s in a.sentences]
        a.neg_positions = neg
        a.neg_verb = {c: v for c in neg if (v := self._negated_verb(tokens, c)) is not None}
        a.neg_cues = [sorted(i for i in range(c.start, c.end) if i in neg) for c in a.clauses]
        a.has_current = [any(i in current for i in range(c.start, c.end)) for c in a.clauses]
        a.has_history = [any(i in history for i in range(c.start, c.end)) for c in a.clauses]
        a.sentence_history = [any(i in history for i in range(s.start, s.end)) for s in a.sentences]
        a.clause_past = [self._is_past(tokens[c.start : c.end]) for c in a.clauses]
        # "mon cœur s'emballe quand je stresse, c'est comme ça depuis toujours": a known, long-standing
        # condition declared anywhere in the sentence covers all its clauses
        known = self._cue_positions(a, lex.known)
        for s, sentence in enumerate(a.sentences):
            if any(sentence.start <= i < sentence.end for i in known):
                for ci in a.sentence_clauses[s]:
                    a.has_history[ci] = True
        # "avant je traînais la jambe": a weak cue counts only in a past-tense clause
        for ci, c in enumerate(a.clauses):
            if a.clause_past[ci] and any(i in weak_history for i in range(c.start, c.end)):
                a.has_history[ci] = True
        self._mark_negated_clauses(a)

    @staticmethod
    def _bare_depuis(a: Analysis, i: int) -> bool:
        tokens = a.tokens
        if not tokens[i].word.startswith(("depui", "dpuis")):
            return False
        nxt = i + 1
        return nxt >= len(tokens) or bool(tokens[nxt].punct) or a.clause_of[nxt] != a.clause_of[i]

    def _negated_verb(self, tokens: list[Token], cue: int) -> int | None:
        """The lexical verb a negation cue is bound to when it is not a pass-through verb, else None.

        French grammar gives the verb: the word after "ne" and its clitics ("ne me calme pas"); for
        "pas" / "plus" / "jamais" the verb of the "ne" just before, or the verb right before when "ne"
        was dropped ("ça calme pas"). spaCy's POS is not trusted here ("calme" comes out as an adjective).
        """
        word = tokens[cue].word
        if word in ("pas", "plus", "jamais", "rien", "guere"):
            ne = next((k for k in range(cue - 1, max(cue - 5, -1), -1) if tokens[k].word in ("ne", "n")), None)
            if ne is None:
                prev = cue - 1
                if prev < 0 or tokens[prev].punct or tokens[prev].pos not in ("VERB", "AUX"):
                    return None
                return None if tokens[prev].keys & self.lexicon.pass_verbs else prev
            cue = ne
        elif word not in ("ne", "n"):
            return None
        for k in range(cue + 1, min(cue + 5, len(tokens))):
            tok = tokens[k]
            if tok.punct:
                return None
            if tok.word in _CLITICS:
                continue
            return None if tok.keys & self.lexicon.pass_verbs else k
        return None

    def _cue_positions_in(self, a: Analysis, pset: PatternSet, span: Span) -> bool:
        ids = self._span_ids(a.tokens, span.start, span.end)
        return any(
            p.element_set <= ids and next(self._find(p, a.tokens, span.start, span.end), None) is not None
            for p in pset.patterns
        )

    def _is_complement(self, tokens: list[Token], clause: Span) -> bool:
        """A clause that opens with "de" / "d'" (after "surtout", "notamment"...): an infinitive complement."""
        lex = self.lexicon
        for k in range(clause.start, min(clause.end, clause.start + 4)):
            word = tokens[k].word
            if word in lex.complement_start:
                return True
            if word not in lex.complement_lead:
                return False
        return False

    @staticmethod
    def _is_past(tokens: list[Token]) -> bool:
        """Imperfect or passé composé, and no present-tense lexical verb ('j'avais', 'j'ai eu').

        spaCy's morphology misses some imperfects ('je ne pouvais plus' comes out as present), hence
        the ending check on verbs.
        """

        def imperfect(t: Token) -> bool:
            return t.tense == "Imp" or (
                t.pos in ("VERB", "AUX") and _IMPERFECT.search(t.word) is not None and t.word not in _NOT_IMPERFECT
            )

        past = any(imperfect(t) or (t.verbform == "Part" and t.tense == "Past") for t in tokens)
        present = any(
            t.verbform == "Fin" and t.tense == "Pres" and t.lemma not in ("avoir", "etre") and not imperfect(t)
            for t in tokens
        )
        return past and not present

    def _mark_negated_clauses(self, a: Analysis) -> None:
        lex = self.lexicon
        a.inherits_negation = [False] * len(a.clauses)
        a.clause_negated = [bool(cues) for cues in a.neg_cues]
        for ci, clause in enumerate(a.clauses):
            words = [t.word for t in a.tokens[clause.start : clause.end]]
            while words and words[0] in ("et", "ou"):
                words = words[1:]
            previous = ci - 1
            if (
                words
                and words[0] in lex.inherit
                and previous >= 0
                and a.clauses[previous].sentence == clause.sentence
                and a.clause_negated[previous]
                and a.tokens[clause.start].word != "mais"
            ):
                a.inherits_negation[ci] = True
                a.clause_negated[ci] = True
        a.answered_no = [self._answered_no(a, clause) for clause in a.clauses]

    def _answered_no(self, a: Analysis, clause: Span) -> bool:
        """'fièvre : non', 'saignement ? aucun': the next words are only a negative answer."""
        tokens = a.tokens
        i = clause.end
        separators = 0
        while i < len(tokens) and tokens[i].punct:
            if not set(tokens[i].punct) <= ANSWER_PUNCT:
                return False
            separators += 1
            i += 1
        answer = 0
        while i < len(tokens) and not tokens[i].punct:
            if self.lexicon.answers not in tokens[i].ids:
                return False
            answer += 1
            i += 1
        return separators > 0 and answer > 0

    # -- matching -----------------------------------------------------------------------------------

    def _find(self, pattern: Pattern, tokens: list[Token], lo: int, hi: int) -> Iterator[tuple[int, ...]]:
        """Each start position's first (shortest-gap) match of a pattern inside tokens[lo:hi]."""
        if pattern.unordered:
            yield from self._find_unordered(pattern, tokens, lo, hi)
            return
        first = pattern.elements[0]
        for i in range(lo, hi):
            if first in tokens[i].ids:
                path = self._extend(pattern, tokens, 1, [i], hi)
                if path is not None:
                    yield tuple(path)

    def _extend(self, pattern: Pattern, tokens: list[Token], k: int, path: list[int], hi: int) -> list[int] | None:
        if k == len(pattern.elements):
            return path
        element = pattern.elements[k]
        prev = path[-1]
        for j in range(prev + 1, min(prev + 2 + pattern.gaps[k], hi)):
            if element in tokens[j].ids:
                found = self._extend(pattern, tokens, k + 1, [*path, j], hi)
                if found is not None:
                    return found
            if pattern.block is not None and pattern.block in tokens[j].ids:
                return None  # a blocking word in the gap: "je ne sens plus la douleur dans les jambes"
        return None

    @staticmethod
    def _find_unordered(pattern: Pattern, tokens: list[Token], lo: int, hi: int) -> Iterator[tuple[int, ...]]:
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

    def _accepted_matches(self, a: Analysis, pset: PatternSet) -> list[tuple[int, ...]]:
        accepted: list[tuple[int, ...]] = []
        for s, sentence in enumerate(a.sentences):
            if not a.sentence_ids[s]:
                continue
            excluded: set[int] = set()
            for pattern in pset.exceptions:
                if pattern.element_set <= a.sentence_ids[s]:
                    for match in self._find(pattern, a.tokens, sentence.start, sentence.end):
                        if pattern.unless_current and any(a.has_current[a.clause_of[i]] for i in match):
                            continue  # "elle est souvent confuse depuis l'opération" stays a report
                        excluded.update(range(min(match), max(match) + 1))
            spans = [(ci, a.clauses[ci]) for ci in a.sentence_clauses[s]]
            for pattern in pset.patterns:
                if not pattern.element_set <= a.sentence_ids[s]:
                    continue
                scopes = (
                    [(sentence, a.sentence_ids[s])]
                    if pattern.sentence_scope
                    else [(c, a.clause_ids[ci]) for ci, c in spans]
                )
                for span, ids in scopes:
                    if not pattern.element_set <= ids:
                        continue
                    for match in self._find(pattern, a.tokens, span.start, span.end):
                        if excluded.intersection(match):
                            continue
                        if self._accept(a, pattern, match, s):
                            accepted.append(match)
                            break
        return accepted

    def _mentions(self, a: Analysis, pset: PatternSet) -> bool:
        for s, sentence in enumerate(a.sentences):
            for pattern in pset.patterns:
                if pattern.element_set <= a.sentence_ids[s] and next(
                    iter(self._find(pattern, a.tokens, sentence.start, sentence.end)), None
                ) is not None:
                    return True
        return False

    def _accept(self, a: Analysis, pattern: Pattern, match: tuple[int, ...], s: int) -> bool:
        clauses = sorted({a.clause_of[i] for i in match if a.clause_of[i] >= 0})
        if not clauses:
            return False
        if not pattern.carries_negation and self._negated(a, match, a.clause_of[match[0]]):
            return False
        if self._hypothetical(a, match, clauses, s):
            return False
        return not self._historical(a, clauses, s)

    # -- filters ------------------------------------------------------------------------------------

    def _negated(self, a: Analysis, match: tuple[int, ...], ci: int) -> bool:
        lex = self.lexicon
        clause = a.clauses[ci]
        inside = sorted(i for i in match if a.clause_of[i] == ci)
        matched = set(match)
        last = inside[-1]
        for cue in a.neg_cues[ci]:
            if cue >= last:
                break
            if cue in matched or a.neg_verb.get(cue, -1) not in (-1, *matched):
                continue
            target = next(i for i in inside if i > cue)
            if target - cue > lex.neg_window:
                continue
            if any(a.tokens[k].word in lex.scope_break for k in range(cue + 1, target)):
                continue
            return True
        if a.inherits_negation[ci] or a.answered_no[ci]:
            return True
        for i in {inside[0], last}:
            nxt = i + 1
            # "ça saigne pas" (not the "pas" of "pas mal de sang")
            if nxt < clause.end and nxt not in matched and nxt in a.neg_positions and lex.post_neg in a.tokens[nxt].ids:
                return True
        # words after the whole match, in the clause where it ends
        last = max(match)
        clause = a.clauses[a.clause_of[last]]
        for j in range(last + 1, min(last + 5, clause.end)):
            # "la fièvre a disparu" negates, "le saignement ne s'arrête pas" does not
            around = {a.tokens[k].word for k in range(max(j - 2, clause.start), min(j + 2, clause.end))}
            if lex.post_after in a.tokens[j].ids and not around & _NEGATORS:
                return True
        return False

    def _hypothetical(self, a: Analysis, match: tuple[int, ...], clauses: list[int], s: int) -> bool:
        lex = self.lexicon
        sentence = a.sentences[s]
        first = min(match)
        # a pet is never the patient, even "depuis ce matin" ("mon chat vomit depuis ce matin");
        # a first-person word or a contrast in between brings the patient back ("mon chien m'a mordu")
        for cue in a.animal:
            if (
                sentence.start <= cue < first
                and cue not in match
                and not any(a.tokens[k].word in lex.third_party_stop for k in range(cue + 1, first))
            ):
                return True
        if any(a.has_current[c] for c in clauses):
            return False
        # "comment se manifeste un tassement, ça fait mal en marchant ?": a question about what
        # symptoms look like; a first-person word before the symptom makes it a report again
        if a.sentence_is_question[s] and any(
            sentence.start <= cue < first
            and not any(a.tokens[k].word in lex.third_party_stop for k in range(cue + 1, first))
            for cue in a.generic_question
        ):
            return True
        tokens = a.tokens
        matched = set(match)
        first, last = min(match), max(match)
        sentence = a.sentences[s]

        def free_scope(cue: int, stops: frozenset[str], crosses_commas: bool = False) -> bool:
            target = next((i for i in sorted(matched) if i > cue), first)
            return not any(
                tokens[k].word in stops or (tokens[k].punct and not crosses_commas and not complement_follows(k))
                for k in range(cue + 1, target)
            )

        def complement_follows(k: int) -> bool:
            # "j'ai peur, surtout de ne plus pouvoir marcher": a comma before an infinitive complement
            # ("de ...") keeps the fear / risk word in scope
            return (
                tokens[k].punct == ","
                and k + 1 < len(tokens)
                and a.clause_of[k + 1] >= 0
                and a.complement_clause[a.clause_of[k + 1]]
            )

        # "est-ce que la piqûre peut s'infecter", "surveiller la fièvre et les saignements"
        verb_cues = a.hyp_verb | (a.hyp_question if a.sentence_is_question[s] else set())
        for cue in verb_cues:
            if sentence.start <= cue < last and cue not in matched and free_scope(cue, lex.scope_break):
                return True
        for cue in a.hyp_conj:
            if sentence.start <= cue < first and cue not in matched:
                subjects = sum(1 for k in range(cue + 1, first) if tokens[k].word in lex.subjects)
                if subjects <= 1:
                    return True
        if any(last < cue <= last + 3 and a.clause_of[cue] == a.clause_of[last] for cue in a.hyp_post):
            return True
        for cue in a.third_party:
            if sentence.start <= cue < first and cue not in matched and free_scope(cue, lex.third_party_stop, True):
                return True
        if a.sentence_is_question[s]:
            # A question with nobody in it is a question about risks; with "je", "ma mère", "ça"... a report.
            return not any(sentence.start <= i < sentence.end for i in a.person)
        return False

    @staticmethod
    def _historical(a: Analysis, clauses: list[int], s: int) -> bool:
        if any(a.has_current[c] for c in clauses):
            return False
        if any(a.has_history[c] for c in clauses):
            return True
        return a.sentence_history[s] and all(a.clause_past[c] for c in clauses)

    # -- output -------------------------------------------------------------------------------------

    @staticmethod
    def _words(a: Analysis, matches: list[tuple[int, ...]]) -> tuple[str, ...]:
        words: list[str] = []
        for match in matches:
            for i in match:
                text = a.tokens[i].text
                if text not in words:
                    words.append(text)
        return tuple(words)

    @staticmethod
    def _sentence_text(a: Analysis, match: tuple[int, ...]) -> str:
        span = next(s for s in a.sentences if s.start <= match[0] < s.end)
        start = a.tokens[span.start].start
        end = a.tokens[span.end - 1].end
        if span.end < len(a.tokens) and a.tokens[span.end].punct.strip():
            end = a.tokens[span.end].end  # keep the closing "." / "?" / "!"
        return a.text[start:end].strip()
