"""Detector side of the edsnlp comparison (project venv): the exchange file and the detector's figures.

For every message of tests/redflags/labelled_set.yml, writes the character spans of the red-flag and
ambiguous patterns that the detector's lexicon matches BEFORE its filters (negation, question,
hypothesis, history), with the filters' verdict on each, to var/bench/edsnlp-exchange.json.
compare.py (in var/edsnlp-venv) then qualifies the same spans with edsnlp.

    .venv/bin/python -m bench.edsnlp.export [--repeat 3] [--out var/bench/edsnlp-exchange.json]

The candidate loop mirrors matching.accepted_matches without stopping at the first accepted
match of a clause, so that edsnlp sees every span; a check below makes sure the filters' verdicts
give back exactly analyse()'s group and ambiguity on every message.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]

from bench.edsnlp.scoring import Decision, decide, score  # noqa: E402
from bench.redflags import percentile, timing  # noqa: E402
from bot.core.redflags import RedFlagDetector  # noqa: E402
from bot.core.redflags.analysis import Reading  # noqa: E402
from bot.core.redflags.filters import accepts, historical, hypothetical, negated  # noqa: E402
from bot.core.redflags.matching import find  # noqa: E402
from bot.core.redflags.patterns import PatternSet  # noqa: E402

LABELLED = ROOT / "tests" / "redflags" / "labelled_set.yml"
EXCHANGE = ROOT / "var" / "bench" / "edsnlp-exchange.json"
AMBIGUOUS = "ambiguous"


def candidates(detector: RedFlagDetector, r: Reading, pset: PatternSet, verdicts: bool = True) -> list[dict[str, Any]]:
    """Every match of a pattern set's patterns in its scope (clause or sentence), minus `except` overlaps.

    The `except` patterns and the clause scopes belong to the lexicon (the term list), not to the
    filters: both systems get the same candidates. `accepted` is the detector's filters' verdict,
    `filters` each filter's on its own (both left out with verdicts=False, to time the matching alone).
    """
    m, c = r.message, r.cues
    found: list[dict[str, Any]] = []
    for s, sentence in enumerate(m.sentences):
        if not m.sentence_ids[s]:
            continue
        excluded: set[int] = set()
        for pattern in pset.exceptions:
            if pattern.element_set <= m.sentence_ids[s]:
                for match in find(pattern, m.tokens, sentence.start, sentence.end):
                    if pattern.unless_current and any(c.has_current[m.clause_of[i]] for i in match):
                        continue
                    excluded.update(range(min(match), max(match) + 1))
        clause_scopes = [(m.clauses[ci], m.clause_ids[ci]) for ci in m.sentence_clauses[s]]
        for pattern in pset.patterns:
            if not pattern.element_set <= m.sentence_ids[s]:
                continue
            scopes = [(sentence, m.sentence_ids[s])] if pattern.sentence_scope else clause_scopes
            for span, ids in scopes:
                if not pattern.element_set <= ids:
                    continue
                for match in find(pattern, m.tokens, span.start, span.end):
                    if excluded.intersection(match):
                        continue
                    first, last = m.tokens[min(match)], m.tokens[max(match)]
                    if not verdicts:
                        found.append({"start": first.start, "end": last.end})
                        continue
                    found.append(
                        {
                            "start": first.start,
                            "end": last.end,
                            "words": [m.tokens[i].text for i in match],
                            "word_spans": [[m.tokens[i].start, m.tokens[i].end] for i in match],
                            "pattern": pattern.source,
                            # the pattern holds its own negation ("je ne sens plus mes jambes"): the
                            # detector's negation filter skips it, and compare.py does the same for edsnlp
                            "carries_negation": pattern.carries_negation,
                            "accepted": accepts(detector.lexicon, m, c, pattern, match, s),
                            "filters": filter_verdicts(detector, r, pattern, match, s),
                        }
                    )
    return found


def filter_verdicts(
    detector: RedFlagDetector, r: Reading, pattern: Any, match: tuple[int, ...], s: int
) -> dict[str, bool]:
    """Which of the detector's filters reject the match, each on its own (`accepts` stops at the first)."""
    m, c, lex = r.message, r.cues, detector.lexicon
    clauses = sorted({m.clause_of[i] for i in match if m.clause_of[i] >= 0})
    if not clauses:
        return {"negated": False, "hypothetical": False, "historical": False}
    is_negated = not pattern.carries_negation and negated(lex, m, c, match, m.clause_of[match[0]])
    return {
        "negated": is_negated,
        "hypothetical": hypothetical(lex, m, c, match, clauses, s),
        "historical": historical(c, clauses, s),
    }


def message_candidates(detector: RedFlagDetector, analysis: Reading) -> list[dict[str, Any]]:
    lex = detector.lexicon
    sets = [(g, lex.groups[g]) for g in lex.priority] + [(AMBIGUOUS, lex.ambiguous)]
    unique: dict[tuple[Any, ...], dict[str, Any]] = {}
    for name, pset in sets:
        for cand in candidates(detector, analysis, pset):
            key = (name, cand["start"], cand["end"], cand["carries_negation"])
            if key in unique:  # two patterns, one span: accepted if either is
                if cand["accepted"] and not unique[key]["accepted"]:
                    unique[key] = {"group": name, **cand}
            else:
                unique[key] = {"group": name, **cand}
    return list(unique.values())


def decision_from(cands: list[dict[str, Any]], priority: tuple[str, ...]) -> Decision:
    """The detector's decision rebuilt from its filters' verdicts on the candidates."""
    return decide(cands, [c["accepted"] for c in cands], priority)


def build(detector: RedFlagDetector, data: dict[str, Any]) -> list[dict[str, Any]]:
    items = [("red_flags", i["text"], i["group"]) for i in data["red_flags"]]
    items += [("negatives", t, None) for t in data["negatives"]] + [("ambiguous", t, None) for t in data["ambiguous"]]
    messages = []
    priority = detector.lexicon.priority
    for kind, text, label in items:
        analysis = detector.read(text)
        cands = message_candidates(detector, analysis) if analysis is not None else []
        report = detector.analyse(text)
        own = Decision(report.group, bool(report.ambiguous))
        mirrored = decision_from(cands, priority)
        if mirrored != own:
            raise SystemExit(f"candidate loop out of step with the detector on {text!r}: {mirrored} != {own}")
        messages.append(
            {
                "set": kind,
                "label": label,
                "text": analysis.message.text if analysis is not None else text,  # spans are offsets in this text
                "detector": {"group": own.group, "ambiguous": own.ambiguous},
                "candidates": cands,
            }
        )
    return messages


def candidate_timing(detector: RedFlagDetector, texts: list[str], repeat: int) -> dict[str, float]:
    """Cost of finding the candidate spans alone (spaCy parse + lexicon matching, no filter): what
    edsnlp's qualifiers would add their own cost to."""
    nlp = detector.nlp
    lex = detector.lexicon
    values: list[float] = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            analysis = detector.read(text, nlp(text))
            for pset in (*lex.groups.values(), lex.ambiguous):
                if analysis is not None:
                    candidates(detector, analysis, pset, verdicts=False)
            values.append((time.perf_counter() - start) * 1000)
    return {"mean_ms": round(statistics.fmean(values), 3), "p95_ms": round(percentile(values, 95), 3)}


def exchange_for(detector: RedFlagDetector, data: dict[str, Any], repeat: int) -> dict[str, Any]:
    """The exchange file's content for a labelled set (keys red_flags, negatives, ambiguous)."""
    messages = build(detector, data)
    priority = detector.lexicon.priority
    figures = score(messages, [decision_from(m["candidates"], priority) for m in messages], priority)
    texts = [m["text"] for m in messages]
    times = timing(detector, texts, repeat)
    return {
        "source": str(LABELLED.relative_to(ROOT)),
        "priority": list(priority),
        "detector": {
            "figures": figures,
            "time_per_message": times["with_parse"],
            "candidates_time_per_message": candidate_timing(detector, texts, repeat),
            "spacy_pipeline": times["pipeline"],
        },
        "messages": messages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing passes over the set")
    parser.add_argument("--out", type=Path, default=EXCHANGE)
    args = parser.parse_args()

    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    detector = RedFlagDetector()
    detector.analyse("chauffe")  # load spaCy and the lexicon outside the measures
    exchange = exchange_for(detector, data, args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(exchange, ensure_ascii=False, indent=1), encoding="utf-8")
    figures = exchange["detector"]["figures"]
    n_cands = sum(len(m["candidates"]) for m in exchange["messages"])
    print(
        f"{len(exchange['messages'])} messages, {n_cands} candidate spans; detector recall "
        f"{figures['overall_recall']:.1%}, false alarms {figures['false_alarms']}/{figures['counts']['negatives']}; "
        f"written {args.out}"
    )


if __name__ == "__main__":
    main()
