"""NLU accuracy on the project's own test set (tests/nlu), with the fallback threshold measurement.

Usage: python -m bench.nlu [--model models/current.tar.gz] [--out var/bench/nlu.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from bot.core.training_data import load_examples
from bot.quality.metrics import accuracy, errors_by_label, macro_f1, per_label_f1, threshold_table

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = [0.3, 0.4, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9]


def load_test_set(folder: Path = ROOT / "tests" / "nlu") -> list[tuple[str, str]]:
    return load_examples(folder)


async def predict(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    results = []
    for text in texts:
        results.append(await agent.parse_message(text))
    return results


def top_real_intent(parse: dict) -> tuple[str, float]:
    """The classifier's best intent before the fallback replaced it (for the threshold table)."""
    for item in parse.get("intent_ranking") or []:
        if item["name"] != "nlu_fallback":
            return item["name"], float(item["confidence"])
    return "nlu_fallback", 0.0


def evaluate(model: Path, examples: list[tuple[str, str]]) -> dict:
    gold = [intent for intent, _ in examples]
    texts = [text for _, text in examples]
    start = time.perf_counter()
    parses = asyncio.run(predict(model, texts))
    elapsed = time.perf_counter() - start
    predicted = [p["intent"]["name"] for p in parses]
    tops = [top_real_intent(p) for p in parses]
    errors = errors_by_label(gold, predicted)
    return {
        "messages": len(gold),
        "accuracy": accuracy(gold, predicted),
        "macro_f1": macro_f1(gold, predicted),
        # What the classifier alone gets right, before the fallback threshold turns doubts into questions.
        "accuracy_top1": accuracy(gold, [t[0] for t in tops]),
        "f1_per_intent": per_label_f1(gold, predicted),
        "errors": {k: dict(v) for k, v in sorted(errors.items())},
        "examples_wrong": [
            {"text": t, "expected": g, "predicted": p}
            for t, g, p in zip(texts, gold, predicted) if g != p
        ],
        "fallback_thresholds": threshold_table(gold, [t[0] for t in tops], [t[1] for t in tops], THRESHOLDS),
        "parse_ms_mean": 1000 * elapsed / max(1, len(gold)),
    }


def main() -> int:
    import logging

    logging.disable(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "nlu.json"))
    args = parser.parse_args()
    result = evaluate(Path(args.model), load_test_set())
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Jeu de test NLU : {result['messages']} messages")
    print(f"  exactitude (accuracy) : {100 * result['accuracy']:.1f} %   macro-F1 : {100 * result['macro_f1']:.1f} %")
    print(f"  exactitude du classifieur seul (sans seuil de repli) : {100 * result['accuracy_top1']:.1f} %")
    print(f"  analyse : {result['parse_ms_mean']:.1f} ms par message")
    print("  erreurs par intention :")
    for intent, wrong in result["errors"].items():
        print(f"    {intent}: {wrong}")
    print("  seuil de repli (FallbackClassifier) : part répondue / exactitude des réponses données")
    for row in result["fallback_thresholds"]:
        print(f"    {row['threshold']:.2f} : {100 * row['answered']:.1f} % répondus, "
              f"{100 * row['accuracy_answered']:.1f} % justes, {row['wrong_answers']} mauvaises réponses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
