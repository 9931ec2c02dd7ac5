"""The clock stays within times every page and payload renders; the rest is a 400 naming the range."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from emulator.domain.clock import LATEST_TIME, MAX_ADVANCE_SECONDS
from tests.conftest import post_message, read_message


@pytest.mark.parametrize("at", [253402300800, 1e12, 1e23, LATEST_TIME + 1])
def test_freezing_past_the_range_is_a_400_naming_it_and_changes_nothing(client, at):
    client.post("/_emulator/clock/freeze", json={"at": 1_800_000_000})
    answer = client.post("/_emulator/clock/freeze", json={"at": at})
    assert answer.status_code == 400, answer.text
    # The request schema states the bound (its maximum is the clock's LATEST_TIME).
    assert answer.json()["_error"]["details"] == [f"/at: must be <= {LATEST_TIME:.0f}"]
    assert client.get("/_emulator/clock").json()["now"] == 1_800_000_000
    assert client.get("/_emulator/ui").status_code == 200


def test_the_schemas_bound_is_the_clocks():
    schema = orjson.loads((Path(__file__).parents[1] / "schemas" / "clock-freeze.json").read_bytes())
    assert schema["properties"]["at"]["maximum"] == LATEST_TIME


def test_advancing_past_the_range_is_a_400_too(client):
    client.post("/_emulator/clock/freeze", json={"at": LATEST_TIME - 5})
    answer = client.post("/_emulator/clock/advance", json={"seconds": 10})
    assert answer.status_code == 400
    [detail] = answer.json()["_error"]["details"]
    assert detail.startswith("/seconds: advancing by 10 s would take the clock past")
    assert client.get("/_emulator/clock").json()["now"] == LATEST_TIME - 5


def test_at_the_latest_time_every_page_still_renders(client):
    client.post("/_emulator/clock/freeze", json={"at": LATEST_TIME - MAX_ADVANCE_SECONDS})
    client.post("/_emulator/clock/advance", json={"seconds": MAX_ADVANCE_SECONDS})
    message = read_message(client, post_message(client, {"sender": {"handle": "visitor-1"}, "body": "Hi"}))
    conversation_id = message["_links"]["related"]["conversation"].rsplit("/", 1)[1]
    for path in (
        "/_emulator/ui",
        f"/_emulator/ui/conversations/{conversation_id}",
        "/_emulator/ui/channels/cha_1a01",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get(f"/messages/{message['id']}").status_code == 200
