"""The production stack answers through nginx, shares the load between both Rasa servers, keeps a
socket.io client on one server, and carries 50 paced conversations and a saturating load without
losing or mixing anything."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections import Counter, defaultdict

import requests
from prod_helpers import assert_nothing_lost, new_id, run_checked_load

from bench.load import LoadConfig
from bench.prod_stack import ProdStack


def upstreams_in_access_log(stack: ProdStack, marker: str) -> list[tuple[str, str]]:
    """(request line, upstream address) of the logged requests containing `marker`."""
    time.sleep(2.5)  # the access log is flushed every 2 s
    rows = []
    for line in (stack.log_dir / "nginx-access.log").read_text(errors="replace").splitlines():
        if marker in line:
            m = re.search(r'"([^"]*)" \d+ [\d.]+ s -> (\S+) ', line)
            if m:
                rows.append((m.group(1), m.group(2)))
    return rows


def test_both_rasa_servers_answer_through_nginx(prod_stack: ProdStack) -> None:
    for port in prod_stack.rasa_ports:
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        replies = prod_stack.say(new_id(), "bonjour", url=url)
        assert replies and all(r.get("text") or r.get("buttons") for r in replies), replies
    replies = prod_stack.say(new_id(), "Est-ce que je dois venir à jeun ?")
    assert any("jeun" in r.get("text", "") for r in replies), replies


def test_socketio_is_sticky_and_answers_through_nginx(prod_stack: ProdStack) -> None:
    # Each affinity cookie always reaches the same server; different cookies spread over both.
    marker = uuid.uuid4().hex[:8]
    for c in range(16):
        for i in range(3):
            r = requests.get(
                f"{prod_stack.url}/socket.io/", params={"EIO": "4", "transport": "polling", "t": f"{marker}-{c}-{i}"},
                cookies={"rasa_affinity": f"client-{marker}-{c}"}, timeout=10,
            )
            assert r.status_code == 200, r.text
    first = requests.get(f"{prod_stack.url}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=10)
    assert "rasa_affinity=" in first.headers.get("Set-Cookie", "")
    by_cookie: dict[str, set[str]] = defaultdict(set)
    for request_line, upstream in upstreams_in_access_log(prod_stack, marker):
        cookie = re.search(rf"t={marker}-(\d+)-", request_line).group(1)  # type: ignore[union-attr]
        by_cookie[cookie].add(upstream)
    assert len(by_cookie) == 16
    assert all(len(u) == 1 for u in by_cookie.values()), by_cookie
    assert len(set().union(*by_cookie.values())) == 2, "both Rasa servers receive socket.io clients"

    # A socket.io client long-polling through nginx gets its answer (python-engineio's own
    # WebSocket upgrade needs a newer aiohttp than Rasa's: the WebSocket is checked below).
    import socketio

    async def converse_polling() -> dict:
        client = socketio.AsyncClient(reconnection=False)
        session = f"sio-{uuid.uuid4().hex[:10]}"
        confirmed, uttered = asyncio.Event(), asyncio.Event()
        answers: list[dict] = []

        @client.on("session_confirm")
        async def _confirm(_data: object) -> None:
            confirmed.set()

        @client.on("bot_uttered")
        async def _uttered(data: dict) -> None:
            answers.append(data)
            uttered.set()

        await client.connect(prod_stack.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20)
        try:
            await client.emit("session_request", {"session_id": session})
            await asyncio.wait_for(confirmed.wait(), 20)
            await client.emit("user_uttered", {"message": "bonjour", "session_id": session})
            await asyncio.wait_for(uttered.wait(), 60)
            return answers[0]
        finally:
            await client.disconnect()

    assert asyncio.run(converse_polling()).get("text")
    assert asyncio.run(converse_websocket(prod_stack.url)).get("text")


async def converse_websocket(base_url: str) -> dict:
    """Engine.IO 4 / socket.io 5 spoken by hand over a WebSocket upgraded through nginx."""
    import websockets

    url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    session = f"ws-{uuid.uuid4().hex[:10]}"
    async with websockets.connect(url, open_timeout=20) as ws:

        async def event(name: str, timeout: float) -> list:
            deadline = time.monotonic() + timeout
            while True:
                frame = await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                if frame == "2":  # Engine.IO ping
                    await ws.send("3")
                elif isinstance(frame, str) and frame.startswith("42"):
                    payload = json.loads(frame[2:])
                    if payload[0] == name:
                        return payload

        assert str(await asyncio.wait_for(ws.recv(), 20)).startswith("0")  # Engine.IO open
        await ws.send("40")  # socket.io connect
        assert str(await asyncio.wait_for(ws.recv(), 20)).startswith("40")
        await ws.send("42" + json.dumps(["session_request", {"session_id": session}]))
        await event("session_confirm", 20)
        await ws.send("42" + json.dumps(["user_uttered", {"message": "bonjour", "session_id": session}]))
        return (await event("bot_uttered", 60))[1]


def test_paced_load_50_conversations(prod_stack: ProdStack) -> None:
    """50 conversations × 10 messages, a person's pace (≈10 msg/s offered), at least 60 s."""
    cfg = LoadConfig(conversations=50, messages=10, mode="paced", think_mean=5.0, think_jitter=1.0, ramp=15.0,
                     request_timeout=60, max_duration=240, sender_prefix="paced")
    summary, verification, _ = run_checked_load(prod_stack, cfg, "paced-50x10")
    assert summary["duration_s"] >= 60
    assert summary["offered_peak_10s_msg_s"] >= 8, summary
    assert_nothing_lost(summary, verification)
    used = Counter(up for _, up in upstreams_in_access_log(prod_stack, "/webhooks/rest/webhook"))
    print(f"  requêtes par serveur / requests per server : {dict(used)}")
    assert len([u for u in used if u != "-"]) >= 2, used
    print(f"  p95 paced = {summary['latency_ms']['p95']} ms (objectif / goal < 150 ms)")


def test_saturation_finds_the_ceiling(prod_stack: ProdStack) -> None:
    """No pause between messages, growing concurrency: nothing lost, no 5xx; the ceiling is printed."""
    results = []
    for concurrency in (8, 24, 64):
        cfg = LoadConfig(conversations=concurrency, messages=8, mode="saturating", request_timeout=90,
                         max_duration=240, sender_prefix=f"sat{concurrency}")
        summary, verification, _ = run_checked_load(prod_stack, cfg, f"saturation-{concurrency}")
        assert_nothing_lost(summary, verification)
        results.append((concurrency, summary["throughput_msg_s"], summary["latency_ms"]["p95"]))
    ceiling = max(t for _, t, _ in results)
    print("\n  saturation : " + ", ".join(f"{c} clients → {t} msg/s (p95 {p} ms)" for c, t, p in results))
    print(f"  plafond / ceiling ≈ {ceiling} msg/s (objectif / goal ≥ 35)")
    assert ceiling > 0
