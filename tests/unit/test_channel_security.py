"""Pure parts of the channels' security (issue 14): Twilio's signature, conversation tokens, rate limits,
the action server's token check."""

from __future__ import annotations

import pytest

from bot.action_server import token_ok
from bot.core import conversation_ids as ids
from bot.core.rate_limit import RateLimiter
from bot.core.twilio_signature import refusal, twilio_signature, valid_twilio_signature

# Twilio's documented example (https://www.twilio.com/docs/usage/security#validating-requests).
DOC_TOKEN = "12345"
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
              "From": "+14158675309", "To": "+18005551212"}
DOC_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


# ---------- Twilio ----------

def test_twilios_documented_example() -> None:
    assert twilio_signature(DOC_TOKEN, DOC_URL, DOC_PARAMS) == DOC_SIGNATURE
    shuffled = dict(reversed(list(DOC_PARAMS.items())))
    assert valid_twilio_signature(DOC_TOKEN, DOC_URL, shuffled, DOC_SIGNATURE)


def test_same_result_as_twilios_own_library() -> None:
    from twilio.request_validator import RequestValidator

    params = {**DOC_PARAMS, "SpeechResult": "j'ai très mal au dos, est-ce normal ?", "Empty": ""}
    url = "https://assistant.example.fr/webhooks/twilio_voice/webhook"
    assert twilio_signature("tok", url, params) == RequestValidator("tok").compute_signature(url, params)
    from werkzeug.datastructures import MultiDict

    repeated = MultiDict([("Digits", "5678"), ("Sid", "CA123"), ("Digits", "1234"), ("Digits", "1234")])
    as_lists = {name: repeated.getlist(name) for name in repeated}  # what the channel passes (Sanic's form)
    assert twilio_signature("tok", url, as_lists) == RequestValidator("tok").compute_signature(url, repeated)


@pytest.mark.parametrize(
    "token,url,params,signature",
    [
        ("54321", DOC_URL, DOC_PARAMS, DOC_SIGNATURE),  # another account
        (DOC_TOKEN, DOC_URL + "&baz=3", DOC_PARAMS, DOC_SIGNATURE),  # another URL
        (DOC_TOKEN, DOC_URL.replace("https", "http"), DOC_PARAMS, DOC_SIGNATURE),
        (DOC_TOKEN, DOC_URL, {**DOC_PARAMS, "From": "+33612345678"}, DOC_SIGNATURE),  # a changed parameter
        (DOC_TOKEN, DOC_URL, {**DOC_PARAMS, "SpeechResult": "x"}, DOC_SIGNATURE),  # an added one
        (DOC_TOKEN, DOC_URL, DOC_PARAMS, DOC_SIGNATURE.lower()),
        (DOC_TOKEN, DOC_URL, DOC_PARAMS, ""),
        (DOC_TOKEN, DOC_URL, DOC_PARAMS, None),
        (DOC_TOKEN, DOC_URL, DOC_PARAMS, "é" * 28),
    ],
)
def test_any_change_breaks_the_signature(token: str, url: str, params: dict, signature: str | None) -> None:
    assert not valid_twilio_signature(token, url, params, signature)


def test_when_a_phone_request_is_refused() -> None:
    assert refusal(DOC_TOKEN, True, DOC_URL, DOC_PARAMS, DOC_SIGNATURE) is None
    assert refusal(DOC_TOKEN, False, DOC_URL, DOC_PARAMS, DOC_SIGNATURE) is None
    assert "missing" in str(refusal(DOC_TOKEN, True, DOC_URL, DOC_PARAMS, None))
    assert "invalid" in str(refusal(DOC_TOKEN, False, DOC_URL, DOC_PARAMS, "AAAA"))  # development checks too
    # No auth token: development accepts unsigned requests, production refuses everything.
    assert refusal(None, False, DOC_URL, DOC_PARAMS, None) is None
    assert refusal(None, True, DOC_URL, DOC_PARAMS, DOC_SIGNATURE) is not None
    assert refusal(None, True, DOC_URL, DOC_PARAMS, None) is not None


# ---------- conversation ids ----------

KEY = "clé-de-test"


def test_tokens_name_their_conversation_only_under_our_key_and_channel() -> None:
    conversation = ids.new_conversation_id(ids.WEB)
    assert conversation.startswith("web-") and len(conversation) == 36
    token = ids.sign(conversation, KEY)
    assert ids.verify(token, KEY, ids.WEB) == conversation
    assert ids.verify(token, "autre-clé", ids.WEB) is None
    assert ids.verify(token, KEY, ids.REST) is None
    assert ids.verify(conversation, KEY, ids.WEB) is None  # the bare id, as staff see it
    assert ids.verify(token[:-1], KEY, ids.WEB) is None
    assert ids.verify(token.replace("web-", "rest-"), KEY, ids.REST) is None
    for garbage in (None, 12, "", ".", "web-.x", "x" * 10_000, {"id": conversation}, token + "\x00"):
        assert ids.verify(garbage, KEY, ids.WEB) is None
    assert ids.new_conversation_id(ids.WEB) != ids.new_conversation_id(ids.WEB)
    with pytest.raises(ValueError):
        ids.sign("victim", KEY)


def test_rest_senders() -> None:
    conversation = ids.new_conversation_id(ids.REST)
    token = ids.sign(conversation, KEY)
    for require in (True, False):
        assert ids.rest_conversation_id(token, KEY, require) == conversation
    # Production: nothing else. Development: a bare name stays inside the REST channel.
    assert ids.rest_conversation_id("essai", KEY, True) is None
    assert ids.rest_conversation_id("essai", KEY, False) == "rest-essai"
    web = ids.sign(ids.new_conversation_id(ids.WEB), KEY)
    assert ids.rest_conversation_id(web, KEY, True) is None
    assert ids.rest_conversation_id(web, KEY, False) == f"rest-{web}"
    assert ids.rest_conversation_id("tel-CA" + "0" * 32, KEY, False).startswith("rest-tel-")
    assert ids.rest_conversation_id("x" * 300, KEY, False) is None
    assert ids.rest_sender_for(conversation, KEY) == token
    assert ids.rest_conversation_id(ids.rest_sender_for("rest-essai", None), KEY, False) == "rest-essai"


def test_a_call_is_its_call_sid() -> None:
    sid = "CA" + "0123456789abcdef" * 2
    assert ids.phone_conversation_id(sid) == f"tel-{sid}"
    for bad in (None, "", "+33612345678", "anonymous", "CA123", "SM" + sid[2:], sid + "0", f"{sid}\n"):
        assert ids.phone_conversation_id(bad) is None


def test_the_signing_key() -> None:
    assert ids.signing_key("configurée", True) == "configurée"
    with pytest.raises(RuntimeError, match="CONVERSATION_TOKEN_KEY"):
        ids.signing_key(None, True)
    one, two = ids.signing_key(None, False), ids.signing_key(None, False)
    assert len(one) >= 32 and one != two


# ---------- rate limits ----------

def test_a_burst_then_one_message_per_interval() -> None:
    now = [0.0]
    limiter = RateLimiter(capacity=3, refill_per_second=0.5, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(5)] == [True, True, True, False, False]
    assert limiter.allow("b")  # per key
    now[0] += 1.9
    assert not limiter.allow("a")
    now[0] += 0.2
    assert limiter.allow("a") and not limiter.allow("a")
    now[0] += 1000
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]


def test_the_limiter_keeps_a_bounded_number_of_keys() -> None:
    limiter = RateLimiter(capacity=1, refill_per_second=0.0, clock=lambda: 0.0, max_keys=100)
    for i in range(1000):
        limiter.allow(f"k{i}")
    assert len(limiter._buckets) == 100


# ---------- action server ----------

def test_the_action_server_token() -> None:
    assert token_ok("s3cret", "s3cret")
    for presented in (None, "", "s3cre", "s3cret ", "S3CRET", "é"):
        assert not token_ok(presented, "s3cret")
    assert token_ok(None, None)  # development without a token
