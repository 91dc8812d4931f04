"""The nginx configuration of `make prod-local`: deploy/nginx.conf.template filled from the process list."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.processes.catalogue import Process
from bot.settings import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf.template"
# {{name}}: nginx's own variables are $name, and it never writes two braces in a row.
FIELD = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Limits:
    """Per client address: requests per second sustained, at once (page load, socket.io handshake,
    reconnection), and open connections (tabs, WebSockets). Over them: 429."""

    rate: int = 10
    burst: int = 40
    connections: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        return cls(int(env.get("PROD_RATE_LIMIT") or cls.rate), int(env.get("PROD_RATE_BURST") or cls.burst),
                   int(env.get("PROD_CONN_LIMIT") or cls.connections))


def fill(template: str, values: Mapping[str, object]) -> str:
    """Every {{field}} replaced; a field without a value, or a value without a field, is an error."""
    used = set(FIELD.findall(template))
    missing, unused = used - set(values), set(values) - used
    if missing or unused:
        raise KeyError(f"template fields without value {sorted(missing)}, values without field {sorted(unused)}")
    return FIELD.sub(lambda m: str(values[m.group(1)]), template)


def _servers(processes: Sequence[Process], options: str) -> str:
    return "\n".join(f"        server 127.0.0.1:{p.port} {options};" for p in processes)


def render(prod_dir: Path, listen: str, port: int, actions_lb_port: int, rasa: Sequence[Process],
           actions: Sequence[Process], limits: Limits = Limits(), template: Path = TEMPLATE) -> str:
    """nginx.conf for the Rasa servers `rasa` behind listen:port and the action servers behind actions_lb_port."""
    return fill(template.read_text(encoding="utf-8"), {
        "prod_dir": prod_dir, "listen": listen, "port": port, "actions_lb_port": actions_lb_port,
        "rate_limit": limits.rate, "rate_burst": limits.burst, "conn_limit": limits.connections,
        "rasa_servers": _servers(rasa, "max_fails=1 fail_timeout=5s"),
        "action_servers": _servers(actions, "max_fails=0"),
    })
