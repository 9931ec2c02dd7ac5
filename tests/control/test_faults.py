"""Fault injection (/_emulator/faults): Front's API answering badly on demand, through HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from emulator.harness import EmulatorClient, LiveServer
from tests.conftest import AUTH, CHANNEL, IN_PROCESS_URL, SMS_CHANNEL, make_config

INCOMING = "/channels/{channel_id}/incoming_messages"
MESSAGE = {"sender": {"handle": "visitor@example.test"}, "body": "Hello"}


def _incoming(client: TestClient | httpx.Client, channel: str = CHANNEL, **kwargs: Any) -> httpx.Response:
    return client.post(f"/channels/{channel}/incoming_messages", json=MESSAGE, **kwargs)


def _inject(client: TestClient | httpx.Client, **document: Any) -> dict[str, Any]:
    answer = client.post("/_emulator/faults", json=document)
    assert answer.status_code == 201, answer.text
    fault: dict[str, Any] = answer.json()
    return fault


def _journal(client: TestClient | httpx.Client) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get("/_emulator/requests").json()["_results"]
    return entries


def _message_count(client: TestClient | httpx.Client) -> int:
    return int(client.get("/_emulator/readyz").json()["messages"])


@pytest.fixture
def live() -> Iterator[httpx.Client]:
    """A server of its own: a dropped or delayed request must not reach another test's emulator."""
    server = LiveServer.emulator(make_config())
    with httpx.Client(base_url=server.start(), headers=AUTH, timeout=10) as client:
        yield client
    server.stop()


@pytest.mark.parametrize("status", [500, 502, 503, 400, 418])
def test_a_status_fault_answers_fronts_error_envelope_the_next_n_times_and_changes_nothing(
    client: TestClient, status: int
) -> None:
    fault = _inject(client, route=INCOMING, status=status, times=2)
    assert fault["id"] == "flt_1" and fault["action"] == "status" and fault["remaining"] == 2

    answers = [_incoming(client) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [status, status, 202]
    error = answers[0].json()["_error"]
    assert error["status"] == status and error["message"]
    assert _message_count(client) == 1
    [listed] = client.get("/_emulator/faults").json()["_results"]
    assert (listed["fired"], listed["remaining"]) == (2, 0)


def test_a_429_fault_says_when_to_retry_with_fronts_headers(client: TestClient) -> None:
    _inject(client, route=INCOMING, status=429, retry_after=7)

    answer = _incoming(client)

    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "7"
    assert answer.headers["x-ratelimit-remaining"] == "0"
    assert int(answer.headers["x-ratelimit-reset"]) >= int(answer.headers["x-ratelimit-reset"]) - 7
    assert int(answer.headers["x-ratelimit-limit"]) > 0
    assert answer.json()["_error"]["message"] == "Rate limit exceeded. Please retry in 7000 milliseconds."


def test_a_fault_matches_only_its_method_channel_and_route(client: TestClient) -> None:
    _inject(client, route=INCOMING, channel_id=SMS_CHANNEL, status=503)
    _inject(client, path_prefix="/channels", method="GET", status=502, message="Upstream went away")

    assert _incoming(client).status_code == 202
    assert _incoming(client, SMS_CHANNEL).status_code == 503
    listing = client.get("/channels")
    assert listing.status_code == 502
    assert listing.json()["_error"]["message"] == "Upstream went away"
    # A route pattern matches the whole path: a message read is not an incoming message.
    assert client.get("/_emulator/faults").json()["_results"][0]["fired"] == 1


def test_a_channel_named_by_its_alias_is_matched_as_the_channel(client: TestClient) -> None:
    address = client.get(f"/channels/{CHANNEL}").json()["address"]
    _inject(client, route=INCOMING, channel_id=CHANNEL, status=503)

    assert _incoming(client, f"alt:address:{address}").status_code == 503


def test_latency_delays_the_real_answer_and_is_journalled(client: TestClient) -> None:
    fault = _inject(client, route=INCOMING, latency={"min": 0, "max": 0.05}, times=1)

    answer = _incoming(client)

    assert answer.status_code == 202
    assert client.post("/_emulator/wait", json={"message_uid": answer.json()["message_uid"]}).json()[
        "satisfied"
    ]
    assert [entry["injected_by"] for entry in _journal(client)] == [fault["id"]]


def test_latency_is_real_time_a_client_with_a_shorter_timeout_gives_up(live: httpx.Client) -> None:
    _inject(live, route=INCOMING, latency=3, times=1)

    with pytest.raises(httpx.ReadTimeout):
        _incoming(live, timeout=0.3)
    # Spent: the next request is answered at once.
    assert _incoming(live).status_code == 202


def test_a_dropped_connection_gets_no_answer_and_changes_nothing(live: httpx.Client) -> None:
    fault = _inject(live, route=INCOMING, drop_connection=True, times=1)

    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        _incoming(live)

    assert _message_count(live) == 0
    [entry] = _journal(live)
    assert (entry["status"], entry["injected_by"]) == (444, fault["id"])
    assert _incoming(live).status_code == 202


def test_in_process_a_dropped_connection_fails_the_call(client: TestClient) -> None:
    _inject(client, route=INCOMING, drop_connection=True)

    with pytest.raises(ConnectionAbortedError, match="dropped the connection"):
        _incoming(client)
    assert _message_count(client) == 0


def test_an_accepted_message_that_is_never_created(client: TestClient) -> None:
    fault = _inject(client, route=INCOMING, accept_without_creating=True, times=1)

    answer = _incoming(client)

    assert answer.status_code == 202
    uid = answer.json()["message_uid"]
    assert len(uid) == 32 and answer.json()["status"] == "accepted"
    assert not client.post("/_emulator/wait", json={"message_uid": uid, "timeout": 0.1}).json()["satisfied"]
    assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
    assert _journal(client)[0]["injected_by"] == fault["id"]


def _statuses_under_probability(client: TestClient, requests: int = 24) -> list[int]:
    _inject(client, route="/channels", status=503, probability=0.5)
    return [client.get("/channels").status_code for _ in range(requests)]


def test_probability_is_deterministic_with_a_seed(make_client: Callable[..., TestClient]) -> None:
    client = make_client(seed=11)
    first = _statuses_under_probability(client)
    assert client.post("/_emulator/reset").status_code == 204
    again = _statuses_under_probability(client)

    assert first == again
    assert set(first) == {200, 503}
    [fault] = client.get("/_emulator/faults").json()["_results"]
    assert fault["fired"] == first.count(503) and fault["spared"] == first.count(200)
    assert _statuses_under_probability(make_client(seed=11)) == first
    assert _statuses_under_probability(make_client(seed=12)) != first


def test_times_and_probability_together_fire_at_most_times(client: TestClient) -> None:
    _inject(client, route="/channels", status=500, probability=0.5, times=2)

    statuses = [client.get("/channels").status_code for _ in range(30)]

    assert statuses.count(500) == 2


def test_journal_marks_injected_answers_and_the_report_leaves_them_out(client: TestClient) -> None:
    fault = _inject(client, route=INCOMING, status=503, times=1)
    _incoming(client)
    _incoming(client)

    entries = _journal(client)
    assert [(entry["status"], entry["injected_by"]) for entry in entries] == [(503, fault["id"]), (202, None)]
    assert entries[0]["body"] and entries[0]["error_message"] == "Service Unavailable"
    report = client.get("/_emulator/requests/report").json()
    assert report["rejected"] == 0


def test_reset_clears_faults_and_their_ids(client: TestClient) -> None:
    _inject(client, route=INCOMING, status=503)
    assert client.post("/_emulator/reset").status_code == 204

    assert client.get("/_emulator/faults").json()["_results"] == []
    assert _incoming(client).status_code == 202
    assert _inject(client, route=INCOMING, status=503)["id"] == "flt_1"


def test_delete_one_fault_or_all(client: TestClient) -> None:
    first = _inject(client, route=INCOMING, status=503)
    _inject(client, route="/channels", status=500)

    assert client.delete(f"/_emulator/faults/{first['id']}").status_code == 204
    assert _incoming(client).status_code == 202
    missing = client.delete(f"/_emulator/faults/{first['id']}")
    assert missing.status_code == 404 and first["id"] in missing.json()["_error"]["message"]
    assert client.delete("/_emulator/faults").status_code == 204
    assert client.get("/channels").status_code == 200


@pytest.mark.parametrize(
    ("document", "detail"),
    [
        ({"route": INCOMING}, "exactly one of status, latency, drop_connection, accept_without_creating"),
        ({"route": INCOMING, "status": 503, "drop_connection": True}, "exactly one of status, latency"),
        ({"status": 503}, "exactly one of route (a path pattern) or path_prefix"),
        ({"route": INCOMING, "path_prefix": "/", "status": 503}, "exactly one of route"),
        ({"route": INCOMING, "status": 503, "retry_after": 3}, "retry_after is only for status 429"),
        ({"route": INCOMING, "latency": 1, "message": "x"}, "message is only for a fault with a status"),
        ({"route": INCOMING, "latency": {"min": 2, "max": 1}}, "/latency: min must not be above max"),
        ({"route": INCOMING, "status": 200}, "/status"),
        ({"route": INCOMING, "latency": 31}, "/latency"),
        ({"route": "channels", "status": 503}, "/route"),
        ({"route": INCOMING, "status": 503, "probability": 0}, "/probability"),
        ({"route": INCOMING, "status": 503, "times": 0}, "/times"),
        ({"route": INCOMING, "status": 503, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_fault_document_is_refused_with_details_and_adds_nothing(
    client: TestClient, document: dict[str, Any], detail: str
) -> None:
    answer = client.post("/_emulator/faults", json=document)

    assert answer.status_code == 400, answer.text
    details = answer.json()["_error"]["details"]
    assert any(detail in line for line in details), details
    assert client.get("/_emulator/faults").json()["_results"] == []


def test_harness_inject_fault_and_clear_faults(client: TestClient) -> None:
    emulator = EmulatorClient(client, IN_PROCESS_URL)

    fault = emulator.inject_fault(INCOMING, status=503, times=1)

    assert fault["status"] == 503
    assert _incoming(client).status_code == 503
    assert emulator.faults()[0]["fired"] == 1
    emulator.clear_faults()
    assert emulator.faults() == []
