"""X-Forwarded-For / -Proto believed only when the request comes from a configured proxy (TRUSTED_PROXIES).

Without configured proxies the headers are ignored: a client cannot choose the address that the login
throttle and the audit log see. With proxies, the client is the right-most address of X-Forwarded-For
that is not itself a trusted proxy (the left part of the header is written by the client, so it is
never believed as such).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> list[Network]:
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES : adresse ou réseau invalide : {item!r}") from exc
    return networks


def is_trusted(address: str | None, networks: list[Network]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(remote_addr: str | None, forwarded_for: str | None, networks: list[Network]) -> str | None:
    """The client's address given the socket's peer and the X-Forwarded-For header."""
    if not is_trusted(remote_addr, networks) or not forwarded_for:
        return remote_addr
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop.strip("[]")))
            except ValueError:
                return remote_addr  # garbage where an address should be: keep the proxy's own address
    return hops[0] if hops else remote_addr


class TrustedProxyMiddleware:
    """WSGI middleware applying `client_address` and X-Forwarded-Proto from trusted proxies only."""

    def __init__(self, app: Callable[..., Any], networks: list[Network]) -> None:
        self.app = app
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        peer = environ.get("REMOTE_ADDR")
        if self.networks and is_trusted(peer, self.networks):
            environ["console.proxy_addr"] = peer
            environ["REMOTE_ADDR"] = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), self.networks)
            proto = (environ.get("HTTP_X_FORWARDED_PROTO") or "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)
