"""Fuzzing the HTTP endpoints of the running stack (through nginx) with hypothesis: random and
malformed JSON bodies, random bytes, random strings, paths, methods and headers. No answer may be a
5xx, and no server may crash."""

from __future__ import annotations

import json
import string

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prod_helpers import new_id

from bench.prod_stack import ProdStack

FUZZ = settings(
    max_examples=120, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=200),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=20,
)
texts = st.text(max_size=500)
message_bodies = st.fixed_dictionaries(
    {"sender": st.one_of(texts, json_values), "message": st.one_of(texts, json_values)},
    optional={"metadata": json_values, "input_channel": json_values},
)
header_text = st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " éàü", max_size=100)
header_names = st.text(alphabet=string.ascii_letters + string.digits + "-", min_size=1, max_size=30).filter(
    lambda h: h.lower() not in {"content-length", "transfer-encoding", "host", "connection", "expect", "upgrade"}
)
PIDS: dict[str, int | None] = {}


def _remember(stack: ProdStack) -> None:
    if not PIDS:
        PIDS.update({name: stack.pid(name) for name in stack.names()})


def _check(r: requests.Response) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300])


def test_webhook_random_json_messages(prod_stack: ProdStack) -> None:
    _remember(prod_stack)

    @FUZZ
    @given(body=message_bodies)
    def run(body: dict) -> None:
        _check(requests.post(prod_stack.webhook, json=body, timeout=60))

    run()


def test_webhook_malformed_bodies(prod_stack: ProdStack) -> None:
    _remember(prod_stack)
    content_types = st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "", "*/*"]
    )

    @FUZZ
    @given(
        body=st.one_of(
            st.binary(max_size=2000),
            json_values.map(lambda v: json.dumps(v).encode()),
            st.text(max_size=500).map(str.encode),
            message_bodies.map(lambda b: json.dumps(b).encode()[: max(1, len(json.dumps(b)) // 2)]),
        ),
        content_type=content_types,
    )
    def run(body: bytes, content_type: str) -> None:
        headers = {"Content-Type": content_type} if content_type else {}
        _check(requests.post(prod_stack.webhook, data=body, headers=headers, timeout=60))

    run()


def test_random_paths_methods_and_headers(prod_stack: ProdStack) -> None:
    _remember(prod_stack)
    paths = st.one_of(
        st.sampled_from(["/", "/webhooks/rest/webhook", "/webhooks/rest/", "/socket.io/", "/status", "/version",
                         "/model/parse", "/conversations/x/tracker", "/webhooks/twilio_voice/webhook",
                         "/webhooks/callback/webhook"]),
        st.text(alphabet=string.ascii_letters + string.digits + "/._-~%?=&", max_size=80).map(lambda p: "/" + p),
    )

    @FUZZ
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH"]),
        path=paths,
        headers=st.dictionaries(header_names, header_text, max_size=6),
        body=st.one_of(st.none(), st.binary(max_size=300), message_bodies.map(lambda b: json.dumps(b).encode())),
    )
    def run(method: str, path: str, headers: dict[str, str], body: bytes | None) -> None:
        try:
            r = requests.request(method, prod_stack.url + path, headers=headers, data=body, timeout=60)
        except requests.exceptions.InvalidHeader:
            return  # refused by the client library itself, never sent
        _check(r)

    run()


def test_socketio_polling_garbage(prod_stack: ProdStack) -> None:
    _remember(prod_stack)

    @FUZZ
    @given(
        params=st.dictionaries(st.sampled_from(["EIO", "transport", "sid", "t", "b64", "x"]), st.text(max_size=40)),
        body=st.one_of(st.none(), st.binary(max_size=500), st.text(max_size=300).map(str.encode)),
    )
    def run(params: dict[str, str], body: bytes | None) -> None:
        if body is None:
            r = requests.get(prod_stack.url + "/socket.io/", params=params, timeout=30)
        else:
            r = requests.post(prod_stack.url + "/socket.io/", params=params, data=body, timeout=30)
        _check(r)

    run()


def test_no_server_crashed_and_all_still_answer(prod_stack: ProdStack) -> None:
    assert PIDS, "run with the fuzzing tests above"
    now = {name: prod_stack.pid(name) for name in prod_stack.names()}
    assert now == PIDS, f"a process died or was restarted during fuzzing: {PIDS} → {now}"
    for port in prod_stack.rasa_ports:
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        assert prod_stack.say(new_id("afterfuzz"), "bonjour", url=url)
