"""The action server (rasa-sdk's, with our actions), reachable only by the Rasa servers.

`python -m bot.action_server --port 5055` replaces `rasa run actions`: same app, plus a shared token
that every request must carry (the `X-Action-Token` header that endpoints.yml makes Rasa send), no
CORS (no browser ever calls it), and a loopback address unless ACTIONS_HOST says otherwise (a
Kubernetes pod listens on its own address, behind a NetworkPolicy).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import action_server_token, actions_host, is_production

logger = logging.getLogger(__name__)

HEADER = "X-Action-Token"
OPEN_PATHS = frozenset({"/health"})  # the probes of Kubernetes and of the run scripts


def token_ok(presented: str | None, expected: str | None) -> bool:
    """True when the request may be served: the token matches, or none is configured (development)."""
    if not expected:
        return True
    return presented is not None and hmac.compare_digest(presented.encode("utf-8", "replace"), expected.encode("utf-8"))


def create_app(token: str | None, actions_package: str = "actions") -> Sanic:
    from rasa_sdk.endpoint import create_app as create_sdk_app

    app = create_sdk_app(actions_package, cors_origins=None)

    @app.on_request
    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or token_ok(request.headers.get(HEADER), token):
            return None
        logger.warning("action server: request without a valid %s refused (%s)", HEADER, request.ip)
        return response.json({"error": "jeton du serveur d'actions absent ou invalide"}, status=401)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server", description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--port", type=int, default=5055)
    parser.add_argument("--host", default=actions_host())
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    token = action_server_token()
    if not token:
        if is_production():
            print("ACTION_SERVER_TOKEN manque : en production le serveur d'actions n'accepte que les serveurs "
                  "Rasa qui le présentent (voir README).", file=sys.stderr)
            return 2
        logger.warning("ACTION_SERVER_TOKEN not set: the action server answers any local caller (development)")
    app = create_app(token, args.actions)
    logger.info("action server on http://%s:%d", args.host, args.port)
    app.run(host=args.host, port=args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
