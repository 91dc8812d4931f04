import pytest

from bot.rasa_server.channels import MAX_MESSAGE_CHARS, parse_rest_request


def test_a_normal_request_is_accepted() -> None:
    assert parse_rest_request(b'{"sender": "abc", "message": "bonjour"}') == ("abc", "bonjour", None)
    assert parse_rest_request(b'{"sender": 12, "message": ""}') == ("12", "", None)


@pytest.mark.parametrize(
    "body",
    [b"", b"{not json", b"[]", b'"x"', b"\xff\xfe", b'{"sender": "x"}', b'{"message": 12}',
     b'{"sender": {"a": 1}, "message": "x"}', b'{"sender": "", "message": "x"}',
     b'{"sender": "x", "message": "y", "metadata": [1]}', b'{"sender": true, "message": "x"}'],
)
def test_malformed_requests_are_refused_with_a_reason(body: bytes) -> None:
    assert isinstance(parse_rest_request(body), str)


def test_huge_messages_are_cut_and_nul_bytes_removed() -> None:
    sender, text, _ = parse_rest_request(('{"sender": "a", "message": "' + "x" * 50_000 + '\\u0000"}').encode())
    assert len(text) == MAX_MESSAGE_CHARS and "\x00" not in text


def test_the_disclaimer_comes_first_unless_an_emergency_must() -> None:
    from bot.rasa_server.channels import place_disclaimer

    d = {"text": "avertissement"}
    assert place_disclaimer([{"text": "Bonjour !"}], d) == [d, {"text": "Bonjour !"}]
    emergency = [{"text": "🚨 URGENCE"}, {"text": "Pour votre autre question :"}]
    assert place_disclaimer(emergency, d) == [emergency[0], d, emergency[1]]
    assert place_disclaimer([], d) == [d]
