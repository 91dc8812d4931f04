"""One PNG summary of the benchmark JSON files in var/bench/ (those present; the others are skipped)."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "var" / "bench"


def load(name: str) -> dict | None:
    path = BENCH / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main() -> int:
    panels = []
    if (nlu := load("nlu")) is not None:
        panels.append(("NLU (jeu de test)", {
            "exactitude": nlu["accuracy"], "classifieur seul": nlu.get("accuracy_top1", 0), "macro-F1": nlu["macro_f1"],
        }, "%"))
    if (pipes := load("pipelines")) is not None:
        panels.append(("Pipelines : exactitude (test)",
                       {k: v["accuracy"] for k, v in pipes.items() if "accuracy" in v}, "%"))
        panels.append(("Pipelines : exactitude (réservé)",
                       {k: v["holdout"]["accuracy"] for k, v in pipes.items() if "holdout" in v}, "%"))
        panels.append(("Pipelines : entraînement (s)",
                       {k: v["training_seconds"] for k, v in pipes.items() if "training_seconds" in v}, "s"))
    if (flags := load("redflags")) is not None:
        panels.append(("Signaux d'alerte : rappel", {g: v["recall"] for g, v in flags["groups"].items()}, "%"))
        panels.append(("Fausses alertes", {g: v["false_alarm_rate"] for g, v in flags["groups"].items()}, "%"))
    if (prod := load("prod")) is not None:
        latency = prod.get("latency", {})
        if latency:
            panels.append(("Latence p95 (ms)", {k: v["latency_ms"]["p95"] for k, v in latency.items()}, "ms"))
        if "saturation" in prod:
            ceiling = prod["saturation"]["throughput_msg_s"]
            panels.append(("Débit à saturation (msg/s)", {"2 serveurs": ceiling}, "msg/s"))
        if "memory_mib" in prod:
            panels.append(("Mémoire résidente (MiB)", {k: v["rss"] for k, v in prod["memory_mib"].items()}, "MiB"))
        if "cold_start_s" in prod:
            panels.append(("Démarrage à froid (s)", {"pile prête": prod["cold_start_s"]["stack_ready"]}, "s"))
    if not panels:
        print("Aucun résultat dans var/bench/ : lancez `make bench`.")
        return 1
    columns = min(5, len(panels))
    rows = -(-len(panels) // columns)
    fig, grid = plt.subplots(rows, columns, figsize=(4 * columns, 3.6 * rows), squeeze=False)
    axes = list(grid.flat)
    for ax in axes[len(panels):]:
        ax.axis("off")
    for ax, (title, values, unit) in zip(axes, panels):
        scale = 100 if unit == "%" else 1
        bars = ax.bar(list(values), [scale * v for v in values.values()], color="#1d4f91")
        ax.bar_label(bars, fmt="%.1f" if unit != "s" else "%.0f", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
        if unit == "%":
            ax.set_ylim(0, 105)
    fig.tight_layout()
    out = BENCH / "summary.png"
    fig.savefig(out, dpi=110)
    print(f"Résumé : {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
