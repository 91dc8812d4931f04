"""`python -m bot.processes dev|prod-local|chat [--list]`: starts a stack, Ctrl-C (or SIGTERM) stops it.

`dev` is `make run`, `prod-local` is `make prod-local`, `chat` is `make chat` (bot/processes/stacks.py);
`--list` prints the processes and their command lines without starting anything.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import subprocess
import sys

from bot.processes.prod_setup import SetupError
from bot.processes.stacks import STACKS, Stack
from bot.processes.supervisor import ProcessExited, Stopped, Supervisor
from bot.settings import child_environment


def say(text: str) -> None:
    print(text, flush=True)


def run(stack: Stack) -> int:
    """Prepares, starts, waits until ready, prints the addresses, supervises; always stops everything."""
    sup = Supervisor(stack.log_dir, env=stack.env, run_dir=stack.run_dir, die_with_parent=True, say=say)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, sup.request_stop)
    try:
        stack.prepare()
        if stack.fresh_logs:
            stack.log_dir.mkdir(parents=True, exist_ok=True)
            for process in stack.processes:
                sup.log_path(process.name).write_bytes(b"")
        if stack.starting:
            say(stack.starting)
        sup.start_all(stack.processes)
        try:
            sup.wait_ready(timeout=stack.ready_timeout)
        except TimeoutError as e:
            say(f"Attention : pas de réponse dans le délai ({e}).")
        if stack.foreground is not None:
            # In the terminal's own process group: the shell reads the keyboard and gets its Ctrl-C. Not
            # SIG_IGN, which the shell would inherit (Python then installs no KeyboardInterrupt).
            signal.signal(signal.SIGINT, lambda *_: None)
            return subprocess.call(stack.foreground.argv, cwd=sup.cwd, env=stack.env)
        say(stack.banner)
        if stack.run_dir is not None:
            (stack.run_dir / "ready").write_text("ready\n")
        code = sup.supervise(restart=stack.restart)
        if code:
            say(f"Un serveur s'est arrêté (voir {stack.log_dir}/).")
        return code
    except SetupError as e:
        print(e, file=sys.stderr)
        return 1
    except ProcessExited as e:
        print(f"{e.name} s'est arrêté au démarrage (code {e.returncode}) :\n{e.log_tail}", file=sys.stderr)
        return 1
    except Stopped:
        return 0
    finally:
        if sup.procs:
            say("\nArrêt des serveurs…")
            sup.stop()
            say("Tout est arrêté.")
        if stack.run_dir is not None:
            (stack.run_dir / "ready").unlink(missing_ok=True)


def describe(stack: Stack) -> str:
    lines = []
    for p in stack.processes + ([stack.foreground] if stack.foreground else []):
        extra = " ".join(f"{k}={v}" for k, v in p.env.items())
        lines.append(f"{p.name:14s} port {p.port or '-':<6} prêt : {p.ready_url or '-'}\n    "
                     f"{extra + ' ' if extra else ''}{shlex.join(p.argv)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.processes", description=__doc__.splitlines()[0])
    parser.add_argument("stack", choices=sorted(STACKS))
    parser.add_argument("--list", action="store_true", help="affiche les processus sans les lancer")
    args = parser.parse_args(argv)
    try:
        stack = STACKS[args.stack](child_environment())
    except SetupError as e:
        print(e, file=sys.stderr)
        return 1
    if args.list:
        print(describe(stack))
        return 0
    return run(stack)


if __name__ == "__main__":
    sys.exit(main())
