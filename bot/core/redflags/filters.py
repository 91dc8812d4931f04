"""What makes a symptom match not count as a report: negation, hypothesis or question, old history."""

from __future__ import annotations

from bot.core.redflags.cues import Cues
from bot.core.redflags.lexicon import Lexicon
from bot.core.redflags.matching import Match
from bot.core.redflags.patterns import Pattern
from bot.core.redflags.tokens import Message


def accepts(lex: Lexicon, m: Message, c: Cues, pattern: Pattern, match: Match, s: int) -> bool:
    """Whether a match in sentence s is a report: not negated, not hypothetical, not old history."""
    clauses = sorted({m.clause_of[i] for i in match if m.clause_of[i] >= 0})
    if not clauses:
        return False
    if not pattern.carries_negation and negated(lex, m, c, match, m.clause_of[match[0]]):
        return False
    if hypothetical(lex, m, c, match, clauses, s):
        return False
    return not historical(c, clauses, s)


def negated(lex: Lexicon, m: Message, c: Cues, match: Match, ci: int) -> bool:
    clause = m.clauses[ci]
    inside = sorted(i for i in match if m.clause_of[i] == ci)
    matched = set(match)
    last = inside[-1]
    for cue in c.neg_cues[ci]:
        if cue >= last:
            break
        if cue in matched or c.neg_verb.get(cue, -1) not in (-1, *matched):
            continue
        target = next(i for i in inside if i > cue)
        if target - cue > lex.neg_window:
            continue
        if any(m.tokens[k].word in lex.scope_break for k in range(cue + 1, target)):
            continue
        return True
    if c.inherits_negation[ci] or c.answered_no[ci]:
        return True
    for i in {inside[0], last}:
        nxt = i + 1
        # "ça saigne pas" (not the "pas" of "pas mal de sang")
        if nxt < clause.end and nxt not in matched and nxt in c.neg_positions and lex.post_neg in m.tokens[nxt].ids:
            return True
    # words after the whole match, in the clause where it ends
    last = max(match)
    clause = m.clauses[m.clause_of[last]]
    for j in range(last + 1, min(last + 5, clause.end)):
        # "la fièvre a disparu" negates, "le saignement ne s'arrête pas" does not
        around = {m.tokens[k].word for k in range(max(j - 2, clause.start), min(j + 2, clause.end))}
        if lex.post_after in m.tokens[j].ids and not around & lex.grammar.negators:
            return True
    return False


def hypothetical(lex: Lexicon, m: Message, c: Cues, match: Match, clauses: list[int], s: int) -> bool:
    tokens = m.tokens
    sentence = m.sentences[s]
    matched = set(match)
    first, last = min(match), max(match)
    # a pet is never the patient, even "depuis ce matin" ("mon chat vomit depuis ce matin");
    # a first-person word or a contrast in between brings the patient back ("mon chien m'a mordu")
    for cue in c.animal:
        if (
            sentence.start <= cue < first
            and cue not in matched
            and not any(tokens[k].word in lex.third_party_stop for k in range(cue + 1, first))
        ):
            return True
    if any(c.has_current[ci] for ci in clauses):
        return False
    # "comment se manifeste un tassement, ça fait mal en marchant ?": a question about what
    # symptoms look like; a first-person word before the symptom makes it a report again
    if c.sentence_is_question[s] and any(
        sentence.start <= cue < first
        and not any(tokens[k].word in lex.third_party_stop for k in range(cue + 1, first))
        for cue in c.generic_question
    ):
        return True

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
            and m.clause_of[k + 1] >= 0
            and c.complement_clause[m.clause_of[k + 1]]
        )

    # "est-ce que la piqûre peut s'infecter", "surveiller la fièvre et les saignements"
    verb_cues = c.hyp_verb | (c.hyp_question if c.sentence_is_question[s] else set())
    for cue in verb_cues:
        if sentence.start <= cue < last and cue not in matched and free_scope(cue, lex.scope_break):
            return True
    for cue in c.hyp_conj:
        if sentence.start <= cue < first and cue not in matched:
            subjects = sum(1 for k in range(cue + 1, first) if tokens[k].word in lex.subjects)
            if subjects <= 1:
                return True
    if any(last < cue <= last + 3 and m.clause_of[cue] == m.clause_of[last] for cue in c.hyp_post):
        return True
    for cue in c.third_party:
        if sentence.start <= cue < first and cue not in matched and free_scope(cue, lex.third_party_stop, True):
            return True
    if c.sentence_is_question[s]:
        # A question with nobody in it is a question about risks; with "je", "ma mère", "ça"... a report.
        return not any(sentence.start <= i < sentence.end for i in c.person)
    return False


def historical(c: Cues, clauses: list[int], s: int) -> bool:
    if any(c.has_current[ci] for ci in clauses):
        return False
    if any(c.has_history[ci] for ci in clauses):
        return True
    return c.sentence_history[s] and all(c.clause_past[ci] for ci in clauses)
