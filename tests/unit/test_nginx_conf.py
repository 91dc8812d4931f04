"""deploy/nginx.conf.template filled from the process list of `make prod-local` (bot/processes/nginx.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.processes import nginx, stacks
from bot.processes.nginx import Limits, fill, render

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def prod_stack(tmp_path: Path) -> stacks.Stack:
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"")
    return stacks.prod_local({"PROD_DIR": str(tmp_path / "prod"), "PROD_PORT": "7005", "RASA_PORTS": "7006 7007 7008",
                              "ACTION_PORTS": "7056 7057", "ACTIONS_LB_PORT": "7055", "MODEL": str(model)})


def rendered(tmp_path: Path, limits: Limits | None = None) -> tuple[str, stacks.Stack]:
    stack = prod_stack(tmp_path)
    rasa = [p for p in stack.processes if p.name.startswith("rasa-")]
    actions = [p for p in stack.processes if p.name.startswith("actions-")]
    return render(tmp_path / "prod", "127.0.0.1", 7005, 7055, rasa, actions, limits or Limits()), stack


def upstream(conf: str, name: str) -> list[int]:
    block = re.search(rf"upstream {name} \{{(.*?)\}}", conf, re.S)
    assert block, name
    return [int(p) for p in re.findall(r"server 127\.0\.0\.1:(\d+)", block.group(1))]


def test_the_upstreams_are_the_processes_of_the_list(tmp_path: Path) -> None:
    conf, stack = rendered(tmp_path)
    ports = {p.name: p.port for p in stack.processes}
    rasa = [ports[n] for n in ports if n.startswith("rasa-")]
    actions = [ports[n] for n in ports if n.startswith("actions-")]
    assert upstream(conf, "rasa") == rasa == [7006, 7007, 7008]
    assert upstream(conf, "rasa_sticky") == rasa
    assert upstream(conf, "actions") == actions == [7056, 7057]
    assert "listen 127.0.0.1:7005 backlog=4096;" in conf and ports["nginx"] == 7005
    assert "listen 127.0.0.1:7055 backlog=1024;" in conf  # the action servers: loopback only
    assert re.findall(r"server 127\.0\.0\.1:7056 ([^;]*);", conf) == ["max_fails=0"]  # never set aside
    assert f"pid {tmp_path / 'prod'}/nginx/nginx.pid;" in conf
    assert "{{" not in conf and "$remote_addr" in conf  # every field filled, nginx's own variables kept


def test_default_limits_are_written_in_the_configuration(tmp_path: Path) -> None:
    conf, _ = rendered(tmp_path)
    assert "rate=10r/s" in conf and "burst=40 nodelay" in conf and "limit_conn conn_per_address 20" in conf
    assert "limit_req_status 429" in conf and "client_max_body_size 1m" in conf
    env = {"PROD_RATE_LIMIT": "5", "PROD_RATE_BURST": "7", "PROD_CONN_LIMIT": "3"}
    conf, _ = rendered(tmp_path, Limits.from_env(env))
    assert "rate=5r/s" in conf and "burst=7 nodelay" in conf and "limit_conn conn_per_address 3" in conf


def test_a_field_without_value_or_a_value_without_field_is_an_error() -> None:
    assert fill("listen {{port}};", {"port": 1}) == "listen 1;"
    with pytest.raises(KeyError, match="port"):
        fill("listen {{port}};", {})
    with pytest.raises(KeyError, match="extra"):
        fill("listen {{port}};", {"port": 1, "extra": 2})
    assert nginx.TEMPLATE.exists()


def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (`make nginx` installs it)")
    conf, stack = rendered(tmp_path)
    for d in ("prod/log", "prod/nginx/tmp"):
        (tmp_path / d).mkdir(parents=True)
    path = tmp_path / "prod" / "nginx" / "nginx.conf"
    path.write_text(conf)
    front = next(p for p in stack.processes if p.name == "nginx")
    check = subprocess.run([NGINX, "-t", "-q", *front.argv[1:]], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
