"""The control plane's state through HTTP (emulator/control/state.py): the workspace, health, reset and
seeded ids, seed, snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from emulator.domain.workspace import ALL_SCOPES
from emulator.workspace_files import default_workspace_path
from tests.conftest import (
    CHANNEL,
    READ_ONLY_TOKEN,
    SMS_CHANNEL,
    TOKEN,
    post_message,
    read_message,
)
from tests.control.helpers import MESSAGE, REFUSED_URL, conversation_id_of, error_of, freeze

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


# -- GET /_emulator/workspace ------------------------------------------------------------------------


def test_workspace_has_exactly_the_documented_shape(client):
    answer = client.get("/_emulator/workspace")
    assert answer.status_code == 200
    workspace = answer.json()
    assert set(workspace) == {"channels", "teammates", "tokens", "api_secret", "applications", "inboxes"}
    assert workspace["api_secret"] == "front-emulator-api-secret"
    for channel in workspace["channels"]:
        # An application channel also names its app and its status (docs/application-channels.md).
        assert set(channel) - {"application", "status"} == {"id", "address", "name", "type", "settings"}
        assert channel["id"].startswith("cha_")
        assert isinstance(channel["settings"], dict)
    for token in workspace["tokens"]:
        assert set(token) == {"token", "name", "scopes"}
    for teammate in workspace["teammates"]:
        assert teammate["id"].startswith("tea_")
        assert "@" in teammate["email"]


def test_default_workspace_has_what_the_issue_asks_for(client):
    workspace = client.get("/_emulator/workspace").json()
    custom = [channel for channel in workspace["channels"] if channel["type"] == "custom"]
    assert len(custom) >= 2
    assert len(workspace["teammates"]) >= 2
    scopes = {token["token"]: set(token["scopes"]) for token in workspace["tokens"]}
    assert scopes[TOKEN] == set(ALL_SCOPES)
    assert READ_ONLY_TOKEN in scopes
    assert scopes[READ_ONLY_TOKEN]
    assert all(scope.endswith(":read") for scope in scopes[READ_ONLY_TOKEN])


def test_workspace_channels_match_the_api(client):
    workspace = client.get("/_emulator/workspace").json()
    api = {channel["id"]: channel for channel in client.get("/channels").json()["_results"]}
    for channel in workspace["channels"]:
        assert api[channel["id"]]["address"] == channel["address"]
        assert api[channel["id"]]["name"] == channel["name"]
        assert api[channel["id"]]["type"] == channel["type"]
        assert api[channel["id"]]["settings"]["undo_send_time"] == channel["settings"]["undo_send_time"]


def test_the_workspace_tokens_work(client):
    workspace = client.get("/_emulator/workspace").json()
    for token in workspace["tokens"]:
        answer = client.get("/channels", headers={"authorization": f"Bearer {token['token']}"})
        assert answer.status_code == (200 if "channels:read" in token["scopes"] else 403)


def test_control_routes_need_no_token_and_skip_rate_limit_headers(client):
    client.headers.pop("authorization")
    for path in ("/_emulator/workspace", "/_emulator/livez", "/_emulator/readyz"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert not any(name in answer.headers for name in RATE_HEADERS)


# -- health ------------------------------------------------------------------------------------------


def test_livez(client):
    answer = client.get("/_emulator/livez")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_readyz_counts_channels_and_messages(make_client):
    clock = FrozenClock(1_700_000_000.0)
    client = make_client(clock=clock, creation_delay=CreationDelay(1, 1))
    assert client.get("/_emulator/readyz").json() == {
        "status": "ready",
        "channels": 4,
        "messages": 0,
        "pending_messages": 0,
    }
    post_message(client, {"sender": {"handle": "v"}, "body": "x"})
    health = client.get("/_emulator/readyz").json()
    assert (health["messages"], health["pending_messages"]) == (0, 1)
    clock.advance(1)
    health = client.get("/_emulator/readyz").json()
    assert (health["messages"], health["pending_messages"]) == (1, 0)


def test_live_server_health(live_client):
    assert live_client.get("/_emulator/livez").json() == {"status": "ok"}
    assert live_client.get("/_emulator/readyz").json()["status"] == "ready"


# -- POST /_emulator/reset ---------------------------------------------------------------------------


def test_reset_forgets_messages_and_conversations(client):
    uid = post_message(client, {"sender": {"handle": "v"}, "body": "x"})
    message = client.get(f"/messages/alt:uid:{uid}").json()
    conversation_url = message["_links"]["related"]["conversation"]
    assert client.get("/_emulator/readyz").json()["messages"] == 1
    answer = client.post("/_emulator/reset")
    assert answer.status_code == 204
    assert answer.content == b""
    assert client.get("/_emulator/readyz").json()["messages"] == 0
    assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
    assert client.get(f"/messages/{message['id']}").status_code == 404
    assert client.get(conversation_url).status_code == 404


def test_reset_forgets_pending_messages_too(make_client):
    clock = FrozenClock(1_700_000_000.0)
    client = make_client(clock=clock, creation_delay=CreationDelay(5, 5))
    uid = post_message(client, {"sender": {"handle": "v"}, "body": "x"})
    client.post("/_emulator/reset")
    clock.advance(10)
    assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
    assert client.get("/_emulator/readyz").json()["messages"] == 0


def test_reset_keeps_the_workspace(client):
    before = client.get("/_emulator/workspace").json()
    client.post("/_emulator/reset")
    assert client.get("/_emulator/workspace").json() == before
    assert client.get(f"/channels/{CHANNEL}").status_code == 200


def test_threading_starts_afresh_after_reset(client):
    first = post_message(client, {"sender": {"handle": "v"}, "body": "x"})
    first_conversation = client.get(f"/messages/alt:uid:{first}").json()["_links"]["related"]["conversation"]
    client.post("/_emulator/reset")
    second = post_message(client, {"sender": {"handle": "v"}, "body": "y"})
    conversation_url = client.get(f"/messages/alt:uid:{second}").json()["_links"]["related"]["conversation"]
    texts = [m["text"] for m in client.get(f"{conversation_url}/messages").json()["_results"]]
    assert texts == ["y"]
    # A reset also rewinds the id source, so the new conversation replays the first one's id.
    assert conversation_url == first_conversation


def test_control_routes_refuse_other_methods_in_front_envelope(client):
    answer = client.delete("/_emulator/workspace")
    assert answer.status_code == 405
    assert answer.json()["_error"]["status"] == 405
    assert client.get("/_emulator/reset").status_code == 405


# -- reset and seeded ids ----------------------------------------------------------------------------


def _a_run(client: Any, look_around: bool = False) -> list[str]:
    """A fixed series of requests; answers every id and uid the emulator handed out."""
    freeze(client)
    client.patch(
        f"/channels/{CHANNEL}", json={"settings": {"webhook_url": REFUSED_URL, "undo_send_time": 60}}
    )
    found = []
    for handle, channel in (("ada", CHANNEL), ("grace", CHANNEL), ("+15550100001", SMS_CHANNEL)):
        uid = post_message(client, {"sender": {"handle": handle}, "body": f"from {handle}"}, channel)
        message = read_message(client, uid)
        found += [
            uid,
            message["id"],
            conversation_id_of(client, uid),
            message["recipients"][0]["_links"]["related"]["contact"],
        ]
        if look_around:
            # Reading the journal, the clock or taking a snapshot must not use up ids.
            client.get("/_emulator/requests")
            client.get("/_emulator/clock")
            client.post("/_emulator/snapshot")
    answer = client.post(
        f"/conversations/{found[2]}/messages", json={"body": "<p>Hi</p>", "author_id": "tea_1b01"}
    )
    assert answer.status_code == 202, answer.text
    found += [answer.json()["message_uid"], read_message(client, answer.json()["message_uid"])["id"]]
    return found


def test_same_seed_and_requests_give_the_same_ids_in_fresh_apps_and_after_reset(make_client):
    first = make_client(seed=42)
    second = make_client(seed=42)
    ids = _a_run(first, look_around=True)
    assert _a_run(second) == ids
    assert len(set(ids)) == len(ids)
    assert first.post("/_emulator/reset").status_code == 204
    assert _a_run(first) == ids
    assert _a_run(make_client(seed=43)) != ids


def test_without_a_seed_reset_still_replays_the_run(make_client):
    client = make_client(seed=None)
    ids = _a_run(client)
    client.post("/_emulator/reset")
    assert _a_run(client) == ids


def test_reset_puts_the_clock_back_and_empties_journal_and_snapshots(client):
    freeze(client)
    post_message(client, MESSAGE)
    snapshot_id = client.post("/_emulator/snapshot").json()["snapshot_id"]
    assert client.post("/_emulator/reset").status_code == 204
    assert client.get("/_emulator/clock").json()["mode"] == "real"
    assert client.get("/_emulator/requests").json() == {"_results": [], "dropped": 0, "retained_bytes": 0}
    assert client.post(f"/_emulator/snapshots/{snapshot_id}/restore").status_code == 404


# -- seed ----------------------------------------------------------------------------------------------


def _workspace(**changes: Any) -> dict[str, Any]:
    document = json.loads(default_workspace_path().read_text("utf-8"))
    document["channels"] = [{"id": "cha_9z01", "address": "partner@example.test", "name": "Partner"}]
    # The default inboxes name the default channels; the partner channel has an inbox of its own.
    del document["inboxes"]
    document.update(changes)
    return document


def test_seed_an_inline_workspace_then_reset_goes_back_to_the_start(client):
    post_message(client, MESSAGE)
    answer = client.post("/_emulator/seed", json={"workspace": _workspace()})
    assert answer.status_code == 200, answer.text
    assert [channel["id"] for channel in answer.json()["channels"]] == ["cha_9z01"]
    assert client.get("/_emulator/readyz").json()["messages"] == 0
    assert [channel["id"] for channel in client.get("/channels").json()["_results"]] == ["cha_9z01"]
    assert client.get(f"/channels/{CHANNEL}").status_code == 404
    post_message(client, MESSAGE, channel="cha_9z01")
    client.post("/_emulator/reset")
    assert client.get(f"/channels/{CHANNEL}").status_code == 200
    assert client.get("/channels/cha_9z01").status_code == 404


@pytest.mark.parametrize("path", ["fixtures/default-workspace.json", "default-workspace.json", "absolute"])
def test_seed_a_fixture_file(make_client, tmp_path: Path, path: str):
    client = make_client(fixtures_dirs=(tmp_path,))
    if path == "absolute":
        file = tmp_path / "partner.yaml"
        file.write_text(
            "api_secret: s3cret-s3cret\nchannels: [{id: cha_9z01, address: p@example.test}]\n"
            "tokens: [{token: partner-token, scopes: ['*']}]\n"
        )
        path = str(file)
    answer = client.post("/_emulator/seed", json={"path": path})
    assert answer.status_code == 200, answer.text
    assert answer.json() == client.get("/_emulator/workspace").json()


def test_seed_refusals_name_the_field(make_client, tmp_path: Path):
    client = make_client(fixtures_dirs=(tmp_path,))
    duplicated = _workspace(
        channels=[{"id": "cha_1", "address": "a@x.test"}, {"id": "cha_1", "address": "b@x.test"}]
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"channels": [}')
    cases = [
        ({}, "Invalid request body", ["/: give workspace (a workspace document) or path (a workspace file)"]),
        (
            {"workspace": {"channels": []}},
            "Invalid request body",
            [
                "/workspace/api_secret: required",
                "/workspace/channels: must not be empty",
                "/workspace/tokens: required",
            ],
        ),
        ({"workspace": duplicated}, "Invalid workspace", ["/workspace/channels/1/id: 'cha_1' is used twice"]),
        ({"path": "nowhere.json"}, "Workspace file refused", None),
    ]
    for body, message, details in cases:
        answer = client.post("/_emulator/seed", json=body)
        assert answer.status_code == 400, body
        error = error_of(answer)
        assert error["message"] == message
        if details is not None:
            assert error["details"] == details
        else:
            assert error["details"][0].startswith("/path: seed reads a packaged fixture by name")
    answer = client.post("/_emulator/seed", json={"path": str(broken)})
    assert answer.status_code == 400
    assert error_of(answer)["message"].startswith(f"{broken}:1:")
    # Nothing changed.
    assert client.get(f"/channels/{CHANNEL}").status_code == 200


# -- snapshots -----------------------------------------------------------------------------------------


def test_snapshot_and_restore(client):
    freeze(client)
    client.patch(
        f"/channels/{CHANNEL}", json={"settings": {"webhook_url": REFUSED_URL, "undo_send_time": 60}}
    )
    kept = post_message(client, MESSAGE)
    taken = client.post("/_emulator/snapshot")
    assert taken.status_code == 201
    snapshot = taken.json()
    assert snapshot["messages"] == 1 and snapshot["snapshot_id"].startswith("snap_")
    later = post_message(client, {"sender": {"handle": "someone-else"}, "body": "later"})
    conversation_id = conversation_id_of(client, kept)
    reply = client.post(f"/conversations/{conversation_id}/messages", json={"body": "<p>x</p>"}).json()
    client.patch(f"/channels/{CHANNEL}", json={"name": "Renamed"})

    restored = client.post(f"/_emulator/snapshots/{snapshot['snapshot_id']}/restore")
    assert restored.status_code == 200
    assert restored.json()["messages"] == 1
    assert client.get(f"/messages/alt:uid:{later}").status_code == 404
    assert client.get(f"/messages/alt:uid:{reply['message_uid']}").status_code == 404
    assert client.get(f"/channels/{CHANNEL}").json()["name"] == "Website chat"
    assert len(client.get(f"/conversations/{conversation_id}/messages").json()["_results"]) == 1
    # Ids continue from the snapshot: the same request hands out the same uid again.
    assert post_message(client, {"sender": {"handle": "someone-else"}, "body": "later"}) == later
    # A snapshot can be restored again; unknown ones are 404.
    assert client.post(f"/_emulator/snapshots/{snapshot['snapshot_id']}/restore").json()["messages"] == 1
    missing = client.post("/_emulator/snapshots/snap_999/restore")
    assert missing.status_code == 404
    assert error_of(missing)["message"].startswith("Snapshot snap_999 not found")


def test_restored_state_is_a_copy_not_shared(client):
    uid = post_message(client, MESSAGE)
    conversation_id = conversation_id_of(client, uid)
    snapshot_id = client.post("/_emulator/snapshot").json()["snapshot_id"]
    client.patch(f"/conversations/{conversation_id}", json={"status": "archived"})
    client.post(f"/_emulator/snapshots/{snapshot_id}/restore")
    assert client.get(f"/conversations/{conversation_id}").json()["status"] == "unassigned"
    client.patch(f"/conversations/{conversation_id}", json={"status": "archived"})
    client.post(f"/_emulator/snapshots/{snapshot_id}/restore")
    assert client.get(f"/conversations/{conversation_id}").json()["status"] == "unassigned"
