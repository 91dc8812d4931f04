"""The per-address limits of the production nginx (deploy/nginx.conf.template, issue 14 hole 5), with a real nginx
in front of a stub upstream: no Rasa server needed. Runs wherever nginx is installed (`make nginx`)."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
import requests

from bot.processes import catalogue
from bot.processes.nginx import Limits, render

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stub(BaseHTTPRequestHandler):
    """Answers 200 at once, or after a second on /slow (a long-poll, a WebSocket)."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith("/slow") or "slow" in self.path:
            time.sleep(1.0)
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def nginx_conf(tmp: Path, port: int, upstream: int, **limits: str) -> str:
    """The configuration of `make prod-local` with the stub as its only Rasa server."""
    rasa = catalogue.rasa_server(upstream, "model", "endpoints", "credentials", name=f"rasa-{upstream}")
    actions = catalogue.action_server(free_port())
    return render(tmp, "127.0.0.1", port, free_port(), [rasa], [actions], Limits.from_env(limits))


def test_default_limits_are_written_in_the_configuration(tmp_path: Path) -> None:
    conf = nginx_conf(tmp_path, 5005, 5006)
    assert "rate=10r/s" in conf and "burst=40 nodelay" in conf and "limit_conn conn_per_address 20" in conf
    assert "limit_req_status 429" in conf and "client_max_body_size 1m" in conf
    assert re.search(r"listen 127\.0\.0\.1:\d+ backlog=1024;", conf)  # the action servers: loopback only


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (`make nginx` installs it; `make test-prod` does)")
    stub = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    port = free_port()
    for d in ("log", "nginx/tmp"):
        (tmp_path / d).mkdir(parents=True)
    conf = tmp_path / "nginx" / "nginx.conf"
    conf.write_text(nginx_conf(tmp_path, port, stub.server_address[1], PROD_RATE_LIMIT="5", PROD_RATE_BURST="10",
                               PROD_CONN_LIMIT="4"))
    front = catalogue.nginx(NGINX, conf, tmp_path / "nginx", "127.0.0.1", port)
    subprocess.run(catalogue.nginx_check(front), check=True, capture_output=True)
    proc = subprocess.Popen(front.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/", timeout=1)
            break
        except requests.RequestException:
            time.sleep(0.1)
    time.sleep(1.2)  # let the bucket refill after the readiness probes
    yield url, proc
    proc.terminate()
    proc.wait(10)
    stub.shutdown()


def test_a_flood_from_one_address_gets_429_and_service_resumes(nginx) -> None:
    url, _ = nginx
    statuses = [requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "x", "message": "y"}, timeout=5)
                .status_code for _ in range(40)]
    assert statuses[:10].count(200) >= 9, statuses  # the burst passes
    assert statuses.count(429) >= 20, statuses
    assert set(statuses) <= {200, 429}
    socketio = [requests.get(f"{url}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=5).status_code
                for _ in range(10)]
    assert 429 in socketio  # the same bucket for the widget's channel
    time.sleep(1.0)
    assert requests.post(f"{url}/webhooks/rest/webhook", json={}, timeout=5).status_code == 200


def test_too_many_open_connections_from_one_address_get_429(nginx) -> None:
    url, _ = nginx
    time.sleep(2.5)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda i: requests.get(f"{url}/socket.io/slow{i}", timeout=10).status_code, range(8)))
    assert statuses.count(200) >= 4 and 429 in statuses, statuses
