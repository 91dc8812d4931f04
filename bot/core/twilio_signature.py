"""Twilio's request signature (`X-Twilio-Signature`), checked on the phone webhook (pure functions).

Twilio signs each webhook request with the account's auth token: HMAC-SHA1 of the full URL it called
followed by every POST parameter, sorted by name, written as name then value with no separator; the
digest is sent base64-encoded. https://www.twilio.com/docs/usage/security#validating-requests
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Mapping, Sequence

Params = Mapping[str, "str | Sequence[str]"]


def _values(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def twilio_signature(auth_token: str, url: str, params: Params) -> str:
    data = url
    for name in sorted(params):
        # A repeated parameter: each value, sorted (as Twilio's own libraries do).
        for value in sorted(set(_values(params[name]))):
            data += name + value
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def valid_twilio_signature(auth_token: str, url: str, params: Params, signature: str | None) -> bool:
    if not signature:
        return False
    expected = twilio_signature(auth_token, url, params)
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace"))


def refusal(auth_token: str | None, production: bool, url: str, params: Params, signature: str | None) -> str | None:
    """Why a phone webhook request must be refused (403), or None when it may be handled.

    Without an auth token, development accepts unsigned requests (a local test needs no Twilio account);
    production refuses every request rather than trust anyone who posts to the URL.
    """
    if not auth_token:
        return "TWILIO_AUTH_TOKEN is not set (required in production)" if production else None
    if not signature:
        return "missing X-Twilio-Signature"
    if not valid_twilio_signature(auth_token, url, params, signature):
        return "invalid X-Twilio-Signature"
    return None
