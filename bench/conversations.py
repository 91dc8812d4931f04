"""Whole-conversation quality on the blind set beside the test set and the hold-out set.

Plays every case through the trained model, the rules and policies and a real action server
(bot/quality/runner.py) and prints: answered right, classifier top-1, macro-F1, red flags with the
emergency answer first, emergency answers to non-emergencies, follow-up questions started where no
symptom was reported, follow-ups answered right, and the confusion list.

Usage: python -m bench.conversations [--model models/current.tar.gz] [--sets blind,test,holdout]
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
from pathlib import Path

import yaml

from bot.core.followups import load_table
from bot.core.training_data import examples_in_file
from bot.quality.cases import Case, cases_from_pairs, load_blind
from bot.quality.runner import run
from bot.quality.scores import Scores, score

ROOT = Path(__file__).resolve().parent.parent
# Files added to the test and hold-out sets with later intents (follow-ups, statements, page topics):
# the "-origine" sets leave them out, to compare with figures measured before those intents existed.
LATER_FILES = ("test_set_followups.yml", "holdout_followups.yml", "test_set_page_topics.yml")


def nlu_cases(folder: str, original_only: bool = False) -> list[Case]:
    cases: list[Case] = []
    for path in sorted((ROOT / "tests" / folder).glob("*.yml")):
        if original_only and path.name in LATER_FILES:
            continue
        cases.extend(cases_from_pairs(examples_in_file(path), f"tests/{folder}/{path.name}"))
    return cases


SETS = {
    "blind": lambda: load_blind(ROOT / "tests" / "nlu_blind"),
    "test": lambda: nlu_cases("nlu"),
    "holdout": lambda: nlu_cases("nlu_holdout"),
    "test-origine": lambda: nlu_cases("nlu", original_only=True),
    "holdout-origine": lambda: nlu_cases("nlu_holdout", original_only=True),
}
_HOURS = re.compile(r"\b\d+\s*(?:h\b|heures?)", re.IGNORECASE)


def responses_with_hours(domain: Path = ROOT / "domain.yml") -> frozenset[str]:
    """Responses that state a number of hours: a fasting follow-up must never get one."""
    responses = (yaml.safe_load(domain.read_text(encoding="utf-8")) or {}).get("responses") or {}
    return frozenset(name for name, variants in responses.items()
                     if any(_HOURS.search(str(v.get("text") or "")) for v in variants))


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "   -   "


def print_scores(name: str, n: int, s: Scores, seconds: float) -> None:
    print(f"\n[{name}] {n} cas ({', '.join(f'{k}: {v}' for k, v in sorted(s.counts.items()))}) en {seconds:.0f} s")
    right = f"{pct(s.single_right, s.single_total)} ({s.single_right}/{s.single_total})"
    print(f"  répondus juste (messages simples) : {right}")
    print(f"  classifieur top-1 : {100 * s.top1:5.1f} %   macro-F1 : {100 * s.macro_f1:5.1f} %")
    print(f"  signaux d'alerte avec la réponse d'urgence en premier : {s.red_flags_first}/{s.red_flags_total}"
          f" (groupe exact : {s.red_flags_exact_group})")
    print(f"  réponse d'urgence à une non-urgence : {s.emergency_false}/{s.non_emergency_turns}"
          f" ({pct(s.emergency_false, s.non_emergency_turns).strip()})")
    print(f"  questions de suivi sans symptôme signalé : {s.triage_needless}/{s.no_symptom_messages}"
          f" ({pct(s.triage_needless, s.no_symptom_messages).strip()})")
    print(f"  relances comprises dans le contexte : {s.followups_right}/{s.followups_total}"
          f"   relances sur le jeûne avec un nombre d'heures : {s.fasting_hours_given}")
    if s.confusions:
        print("  confusions (attendu → obtenu : nombre) :")
        for expected, got, count in s.confusions[:25]:
            print(f"    {expected} → {got} : {count}")


def main() -> int:
    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--sets", default="blind,test,holdout")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "conversations.json"))
    args = parser.parse_args()
    names = [n for n in args.sets.split(",") if n]
    loaded: dict[str, list[Case]] = {n: SETS[n]() for n in names}
    order = [c for n in names for c in loaded[n]]
    start = time.perf_counter()
    played = run(Path(args.model), order)
    seconds = (time.perf_counter() - start) / max(1, len(order))
    table, hours = load_table(), responses_with_hours()
    results, offset = {}, 0
    for name in names:
        cases = loaded[name]
        s = score(cases, played[offset:offset + len(cases)], table, hours)
        offset += len(cases)
        print_scores(name, len(cases), s, seconds * len(cases))
        results[name] = s.as_dict()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
