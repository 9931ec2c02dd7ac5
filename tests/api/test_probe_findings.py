"""What a schema-driven probe of the emulator found, fixed: `Allow` on 405s names every method of the
path, `sort_order=asc` orders message lists, later pages' `_links.self` keep their `page_token`, and the
rate-limit reset follows the clock back after an unfreeze."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import IN_PROCESS_URL, post_message, read_message


def conversation_with(client: TestClient, count: int) -> tuple[str, list[str]]:
    """A conversation of `count` inbound messages; its id and the message ids, oldest first."""
    ids = []
    for index in range(count):
        uid = post_message(client, {"sender": {"handle": "visitor-1"}, "body": f"message {index}"})
        ids.append(read_message(client, uid)["id"])
    message = read_message(client, uid)
    return message["_links"]["related"]["conversation"].rsplit("/", 1)[1], ids


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/conversations/{conversation}", "GET, HEAD, PATCH"),
        ("DELETE", "/channels/cha_1a01", "GET, HEAD, PATCH"),
        ("PUT", "/conversations/{conversation}/messages", "GET, HEAD, POST"),
        ("POST", "/_emulator/requests", "DELETE, GET, HEAD"),
        ("GET", "/channels/cha_1a01/incoming_messages", "POST"),
    ],
)
def test_a_405_allows_every_method_the_path_takes(client, method, path, allow):
    conversation, _ = conversation_with(client, 1)
    answer = client.request(method, path.format(conversation=conversation))
    assert answer.status_code == 405, answer.text
    assert answer.headers["allow"] == allow
    assert answer.json()["_error"]["title"] == "Method not allowed"


def _ids(document: dict[str, Any]) -> list[str]:
    return [item["id"] for item in document["_results"]]


def test_message_lists_in_ascending_order_page_forwards(client):
    conversation, ids = conversation_with(client, 3)
    link = f"{IN_PROCESS_URL}/conversations/{conversation}/messages"
    first = client.get(f"{link}?sort_order=asc&limit=2").json()
    assert _ids(first) == ids[:2]
    assert first["_links"]["self"] == f"{link}?sort_order=asc&limit=2"
    second = client.get(first["_pagination"]["next"]).json()
    assert _ids(second) == ids[2:]
    assert second["_links"]["self"] == first["_pagination"]["next"]
    assert second["_pagination"]["next"] is None
    assert _ids(client.get(f"{link}?sort_order=desc").json()) == ids[::-1]
    assert _ids(client.get(link).json()) == ids[::-1]


def test_a_later_page_of_newest_first_names_its_page_token(client):
    conversation, ids = conversation_with(client, 3)
    first = client.get(f"/conversations/{conversation}/messages?limit=2").json()
    next_url = first["_pagination"]["next"]
    assert "page_token=" in next_url
    second = client.get(next_url).json()
    assert _ids(second) == ids[:1]
    assert second["_links"]["self"] == next_url


def test_an_unknown_sort_order_is_a_400(client):
    conversation, _ = conversation_with(client, 1)
    for path in (f"/conversations/{conversation}/messages", "/contacts"):
        answer = client.get(f"{path}?sort_order=up")
        assert answer.status_code == 400, answer.text
        assert answer.json()["_error"]["details"] == ["/sort_order: must be one of: asc, desc"]


def test_the_rate_limit_reset_follows_the_clock_back_after_an_unfreeze(client):
    now = client.get("/_emulator/clock").json()["now"]
    three_days = 3 * 24 * 3600
    assert client.post("/_emulator/clock/freeze", json={"at": now + three_days}).status_code == 200
    ahead = int(client.get("/channels").headers["x-ratelimit-reset"])
    assert ahead >= now + three_days
    assert client.post("/_emulator/clock/unfreeze").status_code == 200
    real_now = client.get("/_emulator/clock").json()["now"]
    reset = int(client.get("/channels").headers["x-ratelimit-reset"])
    assert real_now <= reset <= real_now + 61
