"""Production benchmark: the `make prod-local` stack (nginx, 2 Rasa servers, 2 action servers,
PostgreSQL, Redis) measured on this machine; writes var/bench/prod.json.

- cold start: seconds from launching the stack to each Rasa server's first answer;
- reply latency p50/p95/p99 at 1, 10 and 50 concurrent users, each user sending its next message
  as soon as the previous one is answered (closed loop), and 50 users at a person's pace
  (a 5 s pause after each answer, ≈10 msg/s offered; skipped with --quick);
- saturation throughput: the highest rate measured with no pause, up to 64 concurrent users;
- resident memory of every process (current and peak, from /proc).

Needs PostgreSQL and Redis (TEST_POSTGRES_URL / TEST_REDIS_URL, local defaults). Bounded: about
3 minutes (1 with --quick), loopback only.

    .venv/bin/python -m bench.prod_bench [--quick] [--out var/bench/prod.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent

from bench.load import LoadConfig, print_summary, run_load, verify_events  # noqa: E402
from bench.prod_stack import ProdStack  # noqa: E402
from bot.core.conversation_ids import rest_sender_for  # noqa: E402

MIB = 1024 * 1024


def _first_answer(port: int, t0: float, out: dict[int, float], stop: threading.Event, timeout: float,
                  key: str) -> None:
    """Polls one Rasa server with a real message until it answers; records the seconds since t0."""
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    sender = rest_sender_for(f"rest-coldstart-{port}", key)
    while not stop.is_set() and time.monotonic() - t0 < timeout:
        try:
            r = requests.post(url, json={"sender": sender, "message": "bonjour"}, timeout=30)
            if r.status_code == 200 and r.json():
                out[port] = round(time.monotonic() - t0, 2)
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(0.25)


def _load(stack: ProdStack, cfg: LoadConfig, name: str, results: dict[str, Any], verify: bool = False) -> None:
    cfg.url, cfg.token_key = stack.url, stack.token_key
    report = run_load(cfg)
    summary = report.summary()
    verification = verify_events(stack.database_url, report) if verify else None
    print(f"\n--- {name} ---")
    print_summary(summary, verification)
    keep = {k: summary[k] for k in ("conversations", "messages_per_conversation", "messages_expected",
                                    "messages_answered", "messages_lost", "http_5xx_seen", "duration_s",
                                    "throughput_msg_s", "offered_mean_msg_s", "offered_peak_10s_msg_s", "latency_ms")}
    if verification is not None:
        keep["database_conversations_exact"] = verification["conversations_exact"]
        keep["database_conversations"] = verification["conversations"]
    results[name] = keep


def machine() -> dict[str, Any]:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except OSError:
        commit = ""
    return {
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "python": platform.python_version(),
        "commit": commit,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "prod.json")
    p.add_argument("--quick", action="store_true", help="skip the 60 s paced run")
    p.add_argument("--model", type=Path, default=None, help="default: models/current.tar.gz")
    args = p.parse_args(argv)

    user = os.environ.get("USER", "root")
    postgres = os.environ.get("TEST_POSTGRES_URL") or f"postgresql://{user}@127.0.0.1:5432/postgres"
    redis_url = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    workdir = Path(tempfile.mkdtemp(prefix="prod-bench-"))
    stack = ProdStack(workdir=workdir, postgres_url=postgres, redis_url=redis_url,
                      db_name=f"assistant_bench_{os.getpid()}", model=args.model)
    out: dict[str, Any] = {"machine": machine(), "stack": {
        "rasa_servers": 2, "action_servers": 2, "load_balancer": "nginx", "tracker_store": "PostgreSQL",
        "lock_store": "Redis", "model": str(args.model or "models/current.tar.gz"), "logs": str(workdir / "log"),
    }}
    latency: dict[str, Any] = {}
    first: dict[int, float] = {}
    stop = threading.Event()
    try:
        t0 = time.monotonic()
        pollers = [threading.Thread(target=_first_answer, args=(port, t0, first, stop, 900, stack.token_key),
                                    daemon=True)
                   for port in stack.rasa_ports]
        for t in pollers:
            t.start()
        ready = stack.start(timeout=900)
        for t in pollers:
            t.join(120)
        out["cold_start_s"] = {
            "stack_ready": round(ready, 2),
            "first_answer_per_rasa_server": {f"rasa-{p}": first.get(p) for p in stack.rasa_ports},
        }
        print(f"démarrage à froid / cold start: {out['cold_start_s']}")

        # Warm-up, not measured.
        run_load(LoadConfig(url=stack.url, conversations=4, messages=5, mode="saturating", sender_prefix="warmup",
                            token_key=stack.token_key))

        _load(stack, LoadConfig(conversations=1, messages=40, mode="saturating", sender_prefix="c1"), "users_1",
              latency)
        _load(stack, LoadConfig(conversations=10, messages=10, mode="saturating", sender_prefix="c10"), "users_10",
              latency)
        _load(stack, LoadConfig(conversations=50, messages=6, mode="saturating", sender_prefix="c50"), "users_50",
              latency, verify=True)
        if not args.quick:
            _load(stack, LoadConfig(conversations=50, messages=10, mode="paced", think_mean=5.0, think_jitter=1.0,
                                    ramp=15.0, sender_prefix="paced50"), "users_50_paced", latency, verify=True)
        saturation: dict[str, Any] = {}
        for n in (16, 32, 64):
            _load(stack, LoadConfig(conversations=n, messages=8, mode="saturating", sender_prefix=f"sat{n}"),
                  f"users_{n}", saturation)
        out["latency"] = latency
        everything = {**latency, **saturation}
        best = max(everything.items(), key=lambda kv: kv[1]["throughput_msg_s"])
        out["saturation"] = {
            "runs": saturation,
            "throughput_msg_s": best[1]["throughput_msg_s"],
            "at": best[0],
            "messages_lost": sum(r["messages_lost"] for r in everything.values()),
            "http_5xx": sum(r["http_5xx_seen"] for r in everything.values()),
        }
        memory = stack.memory()
        out["memory_mib"] = {
            name: {k: round(v / MIB, 1) for k, v in mem.items()} for name, mem in memory.items()
        }
    finally:
        stop.set()
        stack.stop()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    print("\n=== résumé / summary ===")
    for name, r in out["latency"].items():
        lat = r["latency_ms"]
        print(f"  {name:16s} p50 {lat['p50']:7.1f} ms  p95 {lat['p95']:7.1f} ms  p99 {lat['p99']:7.1f} ms  "
              f"{r['throughput_msg_s']} msg/s")
    print(f"  saturation : {out['saturation']['throughput_msg_s']} msg/s ({out['saturation']['at']}), "
          f"perdus / lost {out['saturation']['messages_lost']}")
    for name, mem in out["memory_mib"].items():
        print(f"  {name:14s} {mem.get('rss', 0):8.1f} MiB (pic / peak {mem.get('peak', 0):.1f} MiB)")
    print(f"  → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
