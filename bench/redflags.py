"""Benchmark of the red-flag detector on the labelled set.

Prints recall and false-alarm rate per group and overall, the ambiguous-message detection rate, and
the cost per message (mean / p95, in ms) with and without the spaCy parse; writes the same figures to
var/bench/redflags.json.

    .venv/bin/python bench/redflags.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]

from bot.core.intents import UNCLEAR_SYMPTOM_INTENT, is_red_flag_intent  # noqa: E402
from bot.core.redflags import RedFlagDetector  # noqa: E402
from bot.core.training_data import load_examples  # noqa: E402

LABELLED = ROOT / "tests" / "redflags" / "labelled_set.yml"
OUTPUT = ROOT / "var" / "bench" / "redflags.json"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def quality(detector: RedFlagDetector, data: dict[str, Any]) -> dict[str, Any]:
    """Recall per group (a more urgent group counts as found), false alarms, ambiguous detection."""
    order = detector.lexicon.priority
    groups: dict[str, dict[str, Any]] = {g: {"messages": 0, "found": 0, "exact_group": 0, "missed": []} for g in order}
    for item in data["red_flags"]:
        stats = groups[item["group"]]
        stats["messages"] += 1
        found = detector.analyse(item["text"]).detection
        if found is not None and order.index(found.group) <= order.index(item["group"]):
            stats["found"] += 1
            stats["exact_group"] += found.group == item["group"]
        else:
            stats["missed"].append(item["text"])
    false_alarms: dict[str, list[str]] = {g: [] for g in order}
    for text in data["negatives"]:
        found = detector.analyse(text).detection
        if found is not None:
            false_alarms[found.group].append(text)
    reports = [detector.analyse(text) for text in data["ambiguous"]]
    ambiguous_ok = sum(1 for r in reports if r.group is None and r.ambiguous)
    n_neg = len(data["negatives"])
    per_group = {
        g: {
            "messages": s["messages"],
            "recall": s["found"] / s["messages"] if s["messages"] else None,
            "exact_group_rate": s["exact_group"] / s["messages"] if s["messages"] else None,
            "false_alarms": len(false_alarms[g]),
            "false_alarm_rate": len(false_alarms[g]) / n_neg,
            "missed": s["missed"],
            "false_alarm_messages": false_alarms[g],
        }
        for g, s in groups.items()
    }
    n_red = len(data["red_flags"])
    n_fa = sum(len(v) for v in false_alarms.values())
    return {
        "counts": {"red_flags": n_red, "negatives": n_neg, "ambiguous": len(data["ambiguous"])},
        "overall": {
            "recall": sum(s["found"] for s in groups.values()) / n_red,
            "false_alarms": n_fa,
            "false_alarm_rate": n_fa / n_neg,
            "ambiguous_detected": ambiguous_ok,
            "ambiguous_rate": ambiguous_ok / len(data["ambiguous"]),
        },
        "groups": per_group,
    }


def timing(detector: RedFlagDetector, texts: list[str], repeat: int) -> dict[str, Any]:
    """Cost per message: spaCy parse alone, detector given the parsed Doc, and both together."""
    nlp = detector.nlp
    parse_ms: list[float] = []
    rules_ms: list[float] = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            doc = nlp(text)
            parsed = time.perf_counter()
            detector.analyse(text, doc=doc)
            done = time.perf_counter()
            parse_ms.append((parsed - start) * 1000)
            rules_ms.append((done - parsed) * 1000)
    total_ms = [p + r for p, r in zip(parse_ms, rules_ms)]

    def summary(values: list[float]) -> dict[str, float]:
        return {"mean_ms": round(statistics.fmean(values), 3), "p95_ms": round(percentile(values, 95), 3)}

    return {
        "messages": len(texts),
        "repeat": repeat,
        "pipeline": list(nlp.pipe_names),
        "spacy_parse": summary(parse_ms),
        "detector_without_parse": summary(rules_ms),
        "with_parse": summary(total_ms),
    }


def outcome(intent: str) -> str:
    if is_red_flag_intent(intent):
        return "urgence"
    return "questions" if intent == UNCLEAR_SYMPTOM_INTENT else "autre"


def pipeline_quality(model: Path, data: dict[str, Any]) -> dict[str, Any]:
    """What the whole NLU pipeline (classifier + fallback + red-flag component) makes of the same messages,
    and of the red flags of the test and hold-out sets (never tuned on by the lexicon)."""
    import asyncio
    import logging

    from bench.nlu import predict

    logging.disable(logging.WARNING)
    sets = {
        "signaux étiquetés": [item["text"] for item in data["red_flags"]],
        "négatifs difficiles": list(data["negatives"]),
    }
    for name, folder in (("signaux du jeu de test", "nlu"), ("signaux du jeu réservé", "nlu_holdout")):
        sets[name] = [t for i, t in load_examples(ROOT / "tests" / folder) if is_red_flag_intent(i)]
    texts = [t for ts in sets.values() for t in ts]
    intents = iter(p["intent"]["name"] for p in asyncio.run(predict(model, texts)))
    result = {}
    for name, ts in sets.items():
        outcomes = [outcome(next(intents)) for _ in ts]
        result[name] = {"messages": len(ts), **{o: outcomes.count(o) for o in ("urgence", "questions", "autre")}}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing passes over the set")
    args = parser.parse_args()

    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    detector = RedFlagDetector()
    detector.analyse("chauffe")  # load spaCy and the lexicon outside the measures
    result = quality(detector, data)
    texts = [item["text"] for item in data["red_flags"]] + data["negatives"] + data["ambiguous"]
    result["timing"] = timing(detector, texts, args.repeat)

    counts, overall = result["counts"], result["overall"]
    sizes = f"{counts['red_flags']} red flags, {counts['negatives']} negatives, {counts['ambiguous']} ambiguous"
    print(f"labelled set: {sizes}")
    print(f"{'group':<6}{'msgs':>6}{'recall':>9}{'exact':>8}{'FA':>5}{'FA rate':>9}")
    for group, g in result["groups"].items():
        print(
            f"{group:<6}{g['messages']:>6}{g['recall']:>9.1%}{g['exact_group_rate']:>8.1%}"
            f"{g['false_alarms']:>5}{g['false_alarm_rate']:>9.2%}"
        )
    print(
        f"{'all':<6}{counts['red_flags']:>6}{overall['recall']:>9.1%}{'':>8}{overall['false_alarms']:>5}"
        f"{overall['false_alarm_rate']:>9.2%}"
    )
    print(f"ambiguous detected as ambiguous: {overall['ambiguous_detected']}/{counts['ambiguous']}")
    for group, g in result["groups"].items():
        for text in g["missed"]:
            print(f"  MISSED {group}: {text}")
        for text in g["false_alarm_messages"]:
            print(f"  FALSE ALARM {group}: {text}")
    t = result["timing"]
    print(f"cost per message over {t['messages']} messages x {t['repeat']} ({'+'.join(t['pipeline'])}):")
    for name in ("spacy_parse", "detector_without_parse", "with_parse"):
        print(f"  {name:<24} mean {t[name]['mean_ms']:7.3f} ms   p95 {t[name]['p95_ms']:7.3f} ms")

    model = ROOT / "models" / "current.tar.gz"
    if model.exists():
        result["pipeline"] = pipeline_quality(model, data)
        print("whole NLU pipeline (emergency answer / follow-up questions / other answer):")
        for name, r in result["pipeline"].items():
            print(f"  {name:<24} {r['messages']:>4}   urgence {r['urgence']:>4}   questions {r['questions']:>4}"
                  f"   autre {r['autre']:>4}")

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
