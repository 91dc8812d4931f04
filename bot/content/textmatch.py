"""Word overlap between an answer's sentences and its source's sentences (pure functions).

Good enough to put the right sentence of the centre's page beside each sentence of an answer: the
answers paraphrase the page in plainer words, but keep its nouns, verbs and numbers. Words are
folded (case, accents), stop words dropped and cut to a 6-letter stem, so that "consolide" meets
"consolidation" and "fracturée" meets "fracture".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from bot.core.redflags.normalize import fold_text

STEM = 6
FRENCH_STOP = frozenset(
    """
    a au aux avec c ca ce ceci cela ces cet cette d dans de des du elle elles en est et etre etes il ils
    j je l la le les leur leurs lui m ma mais me mes meme mon n ne nos notre nous on ont ou par pas peu
    plus pour qu que quel quelle quels quelles qui s sa se ses si son sont sur t ta te tes ton tous tout
    toute toutes tres un une vos votre vous y ete fait faire peut peuvent donc ainsi aussi alors apres
    avant bien comme sans sous entre chez lors dont ni car cas
    """.split()
)
ENGLISH_STOP = frozenset(
    """
    a an and are as at be by for from go goes in into is it its no not of on or that the their this to
    was were will with when where what which who all any every
    """.split()
)
_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(A-Z0-9À-ÖØ-Þ🚨•])")


def words(text: str, stop: frozenset[str] = FRENCH_STOP) -> frozenset[str]:
    """The content words of `text`, folded and stemmed."""
    out = set()
    for word in _WORD.findall(fold_text(text)):
        if word in stop or (len(word) < 2 and not word.isdigit()):
            continue
        if len(word) > 3 and word[-1] in "sx" and not word.isdigit():
            word = word[:-1]
        out.add(word[:STEM])
    return frozenset(out)


def sentences(text: str) -> list[str]:
    """`text` cut into sentences (a line break always ends one)."""
    out: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            out.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return out


@dataclass(frozen=True)
class Match:
    answer_index: int  # which sentence of the answer
    candidate_index: int  # which candidate sentence of the source
    common: frozenset[str]
    score: float


def best_matches(
    answer: Sequence[str],
    candidates: Sequence[str],
    stop: frozenset[str] = FRENCH_STOP,
    min_common: int = 2,
    min_score: float = 0.15,
    per_sentence: int = 2,
) -> list[Match]:
    """For each answer sentence, the candidate sentences that best cover its words.

    Greedy: the best candidate (cosine of the word sets), then another only if it brings at least
    `min_common` answer words the first did not. A one- or two-word answer sentence needs one word.
    """
    cand_words = [words(c, stop) for c in candidates]
    found: list[Match] = []
    for i, sentence in enumerate(answer):
        target = words(sentence, stop)
        if not target:
            continue
        needed = min(min_common, len(target))
        covered: frozenset[str] = frozenset()
        for _ in range(per_sentence):
            best: Match | None = None
            for j, cw in enumerate(cand_words):
                common = target & cw
                new = common - covered
                if len(new) < needed or not cw:
                    continue
                score = len(common) / math.sqrt(len(target) * len(cw))
                if score >= min_score and (best is None or score > best.score):
                    best = Match(i, j, common, score)
            if best is None:
                break
            found.append(best)
            covered |= best.common
    return found
