"""Cues of a message: negation, question, hypothesis, third party, current time, history, known condition.

Read once per message (positions of the lexicon's cue patterns, per-clause verdicts); the filters
then decide for each symptom match from these cues alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.redflags.lexicon import COMPARATIVE_KEY, CURRENT_KEY, Lexicon
from bot.core.redflags.matching import cue_positions, occurs_in
from bot.core.redflags.tokens import Message, Span, Token, with_ids

ANSWER_PUNCT = frozenset(":?=-,→>")


@dataclass(frozen=True)
class Cues:
    """Per-clause and per-sentence verdicts, and token positions of the cue patterns."""

    sentence_is_question: list[bool]
    neg_cues: list[list[int]]  # per clause, sorted positions
    neg_positions: set[int]
    neg_verb: dict[int, int]  # cue -> the other lexical verb it negates
    inherits_negation: list[bool]  # "pas de fièvre, de frissons": the clause takes the previous one's negation
    answered_no: list[bool]  # "fièvre : non"
    complement_clause: list[bool]  # "..., surtout de ne plus pouvoir marcher"
    has_current: list[bool]
    has_history: list[bool]
    clause_past: list[bool]
    sentence_history: list[bool]
    hyp_verb: set[int]
    hyp_conj: set[int]
    hyp_question: set[int]
    hyp_post: set[int]
    third_party: set[int]
    animal: set[int]
    generic_question: set[int]
    person: set[int]


def _retag(lex: Lexicon, m: Message) -> tuple[Message, set[int], set[int]]:
    """Comparative "plus" is no negation; current-time words get @current. Returns the message with its
    ids read again, the current-time positions and the bare "depuis" ("since then") ones."""
    tokens = m.tokens
    plus = lex.grammar.plus
    # "plus mal qu'avant", "de plus en plus"
    comparatives = [i for i in cue_positions(m, lex.comparative) if tokens[i].keys & plus]
    for i in comparatives:
        tokens[i].keys = (tokens[i].keys - plus) | {COMPARATIVE_KEY}
        tokens[i].ids = lex.ids_for(tokens[i].keys)
    if comparatives:
        m = with_ids(m)
    current = cue_positions(m, lex.current)
    # "il va très bien depuis": a bare "depuis" at the end of its clause means "since then": it points
    # back to a past event (history), not to now
    since_then = {i for i in current if _bare_depuis(lex, m, i)}
    current -= since_then
    for i in current:
        tokens[i].keys.add(CURRENT_KEY)
        tokens[i].ids = lex.ids_for(tokens[i].keys)
    return (with_ids(m) if current else m), current, since_then


def read_cues(lex: Lexicon, m: Message) -> tuple[Message, Cues]:
    m, current, since_then = _retag(lex, m)
    tokens, clauses, sentences = m.tokens, m.clauses, m.sentences
    history = cue_positions(m, lex.history) | since_then
    weak_history = cue_positions(m, lex.history_if_past)
    neg = cue_positions(m, lex.neg)
    questions = [m.ends_with_question_mark[s] or occurs_in(m, lex.question, s) for s in range(len(sentences))]
    has_history = [any(i in history for i in range(c.start, c.end)) for c in clauses]
    clause_past = [_is_past(lex, tokens[c.start : c.end]) for c in clauses]
    # "mon cœur s'emballe quand je stresse, c'est comme ça depuis toujours": a known, long-standing
    # condition declared anywhere in the sentence covers all its clauses
    known = cue_positions(m, lex.known)
    for s, sentence in enumerate(sentences):
        if any(sentence.start <= i < sentence.end for i in known):
            for ci in m.sentence_clauses[s]:
                has_history[ci] = True
    # "avant je traînais la jambe": a weak cue counts only in a past-tense clause
    for ci, c in enumerate(clauses):
        if clause_past[ci] and any(i in weak_history for i in range(c.start, c.end)):
            has_history[ci] = True
    neg_cues = [sorted(i for i in range(c.start, c.end) if i in neg) for c in clauses]
    inherits = _inherited_negation(lex, m, neg_cues)
    cues = Cues(
        sentence_is_question=questions,
        neg_cues=neg_cues,
        neg_positions=neg,
        neg_verb={c: v for c in neg if (v := _negated_verb(lex, tokens, c)) is not None},
        inherits_negation=inherits,
        answered_no=[_answered_no(lex, tokens, clause) for clause in clauses],
        complement_clause=[_is_complement(lex, tokens, c) for c in clauses],
        has_current=[any(i in current for i in range(c.start, c.end)) for c in clauses],
        has_history=has_history,
        clause_past=clause_past,
        sentence_history=[any(i in history for i in range(s.start, s.end)) for s in sentences],
        hyp_verb=cue_positions(m, lex.hyp_verb),
        hyp_conj=cue_positions(m, lex.hyp_conj),
        hyp_question=cue_positions(m, lex.hyp_question),
        hyp_post=cue_positions(m, lex.hyp_post),
        third_party=cue_positions(m, lex.third_party, matched_only=False),
        animal=cue_positions(m, lex.animal),
        generic_question=cue_positions(m, lex.generic_question),
        person=cue_positions(m, lex.person),
    )
    return m, cues


def _bare_depuis(lex: Lexicon, m: Message, i: int) -> bool:
    tokens = m.tokens
    if not tokens[i].word.startswith(lex.grammar.depuis_prefixes):
        return False
    nxt = i + 1
    return nxt >= len(tokens) or bool(tokens[nxt].punct) or m.clause_of[nxt] != m.clause_of[i]


def _negated_verb(lex: Lexicon, tokens: list[Token], cue: int) -> int | None:
    """The lexical verb a negation cue is bound to when it is not a pass-through verb, else None.

    French grammar gives the verb: the word after "ne" and its clitics ("ne me calme pas"); for
    "pas" / "plus" / "jamais" the verb of the "ne" just before, or the verb right before when "ne"
    was dropped ("ça calme pas"). spaCy's POS is not trusted here ("calme" comes out as an adjective).
    """
    grammar = lex.grammar
    word = tokens[cue].word
    if word in grammar.neg_adverbs:
        ne = next((k for k in range(cue - 1, max(cue - 5, -1), -1) if tokens[k].word in grammar.ne), None)
        if ne is None:
            prev = cue - 1
            if prev < 0 or tokens[prev].punct or tokens[prev].pos not in ("VERB", "AUX"):
                return None
            return None if tokens[prev].keys & lex.pass_verbs else prev
        cue = ne
    elif word not in grammar.ne:
        return None
    for k in range(cue + 1, min(cue + 5, len(tokens))):
        tok = tokens[k]
        if tok.punct:
            return None
        if tok.word in grammar.clitics:
            continue
        return None if tok.keys & lex.pass_verbs else k
    return None


def _is_complement(lex: Lexicon, tokens: list[Token], clause: Span) -> bool:
    """A clause that opens with "de" / "d'" (after "surtout", "notamment"...): an infinitive complement."""
    for k in range(clause.start, min(clause.end, clause.start + 4)):
        word = tokens[k].word
        if word in lex.complement_start:
            return True
        if word not in lex.complement_lead:
            return False
    return False


def _is_past(lex: Lexicon, tokens: list[Token]) -> bool:
    """Imperfect or passé composé, and no present-tense lexical verb ('j'avais', 'j'ai eu').

    spaCy's morphology misses some imperfects ('je ne pouvais plus' comes out as present), hence
    the ending check on verbs.
    """
    grammar = lex.grammar

    def imperfect(t: Token) -> bool:
        return t.tense == "Imp" or (
            t.pos in ("VERB", "AUX")
            and grammar.imperfect.search(t.word) is not None
            and t.word not in grammar.not_imperfect
        )

    past = any(imperfect(t) or (t.verbform == "Part" and t.tense == "Past") for t in tokens)
    present = any(
        t.verbform == "Fin" and t.tense == "Pres" and t.lemma not in grammar.auxiliaries and not imperfect(t)
        for t in tokens
    )
    return past and not present


def _inherited_negation(lex: Lexicon, m: Message, neg_cues: list[list[int]]) -> list[bool]:
    """'pas de fièvre, de frissons ou de saignement': a clause opening with an `inherit` word takes the
    negation of the previous clause of its sentence (not after "mais")."""
    grammar = lex.grammar
    negated = [bool(cues) for cues in neg_cues]
    inherits = [False] * len(m.clauses)
    for ci, clause in enumerate(m.clauses):
        words = [t.word for t in m.tokens[clause.start : clause.end]]
        while words and words[0] in grammar.coordinators:
            words = words[1:]
        previous = ci - 1
        if (
            words
            and words[0] in lex.inherit
            and previous >= 0
            and m.clauses[previous].sentence == clause.sentence
            and negated[previous]
            and m.tokens[clause.start].word not in grammar.contrast
        ):
            inherits[ci] = True
            negated[ci] = True
    return inherits


def _answered_no(lex: Lexicon, tokens: list[Token], clause: Span) -> bool:
    """'fièvre : non', 'saignement ? aucun': the next words are only a negative answer."""
    i = clause.end
    separators = 0
    while i < len(tokens) and tokens[i].punct:
        if not set(tokens[i].punct) <= ANSWER_PUNCT:
            return False
        separators += 1
        i += 1
    answer = 0
    while i < len(tokens) and not tokens[i].punct:
        if lex.answers not in tokens[i].ids:
            return False
        answer += 1
        i += 1
    return separators > 0 and answer > 0
