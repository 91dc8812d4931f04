"""Starts a set of processes, waits until they answer, stops them; restarts or propagates a crash.

Each process runs in its own process group (its own session), so that stopping it also stops what it
started (nginx's workers, a build script) and a Ctrl-C in the terminal reaches the supervisor only,
which then stops everything in order and frees the ports.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bot.processes.catalogue import Process
from bot.settings import PROJECT_ROOT, child_environment

PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None)  # loaded here: the child only calls it between fork and exec


class ProcessExited(RuntimeError):
    """A supervised process ended by itself."""

    def __init__(self, name: str, returncode: int, log_tail: str) -> None:
        super().__init__(f"{name} exited with {returncode}\n{log_tail}")
        self.name, self.returncode, self.log_tail = name, returncode, log_tail


class Stopped(Exception):
    """A stop was asked for (signal) while waiting."""


def answers(url: str, timeout: float = 2.0) -> bool:
    """True when `url` answers with a status below 500."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (OSError, ValueError):
        return False


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: SIGTERM when the supervisor dies, even by SIGKILL.
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Supervisor:
    log_dir: Path
    env: Mapping[str, str] = field(default_factory=child_environment)
    cwd: Path = PROJECT_ROOT
    # Pid files `<name>.pid`; a file `<name>.hold` suspends the restart of `<name>`.
    run_dir: Path | None = None
    # Only where the thread that starts them lives as long as they do (the command line's main thread).
    die_with_parent: bool = False
    max_restarts: int = 20
    say: Callable[[str], None] = print
    specs: dict[str, Process] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    restarts: Counter[str] = field(default_factory=Counter)
    stopping: bool = False

    # ---------- starting ----------
    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self, spec: Process) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path(spec.name).open("ab") as log:
            proc = subprocess.Popen(
                spec.argv, cwd=self.cwd, env={**self.env, **spec.env}, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent if self.die_with_parent else None,
            )
        self.specs[spec.name], self.procs[spec.name] = spec, proc
        if self.run_dir is not None:
            (self.run_dir / f"{spec.name}.pid").write_text(f"{proc.pid}\n")
        return proc

    def start_all(self, specs: Iterable[Process]) -> None:
        for spec in specs:
            self.start(spec)

    def tail(self, name: str, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path(name).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, names: Iterable[str] | None = None, timeout: float = 300, interval: float = 0.5) -> None:
        """Until every process (or `names`) answers its readiness URL; raises if one exits meanwhile."""
        pending = [n for n in (names or self.procs) if self.specs[n].ready_url]
        deadline = time.monotonic() + timeout
        while pending:
            for name in list(pending):
                self._check_alive(name)
                if answers(str(self.specs[name].ready_url)):
                    pending.remove(name)
            if not pending:
                return
            if self.stopping:
                raise Stopped
            if time.monotonic() > deadline:
                raise TimeoutError(f"{', '.join(pending)}: no answer within {timeout:.0f} s")
            time.sleep(interval)

    def _check_alive(self, name: str) -> None:
        code = self.procs[name].poll()
        if code is not None:
            raise ProcessExited(name, code, self.tail(name))

    # ---------- running ----------
    def held(self, name: str) -> bool:
        return self.run_dir is not None and (self.run_dir / f"{name}.hold").exists()

    def supervise(self, restart: bool, interval: float = 1.0) -> int:
        """Until a stop is asked (returns 0) or, without `restart`, a process exits (returns its code, or 1)."""
        reported: set[str] = set()
        while not self.stopping:
            for name, proc in list(self.procs.items()):
                code = proc.poll()
                if code is None:
                    continue
                if not restart:
                    self.say(f"{name} s'est arrêté (code {code}).")
                    return code or 1
                if self.held(name) or self.restarts[name] >= self.max_restarts:
                    if name not in reported:  # said once; restarted when its hold file goes
                        verdict = "arrêté (non redémarré)" if self.held(name) else "s'arrête sans cesse : abandon"
                        self.say(f"{time.strftime('%T')} {name} {verdict} (voir {self.log_path(name)}).")
                        self._forget(name)
                        reported.add(name)
                    continue
                reported.discard(name)
                self.restarts[name] += 1
                self.say(f"{time.strftime('%T')} {name} s'est arrêté : redémarrage (voir {self.log_path(name)}).")
                self._kill_group(proc, signal.SIGKILL)  # what it left behind, before its port is taken again
                self.start(self.specs[name])
            time.sleep(interval)
        return 0

    # ---------- stopping ----------
    def request_stop(self, *_: object) -> None:
        """Signal handler: the loops above notice it within a second."""
        self.stopping = True

    @staticmethod
    def _kill_group(proc: subprocess.Popen, sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def _forget(self, name: str) -> None:
        if self.run_dir is not None:
            (self.run_dir / f"{name}.pid").unlink(missing_ok=True)

    def stop(self, names: Iterable[str] | None = None, grace: float = 20) -> None:
        """SIGTERM to each process group, SIGKILL after `grace` seconds; no process of theirs is left."""
        chosen = [n for n in (names if names is not None else list(self.procs)) if n in self.procs]
        for name in chosen:
            self._kill_group(self.procs[name], signal.SIGTERM)
        deadline = time.monotonic() + grace
        for name in chosen:
            try:
                self.procs[name].wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for name in chosen:
            proc = self.procs.pop(name)
            # The leader may be gone while a child of its group still holds the port.
            self._kill_group(proc, signal.SIGKILL)
            if proc.poll() is None:
                proc.wait()
            self._forget(name)
