"""Cold start and resident memory of the servers, started with `rasa` (before) and `bot.serve` (after).

For each way of starting them, one Rasa server and one action server on free ports, with a
throw-away SQLite database (nothing else runs meanwhile, one variant after the other):
- start → first answer: seconds from launching the Rasa server to its first non-empty answer on
  POST /webhooks/rest/webhook, and the CPU seconds it used until then (less sensitive to a busy
  machine than the wall clock); the action server: seconds until /health answers;
- resident memory (VmRSS, and its peak VmHWM, from /proc) after one message, and whether
  TensorFlow's library is mapped in the process;
- reply latency p50/p95 over a conversation of the load generator's questions (bench/load.py),
  one message after the other, and the Rasa server's CPU time per message.

With --prod-env, the servers get the settings of `make prod-local` (one TensorFlow thread, capped malloc
arenas), under which `rasa run actions` imports TensorFlow too.

    .venv/bin/python -m bench.startup [--runs 1] [--messages 48] [--only before|after] [--prod-env]
        [--out var/bench/startup.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent

from bench.load import OPENING, QUESTIONS  # noqa: E402
from bench.prod_stack import rss_bytes  # noqa: E402
from bot.processes import catalogue  # noqa: E402
from bot.processes.catalogue import free_port  # noqa: E402
from bot.processes.stacks import PROD_TUNING  # noqa: E402
from bot.processes.supervisor import Supervisor  # noqa: E402

MODEL = ROOT / "models" / "current.tar.gz"
MIB = 1024 * 1024
# Goals of issue 12, item 6 (1.0 GB = 10^9 bytes).
GOAL_FIRST_ANSWER_S = 15.0
GOAL_RSS_BYTES = 1_000_000_000

# How each variant starts the two servers: the launcher of bot/processes/catalogue.py.
VARIANTS: dict[str, str] = {"before": "rasa", "after": "bot.serve"}
# What `make prod-local` gives its servers.
PROD_ENV = PROD_TUNING
LABELS = {"before": "rasa run (avant)", "after": "python -m bot.serve run (après)"}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def maps_tensorflow(pid: int) -> bool:
    try:
        return "tensorflow" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def bytecode_compiled(module: str) -> bool:
    """Whether a module's bytecode is on disk (honours PYTHONPYCACHEPREFIX), without importing it."""
    spec = importlib.util.find_spec(module.split(".")[0])
    if spec is None or spec.origin is None:
        return False
    source = Path(spec.origin).parent.joinpath(*module.split(".")[1:]).with_suffix(".py")
    return Path(importlib.util.cache_from_source(str(source))).exists()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile, q in [0, 100]."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))] if ordered else math.nan


def _endpoints(tmp: Path, actions_port: int) -> Path:
    path = tmp / "endpoints.yml"
    path.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{tmp / "assistant.db"}"\n'
        'lock_store:\n  type: "in_memory"\n',
        encoding="utf-8",
    )
    return path


def _wait(probe, proc: subprocess.Popen, timeout: float) -> float:
    """Calls probe() until it returns True; returns the monotonic time when it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} while starting")
        try:
            if probe():
                return time.monotonic()
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"no answer within {timeout} s")


def measure(variant: str, messages: int, extra_env: dict[str, str], timeout: float = 600) -> dict[str, Any]:
    """Starts both servers of one variant, measures them, stops them."""
    from bot.storage import init_db

    launcher = VARIANTS[variant]
    with tempfile.TemporaryDirectory(prefix=f"startup-{variant}-") as name:
        tmp = Path(name)
        url = f"sqlite:///{tmp / 'assistant.db'}"
        init_db(url)
        env = {**os.environ, **extra_env, "DATABASE_URL": url, "RASA_TELEMETRY_ENABLED": "false"}
        actions_port, rasa_port = free_port(), free_port()
        out: dict[str, Any] = {}
        supervisor = Supervisor(tmp, env=env, cwd=ROOT)
        try:
            t0 = time.monotonic()
            actions = supervisor.start(catalogue.action_server(actions_port, launcher=launcher))
            ready = _wait(lambda: requests.get(f"http://127.0.0.1:{actions_port}/health", timeout=2).ok,
                          actions, timeout)
            out["actions"] = {"ready_s": round(ready - t0, 2), "cpu_s": round(cpu_seconds(actions.pid), 2)}

            webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"

            def answered() -> bool:
                r = requests.post(webhook, json={"sender": "startup", "message": "bonjour"}, timeout=60)
                return r.status_code == 200 and bool(r.json())

            endpoints = _endpoints(tmp, actions_port)
            t0 = time.monotonic()
            rasa = supervisor.start(catalogue.rasa_server(rasa_port, MODEL, endpoints, ROOT / "credentials.yml",
                                                          host="127.0.0.1", launcher=launcher))
            first = _wait(answered, rasa, timeout)
            mem = rss_bytes(rasa.pid)
            out["rasa"] = {
                "first_answer_s": round(first - t0, 2),
                "cpu_s": round(cpu_seconds(rasa.pid), 2),
                "rss_mib": round(mem.get("rss", 0) / MIB, 1),
                "peak_mib": round(mem.get("peak", 0) / MIB, 1),
                "tensorflow": maps_tensorflow(rasa.pid),
            }
            latencies = []
            texts = [OPENING, *QUESTIONS]
            cpu_before = cpu_seconds(rasa.pid)
            for i in range(messages):
                t = time.monotonic()
                r = requests.post(webhook, json={"sender": f"startup-{i // len(texts)}",
                                                 "message": texts[i % len(texts)]}, timeout=60)
                r.raise_for_status()
                latencies.append(1000 * (time.monotonic() - t))
            out["rasa"]["latency_ms"] = {"p50": round(percentile(latencies, 50), 1),
                                         "p95": round(percentile(latencies, 95), 1), "n": len(latencies)}
            out["rasa"]["cpu_ms_per_message"] = round(1000 * (cpu_seconds(rasa.pid) - cpu_before) / max(1, messages), 1)
            mem = rss_bytes(actions.pid)
            out["actions"].update(rss_mib=round(mem.get("rss", 0) / MIB, 1),
                                  peak_mib=round(mem.get("peak", 0) / MIB, 1), tensorflow=maps_tensorflow(actions.pid))
        finally:
            supervisor.stop(grace=30)
        return out


def _median(runs: list[dict[str, Any]], server: str, key: str, sub: str | None = None) -> Any:
    values = [(r[server][key][sub] if sub else r[server][key]) for r in runs]
    if isinstance(values[0], bool):
        return any(values)
    return round(statistics.median(values), 2)


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over runs of every figure (TensorFlow: loaded in any run)."""
    rasa_keys = ("first_answer_s", "cpu_s", "rss_mib", "peak_mib", "tensorflow", "cpu_ms_per_message")
    return {
        "rasa": {**{k: _median(runs, "rasa", k) for k in rasa_keys},
                 "latency_ms": {q: _median(runs, "rasa", "latency_ms", q) for q in ("p50", "p95")}},
        "actions": {k: _median(runs, "actions", k) for k in ("ready_s", "cpu_s", "rss_mib", "peak_mib", "tensorflow")},
        "runs": len(runs),
    }


def print_table(results: dict[str, dict[str, Any]]) -> None:
    yes_no = {True: "oui", False: "non"}
    print(f"{'serveur Rasa':34s} {'1re réponse':>11s} {'CPU':>7s} {'RSS':>10s} {'pic':>10s} {'TF':>4s}"
          f" {'p50':>8s} {'p95':>8s} {'CPU/msg':>8s}")
    for variant, res in results.items():
        r = res["rasa"]
        print(f"{LABELS[variant]:34s} {r['first_answer_s']:9.1f} s {r['cpu_s']:5.1f} s {r['rss_mib']:6.0f} MiB"
              f" {r['peak_mib']:6.0f} MiB {yes_no[r['tensorflow']]:>4s} {r['latency_ms']['p50']:5.0f} ms"
              f" {r['latency_ms']['p95']:5.0f} ms {r['cpu_ms_per_message']:5.1f} ms")
    print(f"{'serveur d actions':34s} {'prêt':>11s}")
    for variant, res in results.items():
        a = res["actions"]
        print(f"{LABELS[variant]:34s} {a['ready_s']:9.1f} s {a['cpu_s']:5.1f} s {a['rss_mib']:6.0f} MiB"
              f" {a['peak_mib']:6.0f} MiB {yes_no[a['tensorflow']]:>4s}")
    if "after" in results:
        r = results["after"]["rasa"]
        ok_time = r["first_answer_s"] <= GOAL_FIRST_ANSWER_S
        ok_mem = r["rss_mib"] * MIB <= GOAL_RSS_BYTES
        print(f"objectifs : 1re réponse ≤ {GOAL_FIRST_ANSWER_S:.0f} s {'atteint' if ok_time else 'NON atteint'}, "
              f"mémoire ≤ 1,0 Go {'atteint' if ok_mem else 'NON atteint'}"
              + (f", p95 {r['latency_ms']['p95']:.0f} ms contre {results['before']['rasa']['latency_ms']['p95']:.0f} ms"
                 " avant" if "before" in results else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per variant (median)")
    parser.add_argument("--messages", type=int, default=48, help="messages for the latency")
    parser.add_argument("--only", choices=sorted(VARIANTS), help="measure one variant only")
    parser.add_argument("--prod-env", action="store_true", help="the servers' settings of make prod-local")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "startup.json")
    args = parser.parse_args(argv)
    if not MODEL.exists():
        print(f"Modèle absent ({MODEL}) : lancez `make train`.", file=sys.stderr)
        return 1
    variants = [args.only] if args.only else list(VARIANTS)
    runs: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for _ in range(args.runs):  # interleaved, so that a busier moment of the machine hits both
        for variant in variants:
            runs[variant].append(measure(variant, args.messages, PROD_ENV if args.prod_env else {}))
    results = {v: summarize(r) for v, r in runs.items()}
    bytecode = bytecode_compiled("rasa.core.agent")
    print(f"bytecode des paquets déjà compilé : {'oui' if bytecode else 'non (chaque démarrage le compile)'} ;"
          f" réglages de production : {'oui' if args.prod_env else 'non'} ; charge de la machine : "
          + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"results": results, "runs": runs, "prod_env": args.prod_env,
                                    "bytecode_compiled": bool(bytecode), "load_average": os.getloadavg()},
                                   indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
