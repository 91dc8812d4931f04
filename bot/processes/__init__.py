"""Every server process of the project, declared once, and the supervisor that runs a set of them.

`catalogue.py` says how each process starts (command line, environment, port, readiness URL);
`stacks.py` chooses the set of `make run` (dev), `make prod-local` and `make chat`; `supervisor.py`
starts a set, waits until it answers, stops it (process groups) and restarts or propagates a crash;
`nginx.py` fills `deploy/nginx.conf.template` from the ports of the list. `python -m bot.processes`
is what the scripts run; the tests, the benchmarks and `bot/quality` build their servers from
`catalogue.py` too.
"""
