"""edsnlp's qualifiers against the red-flag detector's filters, on the same candidate spans.

Runs in var/edsnlp-venv (bench/edsnlp/setup.sh), never in the project's venv. Reads the exchange file
written by export.py (the spans the detector's lexicon matches before its filters, the filters' verdicts
and the detector's own figures), qualifies each span with eds.negation, eds.hypothesis, eds.history
(with eds.dates) and eds.family, prints the table and writes var/bench/edsnlp.json.

    var/edsnlp-venv/bin/python -m bench.edsnlp.compare [--repeat 3]

A span is "reported" by edsnlp when none of the qualifiers in use is set; the message then gets the
most urgent group among its reported spans and is scored like the detector (bench/edsnlp/scoring.py).
Only rule-based pipes are used: nothing is downloaded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import statistics
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

warnings.filterwarnings("ignore", message="pkg_resources is deprecated")  # edsnlp 0.17 imports it

import edsnlp  # noqa: E402
import edsnlp.pipes as eds  # noqa: E402
from loguru import logger  # noqa: E402

from bench.edsnlp.scoring import QUALIFIERS, decide, reported, score  # noqa: E402

Message = dict[str, Any]
Qualified = list[dict[str, Any]]  # one entry per candidate span of a message

EXCHANGE = ROOT / "var" / "bench" / "edsnlp-exchange.json"
OUTPUT = ROOT / "var" / "bench" / "edsnlp.json"
SPANS_KEY = "candidates"
# Messages are read "now": a fixed date keeps absolute dates ("en 2018") reproducible for eds.history.
NOTE_DATE = dt.datetime(2026, 12, 1)
DETECTOR = "détecteur du projet (bot/redflags)"
EDS_ALL = "edsnlp (négation, hypothèse, antécédent, famille)"
EDS_NO_FAMILY = "edsnlp sans eds.family"
BOTH = "détecteur ET edsnlp sans eds.family"
VARIANTS = {EDS_ALL: QUALIFIERS, EDS_NO_FAMILY: ("negation", "hypothesis", "history")}
# each detector filter and the edsnlp qualifier closest to it; the detector has no family filter (a
# relative's report is a report) while its hypothetical filter covers "ma voisine a eu..."
PAIRS = (("negated", "negation"), ("hypothetical", "hypothesis"), ("historical", "history"), ("hypothetical", "family"))


def pipeline() -> Any:
    """edsnlp's rule-based qualifiers on the spans of doc.spans["candidates"].

    `on_ents_only=[key]` is how 0.17 qualifies a span group: its `span_getter` argument alone falls
    back to doc.ents. `within_ents=True`: a span runs from a pattern's first word to its last, so a
    cue can sit inside it ("piqûre n'est pas rouge"), where the detector looks too; cues on the
    pattern's own words are dropped in qualify(). The cue lists are edsnlp's own, untouched.
    eds.family without sections (patient messages have none); eds.history with eds.dates.
    """
    logger.remove()  # edsnlp's INFO lines about birth dates
    logging.getLogger("edsnlp").setLevel(logging.WARNING)
    nlp = edsnlp.blank("eds")
    nlp.add_pipe(eds.sentences())
    nlp.add_pipe(eds.normalizer())
    nlp.add_pipe(eds.dates())
    on = [SPANS_KEY]
    nlp.add_pipe(eds.negation(on_ents_only=on, within_ents=True, explain=True))
    nlp.add_pipe(eds.hypothesis(on_ents_only=on, within_ents=True, explain=True))
    nlp.add_pipe(eds.history(on_ents_only=on, use_dates=True, explain=True))
    nlp.add_pipe(eds.family(on_ents_only=on, use_sections=False, explain=True))
    return nlp


def qualify(nlp: Any, message: Message) -> Qualified:
    """Each candidate's qualifiers and the cues behind them, in the order of message["candidates"]."""
    doc = nlp.make_doc(message["text"])
    doc._.note_datetime = NOTE_DATE
    spans = []
    for cand in message["candidates"]:
        span = doc.char_span(cand["start"], cand["end"], label=cand["group"], alignment_mode="expand")
        if span is None:
            raise SystemExit(f"span {cand['start']}:{cand['end']} out of {message['text']!r}")
        spans.append(span)
    doc.spans[SPANS_KEY] = spans
    doc = nlp(doc)
    result = []
    for cand, span in zip(message["candidates"], doc.spans[SPANS_KEY]):
        words = [tuple(w) for w in cand["word_spans"]]
        flags, cues = {}, {}
        for q in QUALIFIERS:
            all_cues = getattr(span._, f"{q}_cues")
            # a cue on one of the pattern's own words ("IMPOSSIBLE de faire pipi") is the symptom,
            # not its context: the detector skips those too
            kept = [c for c in all_cues if not any(c.start_char < e and s < c.end_char for s, e in words)]
            flags[q] = bool(getattr(span._, q)) and (bool(kept) or not all_cues)
            if flags[q]:
                cues[q] = [c.text for c in kept]
        result.append({"span": span.text, "flags": flags, "cues": cues})
    return result


def timed_run(nlp: Any, messages: list[Message], repeat: int) -> tuple[list[Qualified], dict[str, float]]:
    qualified: list[Qualified] = []
    values: list[float] = []
    for turn in range(max(1, repeat)):
        for message in messages:
            start = time.perf_counter()
            result = qualify(nlp, message)
            values.append((time.perf_counter() - start) * 1000)
            if turn == 0:
                qualified.append(result)
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return qualified, {"mean_ms": round(statistics.fmean(values), 3), "p95_ms": round(p95, 3)}


def verdicts(message: Message, qualified: Qualified, use: tuple[str, ...]) -> list[bool]:
    return [reported(q["flags"], c["carries_negation"], use) for c, q in zip(message["candidates"], qualified)]


def urgent_enough(group: str | None, label: str, priority: list[str]) -> bool:
    return group is not None and priority.index(group) <= priority.index(label)


def diagnostics(messages: list[Message], qualified: list[Qualified], use: tuple[str, ...], priority: list[str]) -> dict:
    """Why red flags are missed (the qualifiers set on the candidates of the labelled group or a more
    urgent one), and the spans edsnlp lets through in the false alarms."""
    misses_by = dict.fromkeys(use, 0)
    missed: list[dict[str, Any]] = []
    alarms: list[dict[str, Any]] = []
    for message, quals in zip(messages, qualified):
        verdict = verdicts(message, quals, use)
        decision = decide(message["candidates"], verdict, priority)
        if message["set"] == "red_flags" and not urgent_enough(decision.group, message["label"], priority):
            relevant = [
                (c, q)
                for c, q in zip(message["candidates"], quals)
                if c["group"] in priority and urgent_enough(c["group"], message["label"], priority)
            ]
            reasons = {
                name
                for c, q in relevant
                for name in use
                if q["flags"][name] and not (name == "negation" and c["carries_negation"])
            }
            for name in reasons:
                misses_by[name] += 1
            missed.append(
                {"text": message["text"], "group": message["label"], "cues": [q["cues"] for _, q in relevant]}
            )
        elif message["set"] == "negatives" and decision.group is not None:
            spans = [
                q["span"] for c, q, ok in zip(message["candidates"], quals, verdict) if ok and c["group"] in priority
            ]
            alarms.append({"text": message["text"], "group": decision.group, "spans": spans})
    return {"misses_by_qualifier": misses_by, "missed": missed, "false_alarms": alarms}


def agreement(messages: list[Message], qualified: list[Qualified], priority: list[str]) -> list[dict[str, Any]]:
    """Span by span, on the red-flag candidates: each detector filter against an edsnlp qualifier."""
    rows = []
    for det_name, eds_name in PAIRS:
        both = det_only = eds_only = 0
        for message, quals in zip(messages, qualified):
            for cand, q in zip(message["candidates"], quals):
                if cand["group"] not in priority:
                    continue
                det = cand["filters"][det_name]
                ours = q["flags"][eds_name] and not (eds_name == "negation" and cand["carries_negation"])
                both += det and ours
                det_only += det and not ours
                eds_only += ours and not det
        rows.append(
            {"detector": det_name, "edsnlp": eds_name, "both": both, "detector_only": det_only, "edsnlp_only": eds_only}
        )
    return rows


def compare(exchange: dict[str, Any], repeat: int) -> dict[str, Any]:
    priority: list[str] = exchange["priority"]
    messages: list[Message] = exchange["messages"]
    nlp = pipeline()
    qualify(nlp, {"text": "chauffe", "candidates": []})  # load the pipes outside the measures
    qualified, edsnlp_time = timed_run(nlp, messages, repeat)
    detector = exchange["detector"]
    detector_ms = detector["time_per_message"]["mean_ms"]
    candidates_ms = detector["candidates_time_per_message"]["mean_ms"]

    systems: dict[str, Any] = {DETECTOR: {"figures": detector["figures"], "time_per_message_ms": detector_ms}}
    for name, use in VARIANTS.items():
        decisions = [decide(m["candidates"], verdicts(m, q, use), priority) for m, q in zip(messages, qualified)]
        systems[name] = {
            "qualifiers": list(use),
            "figures": score(messages, decisions, priority),
            # the same candidate spans (spaCy parse + lexicon) plus edsnlp's own pipeline
            "time_per_message_ms": round(candidates_ms + edsnlp_time["mean_ms"], 3),
            "diagnostics": diagnostics(messages, qualified, use, priority),
        }
    # Could edsnlp take false alarms off the detector? A span counts when both report it.
    both = []
    for m, q in zip(messages, qualified):
        edsnlp_ok = verdicts(m, q, VARIANTS[EDS_NO_FAMILY])
        both.append(
            decide(m["candidates"], [c["accepted"] and ok for c, ok in zip(m["candidates"], edsnlp_ok)], priority)
        )
    systems[BOTH] = {
        "figures": score(messages, both, priority),
        "time_per_message_ms": round(detector_ms + edsnlp_time["mean_ms"], 3),
    }
    return {
        "source": exchange["source"],
        "edsnlp": edsnlp.__version__,
        "pipes": list(nlp.pipe_names),
        "note_date": NOTE_DATE.date().isoformat(),
        "candidate_spans": sum(len(m["candidates"]) for m in messages),
        "negatives_with_a_red_flag_term": sum(
            1 for m in messages if m["set"] == "negatives" and any(c["group"] in priority for c in m["candidates"])
        ),
        "time_per_message_ms": {
            "detector": detector["time_per_message"],
            "candidate_spans": detector["candidates_time_per_message"],
            "edsnlp_pipeline": edsnlp_time,
        },
        "priority": priority,
        "systems": systems,
        "span_agreement": agreement(messages, qualified, priority),
    }


def print_report(result: dict[str, Any]) -> None:
    priority = result["priority"]
    counts = result["systems"][DETECTOR]["figures"]["counts"]
    n_terms = result["negatives_with_a_red_flag_term"]
    print(
        f"labelled set: {counts['red_flags']} red flags, {counts['negatives']} hard negatives ({n_terms} with a "
        f"red-flag term), {counts['ambiguous']} ambiguous; {result['candidate_spans']} candidate spans "
        f"from the detector's lexicon; edsnlp {result['edsnlp']}"
    )
    groups = "".join(f"{g:>7}" for g in priority)
    print(f"{'system':<52}{groups}{'all':>8}{'false alarms':>17}{'ambiguous':>11}{'ms/msg':>8}")
    for name, system in result["systems"].items():
        f = system["figures"]
        recalls = "".join(f"{f['recall'][g]:>7.1%}" if f["recall"][g] is not None else f"{'-':>7}" for g in priority)
        alarms = f"{f['false_alarms']}/{counts['negatives']} ({f['false_alarms']}/{n_terms})"
        print(
            f"{name:<52}{recalls}{f['overall_recall']:>8.1%}{alarms:>17}"
            f"{f['ambiguous_detected']:>8}/{counts['ambiguous']}{system['time_per_message_ms']:>8.2f}"
        )
    t = result["time_per_message_ms"]
    print(
        f"time per message (mean): detector {t['detector']['mean_ms']:.2f} ms (spaCy parse + rules); "
        f"edsnlp = candidate spans {t['candidate_spans']['mean_ms']:.2f} ms "
        f"+ its pipeline {t['edsnlp_pipeline']['mean_ms']:.2f} ms"
    )
    print("red-flag spans, detector filter / edsnlp qualifier: both, detector only, edsnlp only")
    for r in result["span_agreement"]:
        print(f"  {r['detector']:<13}{r['edsnlp']:<11}{r['both']:>5}{r['detector_only']:>6}{r['edsnlp_only']:>6}")
    for name in VARIANTS:
        diag = result["systems"][name]["diagnostics"]
        print(f"{name}: red flags missed, by qualifier {diag['misses_by_qualifier']}; first ones:")
        for ex in diag["missed"][:5]:
            print(f"  MISSED {ex['group']}: {ex['text']}  {ex['cues']}")
        for ex in diag["false_alarms"][:5]:
            print(f"  FALSE ALARM {ex['group']}: {ex['text']}  {ex['spans']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing passes over the set")
    parser.add_argument("--exchange", type=Path, default=EXCHANGE)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()

    result = compare(json.loads(args.exchange.read_text(encoding="utf-8")), args.repeat)
    print_report(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
