"""The control plane /_emulator/* through HTTP: reset, seed, snapshots, the clock, seeded ids, the request
journal and its report, wait, and the OpenAPI document that describes them."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route

from emulator.domain.clock import RealClock
from emulator.domain.creation_delay import CreationDelay
from emulator.harness import LiveServer
from emulator.workspace_files import default_workspace_path
from tests.conftest import AUTH, CHANNEL, SMS_CHANNEL, make_config, post_message, read_message
from tests.receiver import Receiver

START = 1_800_000_000.0
REFUSED_URL = "http://127.0.0.1:1/front"  # nothing listens on port 1: a delivery fails at once
MESSAGE = {"sender": {"handle": "visitor-1"}, "body": "Hello"}


def error_of(answer: httpx.Response) -> dict[str, Any]:
    document = answer.json()
    assert set(document) == {"_error"}, document
    return document["_error"]


def freeze(client: Any, at: float = START) -> None:
    answer = client.post("/_emulator/clock/freeze", json={"at": at})
    assert answer.status_code == 200, answer.text


def advance(client: Any, seconds: float) -> dict[str, Any]:
    answer = client.post("/_emulator/clock/advance", json={"seconds": seconds})
    assert answer.status_code == 200, answer.text
    return answer.json()


def conversation_id_of(client: Any, uid: str) -> str:
    return read_message(client, uid)["_links"]["related"]["conversation"].rsplit("/", 1)[1]


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


# -- the request journal -------------------------------------------------------------------------------


def test_journal_records_front_requests_with_status_body_and_details(client):
    uid = post_message(client, MESSAGE)
    client.post(f"/channels/{CHANNEL}/incoming_messages", json={"sender": {}, "body": 3})
    client.get(f"/messages/alt:uid:{uid}?fields=x")
    client.get("/nowhere")
    client.get("/_emulator/readyz")  # the control plane is not journalled
    entries = client.get("/_emulator/requests").json()["_results"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", f"/channels/{CHANNEL}/incoming_messages", 202),
        ("POST", f"/channels/{CHANNEL}/incoming_messages", 400),
        ("GET", f"/messages/alt:uid:{uid}", 200),
        ("GET", "/nowhere", 404),
    ]
    accepted, refused, read, missing = entries
    assert json.loads(accepted["body"]) == MESSAGE
    assert accepted["content_type"] == "application/json"
    assert (accepted["rejected"], accepted["error_message"], accepted["details"]) == (False, None, [])
    assert refused["rejected"] is True
    assert refused["error_message"] == "Invalid request body"
    assert refused["details"] == ["/body: must be a string", "/sender/handle: required"]
    assert refused["body"] == '{"sender":{},"body":3}'
    assert read["query"] == "fields=x" and read["body"] == ""
    assert missing["error_message"] == "No route matches GET /nowhere"
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)


def test_journal_filters(client):
    post_message(client, MESSAGE)
    client.post(f"/channels/{CHANNEL}/incoming_messages", json={"body": "x"})
    client.get("/channels")
    client.get("/conversations/cnv_nothere")

    def paths(query: str) -> list[tuple[str, int]]:
        answer = client.get(f"/_emulator/requests?{query}")
        assert answer.status_code == 200, answer.text
        return [(entry["path"], entry["status"]) for entry in answer.json()["_results"]]

    incoming = f"/channels/{CHANNEL}/incoming_messages"
    assert paths("rejected=true") == [(incoming, 400), ("/conversations/cnv_nothere", 404)]
    assert paths("rejected=false") == [(incoming, 202), ("/channels", 200)]
    assert paths("status=400") == [(incoming, 400)]
    assert paths("status=4xx") == [(incoming, 400), ("/conversations/cnv_nothere", 404)]
    assert paths("method=get") == [("/channels", 200), ("/conversations/cnv_nothere", 404)]
    assert paths("path_prefix=/channels/&status=202") == [(incoming, 202)]
    for query, detail in (
        ("state=x", "state: not a parameter here; use one of status, method, path_prefix, rejected"),
        ("status=abc", "status: an HTTP status such as 400, or a class such as 4xx"),
        ("rejected=yes", "rejected: true or false"),
    ):
        answer = client.get(f"/_emulator/requests?{query}")
        assert answer.status_code == 400 and error_of(answer)["details"] == [detail]
    assert client.delete("/_emulator/requests").status_code == 204
    assert client.get("/_emulator/requests").json() == {"_results": [], "dropped": 0, "retained_bytes": 0}


def test_journal_keeps_only_the_first_64_kb_of_a_body(client):
    photo = b"\x89PNG" + b"x" * 100_000
    answer = client.post(
        f"/channels/{CHANNEL}/incoming_messages",
        data={"sender[handle]": "visitor-1", "body": "See the photo"},
        files={"attachments[]": ("photo.png", photo, "image/png")},
    )
    assert answer.status_code == 202, answer.text
    [entry] = client.get("/_emulator/requests").json()["_results"]
    assert entry["body_truncated"] is True
    assert entry["content_type"].startswith("multipart/form-data")
    assert 'name="sender[handle]"' in entry["body"]
    assert len(entry["body"].encode("utf-8", "surrogateescape")) <= 3 * 64 * 1024


def test_journal_records_rate_limited_requests(make_client):
    client = make_client(rate_limit_per_minute=1)
    freeze(client)
    assert client.get("/channels").status_code == 200
    assert client.get("/channels").status_code == 429
    entries = client.get("/_emulator/requests?rejected=true").json()["_results"]
    assert [(e["status"], e["error_message"][:19]) for e in entries] == [(429, "Rate limit exceeded")]


def test_rejection_report_groups_by_reason(client):
    for body in ({"body": "x"}, {"body": "y"}, {"sender": {"handle": "v"}, "body": 5}):
        client.post(f"/channels/{CHANNEL}/incoming_messages", json=body)
    client.post(
        f"/channels/{CHANNEL}/incoming_messages", content=b"{", headers={"content-type": "application/json"}
    )
    post_message(client, MESSAGE)
    report = client.get("/_emulator/requests/report").json()
    assert (report["requests"], report["rejected"]) == (5, 4)
    reasons = [(group["reason"], group["count"]) for group in report["reasons"]]
    assert reasons[0] == ("/sender: required", 2)
    assert ("/body: must be a string", 1) in reasons
    assert any(reason.startswith("Request body is not valid JSON") for reason, _ in reasons)
    example = report["reasons"][0]["example"]
    assert json.loads(example["body"]) == {"body": "x"} and example["status"] == 400
    assert client.get("/_emulator/requests/report?path_prefix=/conversations").json() == {
        "requests": 0,
        "rejected": 0,
        "reasons": [],
    }


# -- wait ----------------------------------------------------------------------------------------------


def test_wait_for_a_message_with_a_frozen_clock(make_client):
    client = make_client(creation_delay=CreationDelay(2, 2))
    freeze(client)
    uid = post_message(client, MESSAGE)
    first = client.post("/_emulator/wait", json={"message_uid": uid, "timeout": 0}).json()
    assert first == {"satisfied": False, "waited": first["waited"], "message_uid": uid}
    advance(client, 2)
    waited = client.post("/_emulator/wait", json={"message_uid": uid}).json()
    message = read_message(client, uid)
    assert waited == {
        "satisfied": True,
        "waited": waited["waited"],
        "message_uid": uid,
        "message_id": message["id"],
        "conversation_id": conversation_id_of(client, uid),
    }


def test_wait_refusals(client):
    for body, details in (
        ({}, ["/: give message_uid (wait for that message) or deliveries (wait for that many deliveries)"]),
        ({"deliveries": 1, "timeout": 61}, ["/timeout: must be <= 60"]),
        ({"message_uid": "nope"}, ["/message_uid: must match the pattern ^[0-9a-f]{32}$"]),
        (
            {"deliveries": 0, "outcome": "lost"},
            ["/deliveries: must be >= 1", "/outcome: must be one of: sent, failed"],
        ),
    ):
        answer = client.post("/_emulator/wait", json=body)
        assert answer.status_code == 400, body
        assert error_of(answer)["details"] == details


@pytest.fixture
def delayed_server() -> Iterator[str]:
    """A live emulator on a real clock with a creation delay: nothing but time creates its messages."""
    config = make_config(creation_delay=CreationDelay(0.3, 0.3))
    server = LiveServer.emulator(config)
    url = server.start()
    yield url
    server.stop()


def test_live_wait_wakes_when_a_delayed_message_becomes_due(delayed_server: str):
    with httpx.Client(base_url=delayed_server, headers=AUTH, timeout=30) as client:
        uid = post_message(client, MESSAGE)
        assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
        waited = client.post("/_emulator/wait", json={"message_uid": uid, "timeout": 20}).json()
        assert waited["satisfied"] is True
        # It woke when the message was due, not at its timeout (the last check before giving up).
        assert waited["waited"] < 20
        assert read_message(client, uid)["text"] == "Hello"


def test_live_wait_for_deliveries_wakes_on_another_request(live_client: httpx.Client, receiver: Receiver):
    live_client.patch(
        f"/channels/{CHANNEL}", json={"settings": {"webhook_url": receiver.url, "undo_send_time": 5}}
    )
    freeze(live_client)
    conversation_id = conversation_id_of(live_client, post_message(live_client, MESSAGE))
    live_client.post(f"/conversations/{conversation_id}/messages", json={"body": "<p>x</p>"})
    results: list[dict[str, Any]] = []
    waiter = threading.Thread(
        target=lambda: results.append(
            live_client.post(
                "/_emulator/wait",
                json={"deliveries": 1, "outcome": "sent", "timeout": 20, "channel_id": CHANNEL},
            ).json()
        )
    )
    waiter.start()
    advance(live_client, 5)
    waiter.join(timeout=30)
    [waited] = results
    assert waited["satisfied"] is True and waited["deliveries"] == 1
    assert waited["waited"] < 20
    assert len(receiver.wait_for(1)) == 1
    live_client.post("/_emulator/reset")


# -- the OpenAPI document ------------------------------------------------------------------------------


def _app_control_routes(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Route) and (prefix + route.path).startswith("/_emulator"):
            found |= {
                (prefix + route.path, method.lower()) for method in route.methods or () if method != "HEAD"
            }
        elif isinstance(route, Mount):
            found |= _app_control_routes(list(route.routes), prefix + route.path)
    return found


def test_openapi_lists_every_control_route_with_its_schemas(client):
    answer = client.get("/_emulator/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    listed = {(path, method) for path, operations in document["paths"].items() for method in operations}
    # The inspector (/_emulator/ui) is a web UI, not part of the API the document describes.
    routes = {
        route for route in _app_control_routes(client.app.routes) if not route[0].startswith("/_emulator/ui")
    }
    assert routes and routes == listed
    schemas = document["components"]["schemas"]

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(document["paths"]):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    # Every route of the control plane names its schemas.
    for path, method in routes:
        operation = document["paths"][path][method]
        answers = operation["responses"]
        assert "default" not in answers, f"{method} {path} is not described in emulator/control/openapi.py"
        for status, described in answers.items():
            if status != "204":
                assert "$ref" in described["content"]["application/json"]["schema"], (path, method, status)
    wait = document["paths"]["/_emulator/wait"]["post"]
    assert wait["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/wait-request"
    }
