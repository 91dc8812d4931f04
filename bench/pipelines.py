"""Accuracy and training time of NLU pipelines trained on the same data in the same run.

Pipelines: the project's (config.yml), its previous DIET pipeline (bench/configs/diet.yml) and Rasa's
default recipe. Each is scored on the test set (tests/nlu) and on the blind hold-out set
(tests/nlu_holdout, written without reading the training data or the test set). Then Rasa's NLU
cross-validation on the training data, for the pipelines named by --cv.

Usage: python -m bench.pipelines [--only projet,diet,rasa_defaut] [--cv projet] [--folds 3]
                                 [--out var/bench/pipelines.json]
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
from bot.core.training_data import load_examples

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")
# No training cache: every pipeline is trained from scratch, so that training times compare.
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
       "RASA_MAX_CACHE_SIZE": "0"}
DEFAULT_RECIPE = "recipe: default.v1\nlanguage: fr\nassistant_id: default-recipe\n"
PIPELINES = ("projet", "diet", "rasa_defaut")
EVALUATION_SETS = {"test": ROOT / "tests" / "nlu", "holdout": ROOT / "tests" / "nlu_holdout"}


def config_files(tmp: Path) -> dict[str, Path]:
    (tmp / "default.yml").write_text(DEFAULT_RECIPE, encoding="utf-8")
    return {"projet": ROOT / "config.yml", "diet": ROOT / "bench" / "configs" / "diet.yml",
            "rasa_defaut": tmp / "default.yml"}


def train_nlu(config: Path, out: Path, name: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [RASA, "train", "nlu", "--config", str(config), "--out", str(out), "--fixed-model-name", name, "--quiet"],
        cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def cross_validation(config: Path, folds: int, out: Path) -> dict:
    start = time.perf_counter()
    subprocess.run(
        [RASA, "test", "nlu", "--config", str(config), "--cross-validation", "--folds", str(folds),
         "--out", str(out), "--no-plot"],
        cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL,
    )
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    return {"folds": folds, "accuracy": report["accuracy"], "macro_f1": report["macro avg"]["f1-score"],
            "seconds": time.perf_counter() - start}


def percent(value: float) -> str:
    return f"{100 * value:5.1f} %"


def main() -> int:
    import logging

    logging.disable(logging.WARNING)  # one line per red flag found would drown the figures
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=",".join(PIPELINES))
    parser.add_argument("--cv", default="projet", help="pipelines to cross-validate ('' for none)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "pipelines.json"))
    args = parser.parse_args()
    chosen = [p for p in args.only.split(",") if p]
    unknown = set(chosen) - set(PIPELINES)
    if unknown:
        parser.error(f"pipelines inconnus : {sorted(unknown)} (choix : {', '.join(PIPELINES)})")
    sets = {name: load_examples(folder) for name, folder in EVALUATION_SETS.items() if folder.is_dir()}
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        configs = config_files(tmp)
        for name in chosen:
            row: dict = {"training_seconds": train_nlu(configs[name], tmp, name)}
            for set_name, examples in sets.items():
                scores = evaluate(tmp / f"{name}.tar.gz", examples)
                row[set_name] = {key: scores[key] for key in ("messages", "accuracy", "accuracy_top1", "macro_f1")}
                row[set_name]["parse_ms_mean"] = scores["parse_ms_mean"]
            # Top-level figures, read by bench/summary.py: the test set.
            row["accuracy"] = row["test"]["accuracy"]
            row["macro_f1"] = row["test"]["macro_f1"]
            result[name] = row
            print(f"{name:12s} entraînement {row['training_seconds']:6.0f} s")
            for set_name in sets:
                s = row[set_name]
                print(f"    {set_name:8s} ({s['messages']} messages) exactitude {percent(s['accuracy'])}   "
                      f"classifieur seul {percent(s['accuracy_top1'])}   macro-F1 {percent(s['macro_f1'])}")
        for name in [p for p in args.cv.split(",") if p]:
            cv = cross_validation(configs[name], args.folds, tmp / f"cv-{name}")
            result.setdefault(name, {})["cross_validation"] = cv
            print(f"validation croisée {name} ({cv['folds']} plis, {cv['seconds']:.0f} s) : "
                  f"exactitude {percent(cv['accuracy'])}, macro-F1 {percent(cv['macro_f1'])}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
