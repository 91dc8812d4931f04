"""Load generator for the REST channel: N concurrent French conversations of M messages each.

Two modes:
- paced: each conversation sends its next message a few seconds after the previous answer, as a
  person would (50 conversations with a 5 s mean pause offer about 10 messages per second);
- saturating: no pause at all, to find the throughput ceiling.

Every request is bounded (timeout) and so is the whole run (`max_duration`); loopback only.
A request that fails at the transport level or with a 5xx (e.g. in flight on a server that was
killed) is retried once through the load balancer; an empty answer is never retried (Rasa answers
`[]` when it could not process the message, and a replay could duplicate the user's message).

Each message carries `metadata` (run id, conversation id, sequence number); `verify_events` reads
the tracker store afterwards and checks that every conversation holds exactly its own M user
messages, in order, and nothing from another conversation.

    .venv/bin/python -m bench.load --url http://127.0.0.1:5005 --conversations 50 --messages 10 \\
        --mode paced --database-url postgresql://root@127.0.0.1:5432/assistant_prod --json var/bench/load.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import aiohttp

ROOT = Path(__file__).resolve().parent.parent

from bot.core.conversation_ids import rest_sender_for  # noqa: E402
from bot.quality.metrics import percentile  # noqa: E402

# Opening message, then questions as patients and relatives ask them (typos and missing accents included).
OPENING = "Bonjour, j'ai une question sur la vertébroplastie de ma mère"
QUESTIONS: tuple[str, ...] = (
    "Est-ce que je dois venir à jeun le jour de l'intervention ?",
    "je peux manger le matin avant la vertebroplastie ?",
    "Quand est-ce que je pourrai rentrer à la maison après ?",
    "combien de temps je reste a l'hopital",
    "Faut-il faire des séances de kiné après la cimentoplastie ?",
    "Quels sont les risques de cette intervention ?",
    "Je prends du Kardégic, est-ce que je dois l'arrêter avant ?",
    "mon pere est sous anticoagulants c'est un probleme ?",
    "Comment est-ce que je peux contacter le centre ?",
    "quel est le numero de telephone du secretariat",
    "Est-ce que ça fait mal pendant l'intervention ?",
    "Combien de temps dure l'intervention ?",
    "Est-ce que je pourrai conduire pour rentrer ?",
    "Qu'est-ce que je dois apporter le jour du rendez-vous ?",
    "Est-ce qu'on m'endort pour la vertébroplastie ?",
    "au bout de combien de temps on est soulagé ?",
    "c'est quoi exactement une vertebroplastie",
    "Le ciment peut-il couler à côté de la vertèbre ?",
    "Y a-t-il un risque d'infection après ?",
    "Quels examens faut-il faire avant l'intervention ?",
    "Est-ce que je pourrai reprendre mes activités normales ?",
    "Quels sont les résultats, ça marche vraiment ?",
    "Est-ce que d'autres vertèbres peuvent se casser après ?",
    "ma mère a de l'ostéoporose, c'est pour ça qu'on lui propose cette intervention ?",
)


@dataclass
class LoadConfig:
    url: str = "http://127.0.0.1:5005"
    conversations: int = 50
    messages: int = 10
    mode: str = "paced"  # or "saturating"
    think_mean: float = 5.0  # paced: mean pause between an answer and the next message (s)
    think_jitter: float = 1.0  # paced: pauses are drawn in [mean - jitter, mean + jitter]
    ramp: float = 15.0  # paced: conversation starts spread evenly over this many seconds
    request_timeout: float = 90.0
    max_duration: float = 300.0
    retries: int = 1
    seed: int = 7
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    sender_prefix: str = "load"
    # Signs the REST senders (bot/core/conversation_ids.py) as a production server requires; empty: unsigned names.
    token_key: str = field(default_factory=lambda: os.environ.get("CONVERSATION_TOKEN_KEY", ""))


@dataclass
class MessageResult:
    sender: str
    seq: int
    text: str
    sent_at: float  # seconds since the start of the run (first attempt)
    latency: float | None = None  # seconds, of the attempt that succeeded (or of the last one)
    status: int | None = None
    replies: int = 0
    first_reply: str = ""
    attempts: int = 0
    error: str | None = None
    foreign_replies: int = 0  # replies whose recipient_id is another conversation
    attempt_errors: list[str] = field(default_factory=list)  # errors of the attempts that were retried

    @property
    def answered(self) -> bool:
        return self.status == 200 and self.replies > 0 and self.foreign_replies == 0


@dataclass
class LoadReport:
    config: LoadConfig
    results: list[MessageResult]
    started: float  # wall clock (time.time()) at start
    duration: float
    fault_log: list[dict[str, Any]] = field(default_factory=list)

    def texts_by_sender(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in sorted(self.results, key=lambda r: (r.sender, r.seq)):
            out.setdefault(r.sender, []).append(r.text)
        return out

    def retried(self) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        for r in self.results:
            if r.attempts > 1:
                out.setdefault(r.sender, set()).add(r.seq)
        return out

    def summary(self) -> dict[str, Any]:
        return summarize(self)


def conversation_script(index: int, messages: int, seed: int) -> list[str]:
    """The opening message, then distinct questions in an order of this conversation's own."""
    rng = random.Random(seed * 100_003 + index)
    questions = list(QUESTIONS)
    rng.shuffle(questions)
    script = [OPENING]
    while len(script) < messages:
        script.extend(questions)
    return script[:messages]


def think_times(index: int, count: int, cfg: LoadConfig) -> list[float]:
    """Pauses drawn in [mean ± jitter], rescaled so that they sum exactly to count × mean."""
    if count <= 0:
        return []
    rng = random.Random(cfg.seed * 7919 + index)
    raw = [rng.uniform(cfg.think_mean - cfg.think_jitter, cfg.think_mean + cfg.think_jitter) for _ in range(count)]
    scale = cfg.think_mean * count / sum(raw) if sum(raw) > 0 else 1.0
    return [max(0.0, t * scale) for t in raw]


async def _post(
    session: aiohttp.ClientSession, cfg: LoadConfig, sender: str, seq: int, text: str, result: MessageResult
) -> None:
    body = {
        "sender": rest_sender_for(sender, cfg.token_key),
        "message": text,
        "metadata": {"load_run": cfg.run_id, "conversation": sender, "seq": seq},
    }
    webhook = cfg.url.rstrip("/") + "/webhooks/rest/webhook"
    for attempt in range(1, cfg.retries + 2):
        result.attempts = attempt
        t0 = time.perf_counter()
        retry = False
        try:
            async with session.post(webhook, json=body, timeout=aiohttp.ClientTimeout(total=cfg.request_timeout)) as r:
                result.status = r.status
                payload = await r.json(content_type=None) if r.status == 200 else None
                result.latency = time.perf_counter() - t0
                if r.status >= 500:
                    result.error = f"HTTP {r.status}"
                    retry = True
                elif r.status != 200 or not isinstance(payload, list):
                    result.error = f"HTTP {r.status}" if r.status != 200 else "réponse non JSON"
                else:
                    result.error = None
                    result.replies = len(payload)
                    result.foreign_replies = sum(
                        1 for m in payload if isinstance(m, dict) and m.get("recipient_id") not in (None, sender)
                    )
                    first = payload[0] if payload and isinstance(payload[0], dict) else {}
                    result.first_reply = str(first.get("text") or "")[:200]
                    if not payload:
                        result.error = "réponse vide"
        except asyncio.TimeoutError:
            result.latency = time.perf_counter() - t0
            result.status, result.error, retry = None, "délai dépassé", True
        except (aiohttp.ClientError, OSError) as exc:
            result.latency = time.perf_counter() - t0
            result.status, result.error, retry = None, f"{type(exc).__name__}: {exc}"[:200], True
        if not retry:
            return
        result.attempt_errors.append(result.error or "?")
        await asyncio.sleep(0.5)


async def _conversation(
    index: int, cfg: LoadConfig, session: aiohttp.ClientSession, t_start: float, results: list[MessageResult]
) -> None:
    sender = f"rest-{cfg.sender_prefix}-{cfg.run_id}-{index:04d}"  # the conversation id
    script = conversation_script(index, cfg.messages, cfg.seed)
    pauses = think_times(index, len(script) - 1, cfg) if cfg.mode == "paced" else [0.0] * len(script)
    if cfg.mode == "paced" and cfg.conversations > 1:
        await asyncio.sleep(cfg.ramp * index / (cfg.conversations - 1))
    for seq, text in enumerate(script):
        result = MessageResult(sender=sender, seq=seq, text=text, sent_at=time.perf_counter() - t_start)
        results.append(result)
        await _post(session, cfg, sender, seq, text, result)
        if seq < len(script) - 1 and pauses[seq] > 0:
            await asyncio.sleep(pauses[seq])


async def run_load_async(
    cfg: LoadConfig, faults: Sequence[tuple[float, str, Callable[[], Any]]] = ()
) -> LoadReport:
    """Runs the load; `faults` are (seconds after start, name, blocking callable) run in a thread."""
    results: list[MessageResult] = []
    fault_log: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    t_start = time.perf_counter()
    wall_start = time.time()

    async def fault(at: float, name: str, action: Callable[[], Any]) -> None:
        await asyncio.sleep(at)
        began = time.perf_counter() - t_start
        try:
            outcome = await loop.run_in_executor(None, action)
            fault_log.append({"name": name, "at": round(began, 3), "done": round(time.perf_counter() - t_start, 3),
                              "outcome": repr(outcome)[:200]})
        except Exception as exc:  # the fault itself failed: recorded, the load goes on
            fault_log.append({"name": name, "at": round(began, 3), "error": repr(exc)[:300]})

    connector = aiohttp.TCPConnector(limit=max(cfg.conversations, 1) + 4, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        convs = [asyncio.ensure_future(_conversation(i, cfg, session, t_start, results))
                 for i in range(cfg.conversations)]
        fault_tasks = [asyncio.ensure_future(fault(at, name, fn)) for at, name, fn in faults]
        done, pending = await asyncio.wait(convs, timeout=cfg.max_duration)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for r in results:
            if r.latency is None and r.error is None:
                r.error = "interrompu (durée maximale atteinte)"
        # A fault scheduled after the end of the load still runs (e.g. the restart of what was stopped).
        if fault_tasks:
            await asyncio.wait(fault_tasks, timeout=cfg.max_duration)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    duration = time.perf_counter() - t_start
    return LoadReport(config=cfg, results=results, started=wall_start, duration=duration, fault_log=fault_log)


def run_load(cfg: LoadConfig, faults: Sequence[tuple[float, str, Callable[[], Any]]] = ()) -> LoadReport:
    return asyncio.run(run_load_async(cfg, faults))


def _peak_rate(times: list[float], window: float = 10.0) -> float:
    """Highest number of messages sent within any `window` seconds, per second."""
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] < t - window:
            j += 1
        best = max(best, i - j + 1)
    return best / window if times else 0.0


def summarize(report: LoadReport) -> dict[str, Any]:
    results = report.results
    expected = report.config.conversations * report.config.messages
    answered = [r for r in results if r.answered]
    lat = [r.latency * 1000 for r in answered if r.latency is not None]
    statuses = Counter(str(r.status) if r.status is not None else "transport" for r in results)
    errors = Counter((r.error or "").split(":")[0] for r in results if not r.answered)
    return {
        "mode": report.config.mode,
        "run_id": report.config.run_id,
        "conversations": report.config.conversations,
        "messages_per_conversation": report.config.messages,
        "messages_expected": expected,
        "messages_sent": len(results),
        "messages_answered": len(answered),
        "messages_lost": expected - len(answered),
        "retried": sum(1 for r in results if r.attempts > 1),
        "answered_after_retry": sum(1 for r in answered if r.attempts > 1),
        "http_5xx": sum(1 for r in results if r.status is not None and r.status >= 500),
        "http_5xx_seen": sum(1 for r in results for e in r.attempt_errors + [r.error or ""] if e.startswith("HTTP 5")),
        "foreign_replies": sum(r.foreign_replies for r in results),
        "statuses": dict(statuses),
        "errors": dict(errors),
        "duration_s": round(report.duration, 2),
        "throughput_msg_s": round(len(answered) / report.duration, 2) if report.duration else 0.0,
        "offered_mean_msg_s": round(len(results) / report.duration, 2) if report.duration else 0.0,
        "offered_peak_10s_msg_s": round(_peak_rate([r.sent_at for r in results]), 2),
        "latency_ms": {
            "p50": round(percentile(lat, 50), 1),
            "p95": round(percentile(lat, 95), 1),
            "p99": round(percentile(lat, 99), 1),
            "max": round(max(lat), 1) if lat else 0.0,
            "mean": round(sum(lat) / len(lat), 1) if lat else 0.0,
        },
        "faults": report.fault_log,
    }


def verify_events(database_url: str, report: LoadReport) -> dict[str, Any]:
    """Checks the tracker store: each conversation holds exactly its own user messages, in order.

    A message retried after a transport failure may legitimately appear twice in a row (the first
    attempt was processed but its answer never arrived): counted apart as `duplicates_after_retry`.
    """
    from bot.storage.events import count_user_messages_containing, user_messages
    from bot.storage.session import session_scope

    expected = report.texts_by_sender()
    retried = report.retried()
    senders = sorted(expected)
    with session_scope(database_url) as session:
        rows = user_messages(session, senders)
        stray = count_user_messages_containing(session, f'"load_run": "{report.config.run_id}"', excluding=senders)
    stored: dict[str, list[tuple[str, dict]]] = {s: [] for s in senders}
    for sender, event in rows:
        stored[sender].append((event.get("text") or "", event.get("metadata") or {}))

    ok, missing, extra, mixed, disordered, dup_retry = 0, 0, 0, 0, 0, 0
    problems: list[dict[str, Any]] = []
    for sender in senders:
        events = stored[sender]
        foreign = [m for _, m in events if m.get("conversation") not in (None, sender)]
        seqs = [m.get("seq") for _, m in events]
        # Collapse a retried message stored twice in a row.
        collapsed: list[tuple[str, Any]] = []
        for (text, _meta), seq in zip(events, seqs):
            if collapsed and collapsed[-1][1] == seq and seq in retried.get(sender, set()):
                dup_retry += 1
                continue
            collapsed.append((text, seq))
        texts = [t for t, _ in collapsed]
        want = expected[sender]
        if foreign:
            mixed += 1
        if texts == want and not foreign:
            ok += 1
            continue
        missing += len([t for t in want if t not in texts])
        extra += max(0, len(texts) - len(want))
        if sorted(texts) == sorted(want):
            disordered += 1
        if len(problems) < 10:
            problems.append({"sender": sender, "expected": len(want), "stored": len(events), "seqs": seqs[:20]})
    return {
        "conversations": len(senders),
        "conversations_exact": ok,
        "user_events_missing": missing,
        "user_events_extra": extra,
        "conversations_mixed": mixed,
        "conversations_out_of_order": disordered,
        "events_of_this_run_under_unknown_senders": stray,
        "duplicates_after_retry": dup_retry,
        "problems": problems,
    }


def print_summary(summary: dict[str, Any], verification: dict[str, Any] | None = None) -> None:
    lat = summary["latency_ms"]
    print(
        f"[{summary['mode']}] {summary['conversations']} conversations × {summary['messages_per_conversation']} "
        f"messages en {summary['duration_s']} s / in {summary['duration_s']} s\n"
        f"  réponses / answered : {summary['messages_answered']}/{summary['messages_expected']}"
        f"  perdus / lost : {summary['messages_lost']}  réessayés / retried : {summary['retried']}"
        f"  5xx : {summary['http_5xx_seen']} (après nouvel essai / after retry {summary['http_5xx']})\n"
        f"  latence / latency (ms) : p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  max {lat['max']}\n"
        f"  débit / throughput : {summary['throughput_msg_s']} msg/s"
        f"  (offert / offered : moyenne {summary['offered_mean_msg_s']},"
        f" pic sur 10 s {summary['offered_peak_10s_msg_s']})"
    )
    if summary["errors"]:
        print(f"  erreurs / errors : {summary['errors']}")
    if verification is not None:
        print(
            f"  PostgreSQL : {verification['conversations_exact']}/{verification['conversations']} conversations "
            f"exactes / exact; événements manquants / missing {verification['user_events_missing']}, "
            f"mélangées / mixed {verification['conversations_mixed']}, "
            f"doublons après nouvel essai / duplicates after retry {verification['duplicates_after_retry']}"
        )


def report_json(report: LoadReport, verification: dict[str, Any] | None, records: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"config": asdict(report.config), "summary": report.summary()}
    if verification is not None:
        out["database"] = verification
    if records:
        out["records"] = [asdict(r) for r in report.results]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:5005", help="load balancer (or Rasa server) base URL")
    p.add_argument("--conversations", type=int, default=50)
    p.add_argument("--messages", type=int, default=10)
    p.add_argument("--mode", choices=("paced", "saturating"), default="paced")
    p.add_argument("--think", type=float, default=5.0, help="paced: mean pause after each answer (s)")
    p.add_argument("--jitter", type=float, default=1.0)
    p.add_argument("--ramp", type=float, default=15.0, help="paced: spread of conversation starts (s)")
    p.add_argument("--timeout", type=float, default=90.0, help="per request (s)")
    p.add_argument("--max-duration", type=float, default=300.0, help="hard bound on the whole run (s)")
    p.add_argument("--database-url", help="PostgreSQL URL of the tracker store, to verify the stored events")
    p.add_argument("--json", type=Path, help="write the report here")
    p.add_argument("--records", action="store_true", help="include every message in the JSON")
    args = p.parse_args(argv)
    cfg = LoadConfig(
        url=args.url, conversations=args.conversations, messages=args.messages, mode=args.mode,
        think_mean=args.think, think_jitter=args.jitter, ramp=args.ramp, request_timeout=args.timeout,
        max_duration=args.max_duration,
    )
    report = run_load(cfg)
    verification = verify_events(args.database_url, report) if args.database_url else None
    summary = report.summary()
    print_summary(summary, verification)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report_json(report, verification, args.records), indent=2, ensure_ascii=False))
    ok = summary["messages_lost"] == 0 and (verification is None or verification["conversations_exact"]
                                            == verification["conversations"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
