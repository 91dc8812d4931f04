"""Accuracy and training time: the project's pipeline against Rasa's default recipe, same data, same run.

Usage: python -m bench.pipelines [--folds 3] [--skip-default] [--out var/bench/pipelines.json]
Also runs Rasa's NLU cross-validation on the project's configuration when --folds > 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.nlu import evaluate
from bot.nlu_data import load_examples

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
DEFAULT_CONFIG = 'recipe: default.v1\nlanguage: fr\nassistant_id: default-recipe\n'


def train_nlu(config: Path, out: Path, name: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [RASA, "train", "nlu", "--config", str(config), "--out", str(out), "--fixed-model-name", name, "--quiet"],
        cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def cross_validation(folds: int, out: Path) -> dict:
    subprocess.run(
        [RASA, "test", "nlu", "--config", "config.yml", "--cross-validation", "--folds", str(folds),
         "--out", str(out), "--no-plot"],
        cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL,
    )
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    return {"folds": folds, "accuracy": report["accuracy"], "macro_f1": report["macro avg"]["f1-score"]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-default", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "pipelines.json"))
    args = parser.parse_args()
    examples = load_examples(ROOT / "tests" / "nlu")
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        configs = {"projet": ROOT / "config.yml"}
        if not args.skip_default:
            (tmp / "default.yml").write_text(DEFAULT_CONFIG, encoding="utf-8")
            configs["rasa_defaut"] = tmp / "default.yml"
        for name, config in configs.items():
            seconds = train_nlu(config, tmp, name)
            scores = evaluate(tmp / f"{name}.tar.gz", examples)
            result[name] = {
                "training_seconds": seconds,
                "accuracy": scores["accuracy"],
                "macro_f1": scores["macro_f1"],
                "parse_ms_mean": scores["parse_ms_mean"],
            }
            print(f"{name:12s} entraînement {seconds:6.0f} s   exactitude {100 * scores['accuracy']:.1f} %   "
                  f"macro-F1 {100 * scores['macro_f1']:.1f} %")
        if args.folds > 1:
            result["validation_croisee"] = cross_validation(args.folds, tmp / "cv")
            cv = result["validation_croisee"]
            print(f"validation croisée ({cv['folds']} plis) : exactitude {100 * cv['accuracy']:.1f} %, "
                  f"macro-F1 {100 * cv['macro_f1']:.1f} %")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
