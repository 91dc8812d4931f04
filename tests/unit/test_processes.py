"""The process list (bot/processes): its command lines, its stacks, and the supervisor on tiny real
processes (an HTTP server of the standard library), without Rasa."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from bot.processes import catalogue, stacks
from bot.processes.catalogue import PYTHON, Process, free_port
from bot.processes.supervisor import ProcessExited, Supervisor, answers

ROOT = Path(__file__).resolve().parents[2]


def http_server(port: int, name: str = "web", delay: float = 0.0) -> Process:
    """A real server answering on `port` after `delay` seconds, which also starts a child (a grandchild
    of the supervisor) that must not outlive it."""
    code = textwrap.dedent(f"""
        import subprocess, sys, time
        from http.server import HTTPServer, SimpleHTTPRequestHandler
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        print("child", child.pid, flush=True)
        time.sleep({delay})
        HTTPServer(("127.0.0.1", {port}), SimpleHTTPRequestHandler).serve_forever()
    """)
    return Process(name, (PYTHON, "-c", code), port, f"http://127.0.0.1:{port}/")


def exits(code: int, after: float = 0.0, name: str = "crash", once_up: int | None = None) -> Process:
    """Exits with `code` `after` seconds (counted from when port `once_up` answers, if given)."""
    wait = f"import socket\nwhile socket.socket().connect_ex(('127.0.0.1', {once_up})): time.sleep(0.1)\n"
    code_text = f"import sys, time\n{wait if once_up else ''}time.sleep({after}); print('bye'); sys.exit({code})"
    return Process(name, (PYTHON, "-c", code_text))


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def child_pid(log: Path, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines() if log.exists() else []:
            if line.startswith("child "):
                return int(line.split()[1])
        time.sleep(0.1)
    raise AssertionError(f"no child in {log}")


# ---------- the list ----------
def test_each_process_is_declared_with_its_command_port_and_readiness(tmp_path: Path) -> None:
    rasa = catalogue.rasa_server(5006, "m.tar.gz", "e.yml", "c.yml", host="127.0.0.1", cors=["http://a"], name="r")
    assert rasa.argv == (PYTHON, "-m", "bot.serve", "run", "-m", "m.tar.gz", "-p", "5006", "-i", "127.0.0.1",
                         "--endpoints", "e.yml", "--credentials", "c.yml", "--cors", "http://a")
    assert (rasa.name, rasa.port, rasa.ready_url) == ("r", 5006, "http://127.0.0.1:5006/")
    assert catalogue.rasa_server(1, "m", "e", "c", launcher="rasa").argv[:2] == (catalogue.RASA_CLI, "run")
    actions = catalogue.action_server(5056, host="127.0.0.1")
    assert actions.argv == (PYTHON, "-m", "bot.action_server", "-p", "5056")
    assert actions.env == {"ACTIONS_HOST": "127.0.0.1"} and actions.ready_url == "http://127.0.0.1:5056/health"
    assert catalogue.action_server(9, launcher="bot.serve").argv[3:6] == ("run", "actions", "--actions")
    console = catalogue.console(8081, insecure_cookies=True)
    assert console.argv[2:] == ("bot", "console", "--port", "8081")
    assert console.env == {"CONSOLE_INSECURE_COOKIES": "1"} and console.ready_url.endswith(":8081/login")
    assert catalogue.site(8080).argv[-4:] == ("bot", "site", "--port", "8080")
    assert catalogue.purge([tmp_path]).argv[2:] == ("bot", "retention", "--daily", "--log-dir", str(tmp_path))
    front = catalogue.nginx("/x/nginx", tmp_path / "n.conf", tmp_path, "0.0.0.0", 5005)
    assert catalogue.nginx_check(front) == ("/x/nginx", "-t", "-q", *front.argv[1:])
    assert front.ready_url == "http://127.0.0.1:5005/"


def test_make_run_starts_the_four_servers_and_the_daily_purge() -> None:
    env = {"RASA_PORT": "6005", "ACTIONS_PORT": "6055", "SITE_PORT": "6080", "CONSOLE_PORT": "6081"}
    stack = stacks.dev(env)
    by_name = {p.name: p for p in stack.processes}
    assert list(by_name) == ["actions", "rasa", "site", "console", "purge"]
    assert [by_name[n].port for n in ("actions", "rasa", "site", "console")] == [6055, 6005, 6080, 6081]
    assert by_name["rasa"].argv[-3:] == ("--cors", "http://localhost:6080", "http://127.0.0.1:6080")
    assert "retention --daily" in " ".join(by_name["purge"].argv)  # the purge is started by `make run`
    assert stack.env["ACTION_SERVER_TOKEN"]  # generated when not given: endpoints.yml needs it
    assert not stack.restart and stack.log_dir == ROOT / "var" / "log"
    for port in (6005, 6055, 6080, 6081):
        assert f":{port}/" in stack.banner


def test_make_prod_local_declares_its_servers_behind_nginx(tmp_path: Path) -> None:
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"")
    env = {"PROD_DIR": str(tmp_path / "prod"), "PROD_PORT": "7005", "RASA_PORTS": "7006 7007",
           "ACTION_PORTS": "7056 7057", "ACTIONS_LB_PORT": "7055", "MODEL": str(model), "DB_USER": "u",
           "ACTION_ENDPOINT_URL": ""}
    stack = stacks.prod_local(env)
    names = [p.name for p in stack.processes]
    assert names == ["actions-7056", "actions-7057", "rasa-7006", "rasa-7007", "nginx", "purge", "site", "console"]
    rasa = stack.processes[2]
    assert ("-i", "127.0.0.1") == rasa.argv[8:10] and str(model) in rasa.argv
    assert str(ROOT / "deploy" / "endpoints.prod.yml") in rasa.argv
    purge = " ".join(stack.processes[5].argv)
    assert "retention --daily" in purge and f"--log-dir {tmp_path / 'prod' / 'log'}" in purge
    assert stack.restart and stack.run_dir == tmp_path / "prod" / "run"
    assert stack.env["ASSISTANT_ENV"] == "production" and stack.env["CONVERSATION_TOKEN_KEY"]
    assert stack.env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:7055/webhook"
    assert stack.env["DATABASE_URL"] == "postgresql://u@127.0.0.1:5432/assistant_prod"
    assert stack.env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1" and stack.env["TICKET_LOCK_LIFETIME"] == "30"
    quiet = stacks.prod_local({**env, "PROD_WEB": "0", "PROD_PURGE": "0", "PROD_SUPERVISE": "0"})
    assert [p.name for p in quiet.processes][-1] == "nginx" and not quiet.restart


def test_the_scripts_only_call_the_process_list() -> None:
    for script, stack in (("run.sh", "dev"), ("prod-local.sh", "prod-local"), ("chat.sh", "chat")):
        text = (ROOT / "scripts" / script).read_text()
        assert f"python -m bot.processes {stack}" in text
        for command in ("bot.serve", "bot.action_server", "rasa run", "bot console", "bot site", "nginx -"):
            assert command not in text, (script, command)


# ---------- the supervisor ----------
def test_start_waits_until_ready_then_stop_frees_the_port_and_kills_the_group(tmp_path: Path) -> None:
    port = free_port()
    sup = Supervisor(tmp_path, run_dir=tmp_path)
    proc = sup.start(http_server(port, delay=1.0))
    assert (tmp_path / "web.pid").read_text().strip() == str(proc.pid)
    assert not answers(f"http://127.0.0.1:{port}/")
    sup.wait_ready(timeout=30)
    assert answers(f"http://127.0.0.1:{port}/")
    grandchild = child_pid(sup.log_path("web"))
    sup.stop(grace=5)
    assert port_free(port) and not alive(proc.pid) and not alive(grandchild)
    assert not (tmp_path / "web.pid").exists() and not sup.procs


def test_a_process_that_exits_while_starting_is_reported_with_its_log(tmp_path: Path) -> None:
    sup = Supervisor(tmp_path)
    sup.start(Process("broken", (PYTHON, "-c", "print('mauvais réglage'); raise SystemExit(2)"), 1, "http://127.0.0.1:1/"))
    with pytest.raises(ProcessExited) as caught:
        sup.wait_ready(timeout=30)
    assert caught.value.returncode == 2 and "mauvais réglage" in caught.value.log_tail
    sup.stop()


def test_ready_times_out(tmp_path: Path) -> None:
    sup = Supervisor(tmp_path)
    sup.start(Process("mute", (PYTHON, "-c", "import time; time.sleep(60)"), 1, f"http://127.0.0.1:{free_port()}/"))
    with pytest.raises(TimeoutError, match="mute"):
        sup.wait_ready(timeout=1, interval=0.1)
    sup.stop(grace=5)


def test_without_restart_a_crash_stops_the_supervision_with_its_code(tmp_path: Path) -> None:
    port = free_port()
    sup = Supervisor(tmp_path, say=lambda _: None)
    sup.start_all([http_server(port), exits(3, once_up=port)])
    assert sup.supervise(restart=False, interval=0.1) == 3
    sup.stop(grace=5)
    assert port_free(port)


def test_with_restart_a_dead_process_comes_back_unless_held(tmp_path: Path) -> None:
    said: list[str] = []
    sup = Supervisor(tmp_path, run_dir=tmp_path, say=said.append, max_restarts=3)
    sup.start(exits(0, name="flaky"))
    first = sup.procs["flaky"].pid
    (tmp_path / "flaky.hold").write_text("")
    sup.procs["flaky"].wait(30)
    sup.stopping = False

    def supervise_for(seconds: float) -> None:
        def stop(*_: object) -> None:
            sup.stopping = True
        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            assert sup.supervise(restart=True, interval=0.1) == 0
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        sup.stopping = False

    supervise_for(1.0)
    assert sup.procs["flaky"].pid == first and not (tmp_path / "flaky.pid").exists()
    assert sum("non redémarré" in s for s in said) == 1  # said once
    (tmp_path / "flaky.hold").unlink()
    supervise_for(8.0)
    assert sup.restarts["flaky"] == 3 and sup.procs["flaky"].pid != first
    assert any("abandon" in s for s in said)
    sup.stop()


# ---------- the command line: signals and crashes, as `make run` sees them ----------
RUNNER = """
import sys
from pathlib import Path
from bot.processes.__main__ import run
from bot.processes.catalogue import PYTHON, Process
from bot.processes.stacks import Stack
sys.path.insert(0, {tests!r})
from test_processes import exits, http_server
processes = [http_server({port})] + ([exits(4, after=2, once_up={port})] if {crash} else [])
stack = Stack(processes, dict(__import__("os").environ), Path({log!r}), starting="Démarrage…", banner="PRÊT {port}")
sys.exit(run(stack))
"""


def start_cli(tmp_path: Path, port: int, crash: bool = False) -> subprocess.Popen:
    code = RUNNER.format(tests=str(Path(__file__).parent), port=port, crash=crash, log=str(tmp_path))
    return subprocess.Popen([PYTHON, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_line(proc: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen += line
        if marker in line or not line:
            break
    assert marker in seen, seen
    return seen


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_everything_and_frees_the_ports(tmp_path: Path, sig: int) -> None:
    port = free_port()
    cli = start_cli(tmp_path, port)
    wait_line(cli, f"PRÊT {port}")
    assert answers(f"http://127.0.0.1:{port}/")
    grandchild = child_pid(tmp_path / "web.log")
    os.killpg(cli.pid, sig)  # what the terminal does on Ctrl-C: the whole foreground group
    out, _ = cli.communicate(timeout=30)
    assert cli.returncode == 0 and "Tout est arrêté." in out
    assert port_free(port) and not alive(grandchild)


def test_a_crash_stops_the_others_and_is_propagated(tmp_path: Path) -> None:
    port = free_port()
    cli = start_cli(tmp_path, port, crash=True)
    out, _ = cli.communicate(timeout=60)
    assert cli.returncode == 4, out
    assert "crash s'est arrêté (code 4)" in out and "Un serveur s'est arrêté" in out and "Tout est arrêté." in out
    assert port_free(port)


def test_no_orphan_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    port = free_port()
    cli = start_cli(tmp_path, port)
    wait_line(cli, f"PRÊT {port}")
    grandchild = child_pid(tmp_path / "web.log")
    cli.kill()  # SIGKILL: no clean-up code runs; the servers get SIGTERM from the kernel (PDEATHSIG)
    cli.wait(10)
    deadline = time.monotonic() + 10
    while not port_free(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert port_free(port)
    # The kernel signals the direct children only: their own children are theirs to stop (nginx's master
    # stops its workers); this test's sleeping grandchild does not, so it is cleaned up here.
    os.kill(grandchild, signal.SIGKILL)
