"""Readability of every answer a patient reads (bot/core/readability.py): words and LIX.

Prints the figures, the answers over the limits (60 words; LIX 45 for answers of 8 words or more) and
the ten hardest to read; writes var/bench/readability.json.

    .venv/bin/python -m bench.readability
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from bot.core.answer_texts import patient_texts  # noqa: E402
from bot.core.readability import measure  # noqa: E402

OUTPUT = ROOT / "var" / "bench" / "readability.json"
MAX_WORDS, MAX_LIX, LIX_FROM_WORDS = 60, 45, 8


def figures() -> dict:
    rows = []
    for name, text in patient_texts(ROOT):
        m = measure(text)
        rows.append({"name": name, "words": m.words, "sentences": m.sentences, "lix": round(m.lix, 1),
                     "lix_applies": m.words >= LIX_FROM_WORDS, "text": text})
    scored = [r for r in rows if r["lix_applies"]]
    return {
        "answers": len(rows),
        "words_mean": round(statistics.mean(r["words"] for r in rows), 1),
        "words_max": max(r["words"] for r in rows),
        "lix_mean": round(statistics.mean(r["lix"] for r in scored), 1),
        "lix_median": round(statistics.median(r["lix"] for r in scored), 1),
        "lix_max": max(r["lix"] for r in scored),
        "over_words": [r["name"] for r in rows if r["words"] > MAX_WORDS],
        "over_lix": [r["name"] for r in scored if r["lix"] > MAX_LIX],
        "worst_ten": sorted(scored, key=lambda r: -r["lix"])[:10],
    }


def main() -> None:
    result = figures()
    print(f"{result['answers']} réponses ; mots : moyenne {result['words_mean']}, max {result['words_max']} "
          f"(limite {MAX_WORDS}) ; LIX (réponses de {LIX_FROM_WORDS} mots ou plus) : moyenne {result['lix_mean']}, "
          f"médiane {result['lix_median']}, max {result['lix_max']} (limite {MAX_LIX})")
    print(f"au-delà des limites : {len(result['over_words'])} en mots {result['over_words']}, "
          f"{len(result['over_lix'])} en LIX {result['over_lix']}")
    print("les dix plus difficiles à lire (LIX) :")
    for r in result["worst_ten"]:
        print(f"  {r['lix']:5.1f}  {r['words']:3d} mots  {r['name']}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
