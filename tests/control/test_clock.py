"""The clock through HTTP (emulator/control/clock.py): real until frozen, advanced by hand, and kept within
times every page and payload renders (the rest is a 400 naming the range)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from emulator.domain.clock import LATEST_TIME, MAX_ADVANCE_SECONDS, RealClock
from emulator.domain.creation_delay import CreationDelay
from tests.conftest import (
    CHANNEL,
    post_message,
    read_message,
)
from tests.control.helpers import MESSAGE, REFUSED_URL, START, advance, conversation_id_of, error_of, freeze

# -- the clock -----------------------------------------------------------------------------------------


def test_clock_is_real_until_frozen(client):
    assert client.get("/_emulator/clock").json()["mode"] == "real"
    assert client.post("/_emulator/clock/freeze", json={"at": START}).json() == {
        "mode": "frozen",
        "now": START,
    }
    assert client.get("/_emulator/clock").json() == {"mode": "frozen", "now": START}
    assert advance(client, 90) == {"mode": "frozen", "now": START + 90}
    assert client.post("/_emulator/clock/unfreeze").json()["mode"] == "real"
    assert client.get("/_emulator/clock").json()["mode"] == "real"


def test_freeze_without_a_body_and_with_curls_default_content_type(client):
    assert client.post("/_emulator/clock/freeze").json()["mode"] == "frozen"
    answer = client.post(
        "/_emulator/clock/freeze",
        content=b'{"at": 1800000000}',
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.json() == {"mode": "frozen", "now": START}


def test_clock_refusals(client, make_client):
    refused = client.post("/_emulator/clock/advance", json={"seconds": 5})
    assert refused.status_code == 409
    assert "freeze it before advancing it" in error_of(refused)["message"]
    freeze(client)
    for body, details in (
        ({"seconds": 0}, ["/seconds: must be > 0"]),
        ({"seconds": 400 * 86400}, ["/seconds: must be <= 31622400"]),
        ({}, ["/seconds: required"]),
        ({"seconds": "5"}, ["/seconds: must be a number"]),
    ):
        answer = client.post("/_emulator/clock/advance", json=body)
        assert answer.status_code == 400 and error_of(answer)["details"] == details
    assert error_of(client.post("/_emulator/clock/freeze", json={"at": "noon"}))["details"] == [
        "/at: must be a number"
    ]
    assert client.post("/_emulator/clock/advance", content=b"{").status_code == 400
    assert client.get("/_emulator/clock").json()["now"] == START
    fixed = make_client(clock=RealClock())
    assert fixed.get("/_emulator/clock").status_code == 409


def test_creation_delay_elapses_only_when_time_is_advanced(make_client):
    client = make_client(creation_delay=CreationDelay(5, 5))
    freeze(client)
    uid = post_message(client, MESSAGE)
    advance(client, 4.5)
    assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
    assert client.get("/_emulator/readyz").json()["pending_messages"] == 1
    advance(client, 0.5)
    assert read_message(client, uid)["created_at"] == START + 5


def test_undo_window_elapses_when_time_is_advanced(client):
    freeze(client)
    client.patch(
        f"/channels/{CHANNEL}", json={"settings": {"webhook_url": REFUSED_URL, "undo_send_time": 30}}
    )
    conversation_id = conversation_id_of(client, post_message(client, MESSAGE))
    uid = client.post(f"/conversations/{conversation_id}/messages", json={"body": "<p>x</p>"}).json()[
        "message_uid"
    ]
    message_id = read_message(client, uid)["id"]
    not_yet = client.post("/_emulator/wait", json={"deliveries": 1, "timeout": 0}).json()
    assert not_yet == {"satisfied": False, "waited": not_yet["waited"], "deliveries": 0}
    advance(client, 29)
    assert client.get(f"/_emulator/messages/{message_id}").json()["delivery_status"] == "pending"
    advance(client, 1)
    waited = client.post("/_emulator/wait", json={"deliveries": 1, "timeout": 10, "message_id": message_id})
    assert waited.json()["satisfied"] is True
    assert client.get(f"/_emulator/messages/{message_id}").json()["delivery_status"] == "failed"


# -- its range ---------------------------------------------------------------------------------------


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
    schema = orjson.loads((Path(__file__).parents[2] / "schemas" / "clock-freeze.json").read_bytes())
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
