"""Conversation ids issued by the server and bound to the client (pure functions).

A conversation id names a channel ("web-", "rest-", "tel-") and a random part. The widget and REST
clients hold a *token*: the id plus an HMAC-SHA256 of it under a key only the Rasa servers know. A
client cannot name a conversation it was not given, and staff who read ids in the console cannot
borrow them (the signature is never stored). A phone call's id is Twilio's `CallSid`: the request
carrying it is itself signed by Twilio (bot/core/twilio_signature.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets

logger = logging.getLogger(__name__)

WEB, REST, PHONE = "web", "rest", "tel"
CHANNELS = (WEB, REST, PHONE)
MAX_ID_CHARS = 250  # Rasa's sender_id and our conversation_id columns hold 255
_ID = re.compile(r"(?:web|rest|tel)-[A-Za-z0-9_\-]{1,240}")
_CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")


def new_conversation_id(channel: str) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return f"{channel}-{secrets.token_hex(16)}"


def _signature(conversation_id: str, key: str) -> str:
    digest = hmac.new(key.encode("utf-8"), conversation_id.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign(conversation_id: str, key: str) -> str:
    """The token a client keeps for `conversation_id`: "<id>.<signature>"."""
    if not _ID.fullmatch(conversation_id):
        raise ValueError(f"not a conversation id: {conversation_id!r}")
    return f"{conversation_id}.{_signature(conversation_id, key)}"


def verify(token: object, key: str, channel: str) -> str | None:
    """The conversation id of a genuine token of `channel`, else None (forged, other channel, garbage)."""
    if not isinstance(token, str) or len(token) > MAX_ID_CHARS + 60 or "." not in token:
        return None
    conversation_id, _, signature = token.rpartition(".")
    if not _ID.fullmatch(conversation_id) or not conversation_id.startswith(f"{channel}-"):
        return None
    if not hmac.compare_digest(signature.encode("ascii", "replace"), _signature(conversation_id, key).encode()):
        return None
    return conversation_id


def rest_conversation_id(sender: str, key: str, require_token: bool) -> str | None:
    """The conversation a REST request writes into, or None when it must be refused.

    A signed "rest-" token names its conversation. Without a token (development only), the sender is a
    name inside the REST channel: "rest-" + sender, so it can never reach a widget's or a call's
    conversation whatever it says.
    """
    conversation_id = verify(sender, key, REST)
    if conversation_id is not None:
        return conversation_id
    if require_token or not sender or len(sender) > MAX_ID_CHARS - len(REST) - 1:
        return None
    return f"{REST}-{sender}"


def phone_conversation_id(call_sid: object) -> str | None:
    """"tel-<CallSid>" for a well-formed Twilio call id, else None. Never the caller's number."""
    if not isinstance(call_sid, str) or not _CALL_SID.fullmatch(call_sid):
        return None
    return f"{PHONE}-{call_sid}"


def signing_key(configured: str | None, production: bool) -> str:
    """The configured key; in development a random one for this process (tokens then die with it)."""
    if configured:
        return configured
    if production:
        raise RuntimeError(
            "CONVERSATION_TOKEN_KEY manque : en production, les serveurs Rasa partagent une clé secrète "
            "qui signe les identifiants de conversation (voir README, « Security of the channels »)."
        )
    logger.warning("CONVERSATION_TOKEN_KEY not set: a random key is used by this process (development only)")
    return secrets.token_urlsafe(32)


def rest_sender_for(conversation_id: str, key: str | None) -> str:
    """What a REST client (a test, the load generator) sends to write into `conversation_id`:
    the signed token when it holds the key, else the bare name a development server prefixes itself."""
    if not conversation_id.startswith(f"{REST}-"):
        raise ValueError(f"not a REST conversation id: {conversation_id!r}")
    return sign(conversation_id, key) if key else conversation_id[len(REST) + 1:]
