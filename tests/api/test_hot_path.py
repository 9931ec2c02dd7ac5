"""The optimised incoming_messages endpoint and rate-limit middleware behave as the plain versions did.

The endpoint is a bare ASGI app with fast paths for the common case and fallbacks to the shared helpers
for everything else; these tests walk both sides of each fork, and check the rate-limit headers on every
kind of answer. No timing here: benchmarks/ measures speed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from emulator.app import create_app, create_store
from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from emulator.schemas import validator
from tests.conftest import CHANNEL, EMAIL_CHANNEL, READ_ONLY_TOKEN, TOKEN, make_config, read_message

START = 1_700_000_000.0
MESSAGE = {
    "sender": {"handle": "visitor-7@example.test", "name": "Visitor Seven"},
    "subject": "Order",
    "body": "Where is my order?",
    "metadata": {"thread_ref": "session-7", "headers": {"x-page": "/checkout"}},
}
INCOMING = f"/channels/{CHANNEL}/incoming_messages"
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def error_of(answer, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    document = answer.json()
    validator("error").check(document)
    return document["_error"]


def assert_rate_headers(answer) -> None:
    for name in RATE_HEADERS:
        assert answer.headers[name].isdigit(), (name, answer.headers)


# -- the 202 ----------------------------------------------------------------------------------------


def test_accepted_answer_has_exact_headers_and_body(client):
    answer = client.post(INCOMING, json=MESSAGE)
    assert answer.status_code == 202
    assert answer.headers["content-type"] == "application/json"
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert_rate_headers(answer)
    document = answer.json()
    validator("accepted-message").check(document)
    assert document["status"] == "accepted"


def test_zero_delay_message_is_created_before_the_202_leaves(make_client):
    client = make_client(clock=FrozenClock(START), creation_delay=CreationDelay(0, 0))
    store = client.app.state.store
    uid = client.post(INCOMING, json=MESSAGE).json()["message_uid"]
    # Created on the POST path itself, not by the read that follows.
    assert store.awaiting_creation_count == 0
    message = read_message(client, uid)
    assert message["body"] == "<p>Where is my order?</p>\n"
    assert message["metadata"] == {"thread_ref": "session-7", "headers": {"x-page": "/checkout"}}


def test_zero_delay_with_the_real_clock_is_readable_right_after_each_202(make_client):
    client = make_client(creation_delay=CreationDelay(0, 0))
    for number in range(20):
        uid = client.post(INCOMING, json={**MESSAGE, "body": f"message {number}"}).json()["message_uid"]
        assert read_message(client, uid)["text"] == f"message {number}"


def test_a_delayed_message_still_waits_for_its_time(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, creation_delay=CreationDelay(1, 1))
    uid = client.post(INCOMING, json=MESSAGE).json()["message_uid"]
    assert client.app.state.store.awaiting_creation_count == 1
    error_of(client.get(f"/messages/alt:uid:{uid}"), 404)
    clock.advance(1)
    assert read_message(client, uid)["created_at"] == START + 1


def test_a_post_also_creates_earlier_messages_that_fell_due(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, creation_delay=CreationDelay(1, 1))
    client.post(INCOMING, json=MESSAGE)
    clock.advance(1)
    client.post(INCOMING, json=MESSAGE)
    assert client.app.state.store.awaiting_creation_count == 1


# -- authorisation: fast path and fallbacks ---------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER {TOKEN}", f"Bearer   {TOKEN}  ", f"Bearer {TOKEN}\t"],
)
def test_every_accepted_spelling_of_the_token_is_accepted(client, authorization):
    answer = client.post(INCOMING, json=MESSAGE, headers={"Authorization": authorization})
    assert answer.status_code == 202, answer.text


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("", 401),
        ("Bearer ", 401),
        ("Bearer    ", 401),
        ("Bearer nope", 401),
        (f"Basic {TOKEN}", 401),
        (TOKEN, 401),
        (f"Bearer {READ_ONLY_TOKEN}", 403),
    ],
)
def test_refused_tokens_get_the_usual_answers(client, authorization, status):
    headers = {"Authorization": authorization} if authorization is not None else {}
    if authorization is None:
        client.headers.pop("Authorization")
    answer = client.post(INCOMING, json=MESSAGE, headers=headers)
    error_of(answer, status)
    assert_rate_headers(answer)
    assert client.app.state.store.message_count == 0


def test_the_first_authorization_header_counts():
    app = create_app(make_config(), None)
    headers = [
        (b"authorization", f"Bearer {READ_ONLY_TOKEN}".encode()),
        (b"authorization", f"Bearer {TOKEN}".encode()),
        (b"content-type", b"application/json"),
    ]
    status, _, _ = call(app, headers, [{"type": "http.request", "body": b"{}", "more_body": False}])
    assert status == 403


# -- channel, content type ---------------------------------------------------------------------------


def test_unknown_and_non_custom_channels(client):
    answer = client.post("/channels/cha_nope/incoming_messages", json=MESSAGE)
    assert error_of(answer, 404)["message"] == "Channel cha_nope not found"
    assert_rate_headers(answer)
    answer = client.post(f"/channels/{EMAIL_CHANNEL}/incoming_messages", json=MESSAGE)
    assert "custom channels only" in error_of(answer, 400)["message"]


def test_channel_address_alias_works_and_counts_against_the_channel_burst(make_client):
    client = make_client(clock=FrozenClock(START), burst_limit=True)
    address = client.get(f"/channels/{CHANNEL}").json()["address"]
    paths = [INCOMING, f"/channels/alt:address:{address}/incoming_messages"] * 3
    statuses = [client.post(path, json=MESSAGE).status_code for path in paths]
    assert statuses == [202] * 5 + [429]


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "Application/JSON", " application/json "]
)
def test_json_content_types_off_the_fast_path(client, content_type):
    answer = client.post(INCOMING, content=_json(MESSAGE), headers={"content-type": content_type})
    assert answer.status_code == 202, answer.text


def test_missing_content_type_is_a_415(client):
    answer = client.post(INCOMING, content=_json(MESSAGE), headers={"content-type": ""})
    assert error_of(answer, 415)["message"].startswith("Content-Type none is not supported")


def test_multipart_still_goes_through_the_form_reader(client):
    answer = client.post(
        INCOMING,
        data={"sender[handle]": "form@example.test", "body": "from a form"},
        files={"attachments[]": ("a.txt", b"hello", "text/plain")},
    )
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert [item["filename"] for item in message["attachments"]] == ["a.txt"]


# -- bodies: one message, several, too big, gone ------------------------------------------------------


def test_a_body_in_several_chunks_is_read_whole(client):
    body = _json(MESSAGE)
    chunks = [body[:10], body[10:50], body[50:]]
    answer = client.post(INCOMING, content=iter(chunks), headers={"content-type": "application/json"})
    assert answer.status_code == 202, answer.text
    assert read_message(client, answer.json()["message_uid"])["subject"] == "Order"


def test_bodies_over_the_limit_are_a_413_announced_or_not(make_client):
    client = make_client(max_json_bytes=100)
    big = _json({**MESSAGE, "body": "x" * 200})
    announced = client.post(INCOMING, content=big, headers={"content-type": "application/json"})
    assert "100 bytes" in error_of(announced, 413)["message"]
    streamed = client.post(INCOMING, content=iter([big]), headers={"content-type": "application/json"})
    error_of(streamed, 413)
    assert client.app.state.store.message_count == 0


def test_a_body_at_the_limit_is_accepted(make_client):
    body = _json(MESSAGE)
    client = make_client(max_json_bytes=len(body))
    answer = client.post(INCOMING, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 202, answer.text


def test_a_client_that_goes_away_gets_a_400_and_creates_nothing():
    app = create_app(make_config(), None)
    headers = [(b"authorization", f"Bearer {TOKEN}".encode()), (b"content-type", b"application/json")]
    for messages in (
        [{"type": "http.disconnect"}],
        [{"type": "http.request", "body": b'{"sender": ', "more_body": True}, {"type": "http.disconnect"}],
    ):
        status, response_headers, body = call(app, headers, messages)
        assert status == 400
        assert b"disconnected" in body
        assert {name for name, _ in response_headers} >= {name.encode() for name in RATE_HEADERS}
    assert app.state.store.message_count == 0


def test_an_empty_body_is_a_400(client):
    answer = client.post(INCOMING, content=b"", headers={"content-type": "application/json"})
    assert "empty" in error_of(answer, 400)["message"]


# -- errors and headers on every kind of answer --------------------------------------------------------


def test_a_bug_on_the_hot_path_is_a_500_in_front_shape(make_client, monkeypatch):
    config = make_config()
    store = create_store(config)
    app = create_app(config, store)

    def broken(*args: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(store, "take_incoming", broken)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    base = "http://emulator.test"
    with TestClient(app, base_url=base, raise_server_exceptions=False, headers=auth) as client:
        answer = client.post(INCOMING, json=MESSAGE)
    assert "RuntimeError" in error_of(answer, 500)["message"]
    assert_rate_headers(answer)
    with TestClient(app, base_url=base, headers=auth) as client:
        # The gate answers the 500 and raises the bug on to the server, as Starlette's layers do.
        with pytest.raises(RuntimeError, match="boom"):
            client.post(INCOMING, json=MESSAGE)
        [first, second] = client.get("/_emulator/requests").json()["_results"]
    assert first["status"] == second["status"] == 500
    assert "RuntimeError" in second["error_message"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/channels/{CHANNEL}/incoming_messages/extra", 404),
        ("/channels//incoming_messages", 404),
        # /channels/{channel_id} takes GET and PATCH.
        ("/channels/incoming_messages", 405),
    ],
)
def test_paths_near_the_hot_route_get_the_routers_answers(client, path, status):
    """The gate takes only the paths Starlette's router gives the hot routes; the rest get its answers."""
    assert error_of(client.post(path, json=MESSAGE), status)["message"].endswith(f" {path}")


def test_a_trailing_slash_is_the_routers_redirect(client):
    answer = client.post(f"{INCOMING}/", json=MESSAGE, follow_redirects=False)
    assert answer.status_code == 307
    assert answer.headers["location"].endswith(INCOMING)
    assert client.get("/_emulator/requests").json()["_results"][-1]["status"] == 307


def test_wrong_method_on_the_hot_route_is_still_a_405(client):
    answer = client.get(INCOMING)
    error_of(answer, 405)
    assert answer.headers["allow"] == "POST"
    assert_rate_headers(answer)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/nowhere"), ("GET", f"/channels/{CHANNEL}"), ("GET", "/channels")]
)
def test_rate_headers_on_other_routes(client, method, path):
    assert_rate_headers(client.request(method, path))


def test_no_rate_headers_on_the_control_plane(client):
    answer = client.get("/_emulator/livez")
    assert answer.status_code == 200
    assert not any(name in answer.headers for name in RATE_HEADERS)


def test_remaining_counts_down_and_limit_and_reset_hold(make_client):
    client = make_client(clock=FrozenClock(START), rate_limit_per_minute=50)
    answers = [client.post(INCOMING, json=MESSAGE) for _ in range(3)]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["49", "48", "47"]
    assert {a.headers["x-ratelimit-limit"] for a in answers} == {"50"}
    assert {a.headers["x-ratelimit-reset"] for a in answers} == {str(int(START) + 60)}


def test_reset_header_moves_with_the_window(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, rate_limit_per_minute=50)
    first = client.get("/channels").headers["x-ratelimit-reset"]
    clock.advance(61)
    second = client.get("/channels").headers["x-ratelimit-reset"]
    assert (int(first), int(second)) == (int(START) + 60, int(START) + 121)


def test_over_the_limit_is_a_429_with_retry_after(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, rate_limit_per_minute=2)
    assert [client.post(INCOMING, json=MESSAGE).status_code for _ in range(2)] == [202, 202]
    clock.advance(10.5)
    answer = client.post(INCOMING, json=MESSAGE)
    error = error_of(answer, 429)
    assert error["message"] == "Rate limit exceeded. Please retry in 49500 milliseconds."
    assert answer.headers["retry-after"] == "50"
    assert answer.headers["x-ratelimit-remaining"] == "0"
    assert answer.headers["x-ratelimit-limit"] == "2"
    assert int(answer.headers["content-length"]) == len(answer.content)
    assert client.app.state.store.message_count == 2


# -- helpers ------------------------------------------------------------------------------------------


def _json(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document)


Sent = tuple[int, list[tuple[bytes, bytes]], bytes]


def call(app: Any, headers: list[tuple[bytes, bytes]], messages: list[dict[str, Any]]) -> Sent:
    """Drive the ASGI app by hand, for what an HTTP client cannot do (disconnect mid-body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": INCOMING,
        "raw_path": INCOMING.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"emulator.test"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("emulator.test", 80),
    }
    incoming = list(messages)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return start["status"], start["headers"], body
