"""Front's rate-limit headers on every API answer, the per-minute budget and the per-channel burst."""

from __future__ import annotations

import math
import re

import pytest

from emulator.domain.clock import FrozenClock
from emulator.schemas import validator
from tests.conftest import CHANNEL, SMS_CHANNEL

START = 1_700_000_000.25
MESSAGE = {"sender": {"handle": "visitor"}, "body": "hi"}
RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


def incoming(channel: str = CHANNEL) -> str:
    return f"/channels/{channel}/incoming_messages"


def rate_headers(answer) -> tuple[int, int, int]:
    return tuple(int(answer.headers[name]) for name in RATE_HEADERS)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", incoming(), {"json": MESSAGE}, 202),
        ("GET", "/channels", {}, 200),
        ("GET", f"/channels/{CHANNEL}", {}, 200),
        ("GET", "/channels/cha_nope", {}, 404),
        ("GET", "/messages/msg_nope", {}, 404),
        ("GET", "/conversations/cnv_nope", {}, 404),
        ("GET", "/no/such/route", {}, 404),
        ("DELETE", "/channels", {}, 405),
        ("POST", incoming(), {"content": b"{", "headers": {"content-type": "application/json"}}, 400),
        ("POST", incoming(), {"content": b"x", "headers": {"content-type": "text/plain"}}, 415),
        ("GET", "/channels", {"headers": {"authorization": "Bearer nope"}}, 401),
        (
            "POST",
            incoming(),
            {"json": MESSAGE, "headers": {"authorization": "Bearer front-emulator-read-only"}},
            403,
        ),
    ],
)
def test_every_api_answer_carries_rate_limit_headers(make_client, method, path, kwargs, status):
    client = make_client(clock=FrozenClock(START))
    answer = client.request(method, path, **kwargs)
    assert answer.status_code == status, answer.text
    limit, remaining, reset = rate_headers(answer)
    assert limit == 10_000
    assert remaining == limit - 1
    assert reset == math.ceil(START + 60)


def test_headers_count_down_without_a_limit_and_never_refuse(make_client):
    client = make_client(clock=FrozenClock(START))
    remaining = [rate_headers(client.get("/channels"))[1] for _ in range(5)]
    assert remaining == [9_999, 9_998, 9_997, 9_996, 9_995]


def test_control_routes_are_not_counted(make_client):
    client = make_client(clock=FrozenClock(START), rate_limit_per_minute=3)
    for _ in range(5):
        assert client.get("/_emulator/readyz").status_code == 200
    assert rate_headers(client.get("/channels"))[1] == 2


def test_fourth_request_over_a_limit_of_three_is_a_429(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, rate_limit_per_minute=3)
    seen = [rate_headers(client.get("/channels")) for _ in range(3)]
    assert seen == [
        (3, 2, math.ceil(START + 60)),
        (3, 1, math.ceil(START + 60)),
        (3, 0, math.ceil(START + 60)),
    ]
    clock.advance(20)
    answer = client.post(incoming(), json=MESSAGE)
    assert answer.status_code == 429
    document = answer.json()
    validator("error").check(document)
    error = document["_error"]
    assert (error["status"], error["title"]) == (429, "Too many requests")
    match = re.fullmatch(r"Rate limit exceeded\. Please retry in (\d+) milliseconds\.", error["message"])
    assert match is not None, error["message"]
    assert int(match.group(1)) == 40_000
    assert answer.headers["retry-after"] == "40"
    assert rate_headers(answer) == (3, 0, math.ceil(START + 60))
    assert client.get("/_emulator/readyz").json()["pending_messages"] == 0


def test_refused_requests_do_not_count(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, rate_limit_per_minute=2)
    for _ in range(2):
        client.get("/channels")
    for _ in range(5):
        assert client.get("/channels").status_code == 429
    clock.advance(60)
    assert [client.get("/channels").status_code for _ in range(3)] == [200, 200, 429]


def test_window_resets_after_sixty_seconds(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, rate_limit_per_minute=3)
    for _ in range(3):
        assert client.get("/channels").status_code == 200
    assert client.get("/channels").status_code == 429
    clock.advance(59.999)
    assert client.get("/channels").status_code == 429
    clock.advance(0.001)
    answer = client.get("/channels")
    assert answer.status_code == 200
    assert rate_headers(answer) == (3, 2, math.ceil(START + 120))


def test_retry_after_rounds_up_to_whole_seconds(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, rate_limit_per_minute=1)
    client.get("/channels")
    clock.advance(59.5)
    answer = client.get("/channels")
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "1"
    assert "retry in 500 milliseconds" in answer.json()["_error"]["message"]


def test_errors_count_against_the_budget(make_client):
    client = make_client(clock=FrozenClock(START), rate_limit_per_minute=2)
    assert client.get("/no/such/route").status_code == 404
    assert client.get("/channels", headers={"authorization": "Bearer nope"}).status_code == 401
    assert client.get("/channels").status_code == 429


def test_reset_clears_the_budget(make_client):
    client = make_client(clock=FrozenClock(START), rate_limit_per_minute=1)
    client.get("/channels")
    assert client.get("/channels").status_code == 429
    assert client.post("/_emulator/reset").status_code == 204
    assert client.get("/channels").status_code == 200


# -- burst: 5 requests per second per channel on incoming_messages -----------------------------------


def test_sixth_post_within_a_second_to_one_channel_is_a_429(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, burst_limit=True)
    for _ in range(5):
        assert client.post(incoming(), json=MESSAGE).status_code == 202
    clock.advance(0.5)
    answer = client.post(incoming(), json=MESSAGE)
    assert answer.status_code == 429
    assert "Please retry in 500 milliseconds." in answer.json()["_error"]["message"]
    assert answer.headers["retry-after"] == "1"
    assert client.post(incoming(SMS_CHANNEL), json=MESSAGE).status_code == 202
    assert client.get("/channels").status_code == 200
    clock.advance(0.5)
    assert client.post(incoming(), json=MESSAGE).status_code == 202
    assert client.get("/_emulator/readyz").json()["messages"] == 7


def test_burst_counts_a_channel_under_all_its_names(make_client):
    client = make_client(clock=FrozenClock(START), burst_limit=True)
    names = [
        CHANNEL,
        "alt:address:livechat@example.test",
        "alt%3Aaddress%3Alivechat%40example.test",
        CHANNEL,
        "alt:address:livechat%40example.test",
    ]
    for name in names:
        assert client.post(incoming(name), json=MESSAGE).status_code == 202
    assert client.post(incoming("alt:address:livechat@example.test"), json=MESSAGE).status_code == 429


def test_burst_is_off_by_default(make_client):
    client = make_client(clock=FrozenClock(START))
    assert all(client.post(incoming(), json=MESSAGE).status_code == 202 for _ in range(10))


def test_burst_does_not_apply_to_reads(make_client):
    client = make_client(clock=FrozenClock(START), burst_limit=True)
    assert all(client.get(f"/channels/{CHANNEL}").status_code == 200 for _ in range(10))


def test_live_server_sends_rate_limit_headers(live_client):
    for answer in (live_client.get("/channels"), live_client.get("/messages/msg_nope")):
        assert all(name in answer.headers for name in RATE_HEADERS)
        limit, remaining, reset = rate_headers(answer)
        assert 0 <= remaining < limit
        assert reset > 1_600_000_000
