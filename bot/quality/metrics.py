"""Classification metrics for the NLU benchmarks (pure functions, no Rasa)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Sequence


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, predicted)) / len(gold)


def per_label_f1(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    labels = sorted(set(gold))
    tp = Counter(g for g, p in zip(gold, predicted) if g == p)
    gold_n = Counter(gold)
    pred_n = Counter(predicted)
    scores: dict[str, float] = {}
    for label in labels:
        precision = tp[label] / pred_n[label] if pred_n[label] else 0.0
        recall = tp[label] / gold_n[label]
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    scores = per_label_f1(gold, predicted)
    return sum(scores.values()) / len(scores) if scores else 0.0


def errors_by_label(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Counter]:
    """For each gold label, what it was mistaken for and how often."""
    errors: dict[str, Counter] = {}
    for g, p in zip(gold, predicted):
        if g != p:
            errors.setdefault(g, Counter())[p] += 1
    return errors


def threshold_table(
    gold: Sequence[str], top: Sequence[str], confidence: Sequence[float], thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """For each fallback threshold: share of in-scope messages answered, and accuracy of those answered."""
    rows = []
    for t in thresholds:
        kept = [(g, p) for g, p, c in zip(gold, top, confidence) if c >= t]
        rows.append(
            {
                "threshold": t,
                "answered": len(kept) / len(gold) if gold else 0.0,
                "accuracy_answered": accuracy([g for g, _ in kept], [p for _, p in kept]) if kept else 0.0,
                "wrong_answers": sum(g != p for g, p in kept),
            }
        )
    return rows


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, q in [0, 100]."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return ordered[rank]
