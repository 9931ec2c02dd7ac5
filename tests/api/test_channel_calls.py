"""Front's Channel API calls through HTTP, with real channel JWTs: a voice application channel's app reports
a call, its status changes, recording, summary and transcript; each shows on the call (control plane) and
on its message of type `call`; every refusal names its cause and changes nothing."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from emulator.harness import EmulatorClient, EmulatorError
from emulator.schemas import all_schemas, validator
from tests.api.test_channel_api_schemas import _differences
from tests.channel_jwts import APP_CHANNEL, bearer, channel_jwt
from tests.conftest import AUTH, CHANNEL, IN_PROCESS_URL

CALLS = f"/channels/{APP_CHANNEL}/calls"
CONTROL = f"/_emulator/channels/{APP_CHANNEL}/calls"
SPEC_DIRECTORY = Path(__file__).resolve().parents[2] / "spec"
SPEC: dict[str, Any] = json.loads((SPEC_DIRECTORY / "front-channel-api.extract.json").read_text("utf-8"))
SPEC_CORE: dict[str, Any] = json.loads((SPEC_DIRECTORY / "front-core-api.extract.json").read_text("utf-8"))
STATUSES = ["queued", "ringing", "connected", "hold", "hangup", "abandoned", "missed", "transferred"]
ENDED = {"hangup", "abandoned", "missed", "transferred"}


@pytest.fixture
def client(fresh_client: TestClient) -> TestClient:
    return fresh_client


def new_call(external_call_id: str = "call-1", direction: str = "inbound", **changes: Any) -> dict[str, Any]:
    party = "from" if direction == "inbound" else "to"
    document: dict[str, Any] = {
        "external_call_id": external_call_id,
        "initial_status": "ringing",
        "direction": direction,
        party: {"handle": "+1 (555) 010-1234", "name": "Bo"},
        "parent_external_call_id": "",
    }
    document.update(changes)
    return document


def jwt_headers() -> dict[str, str]:
    return bearer(channel_jwt())


def report(client: TestClient, method: str, path: str, **sent: Any) -> None:
    answer = client.request(method, path, headers=jwt_headers(), **sent)
    assert answer.status_code == 202, answer.text
    # Front's spec gives these answers no body.
    assert answer.content == b""


def call_state(client: TestClient, external_call_id: str = "call-1") -> dict[str, Any]:
    answer = client.get(f"{CONTROL}/{external_call_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def refused(client: TestClient, method: str, path: str, status: int, **sent: Any) -> dict[str, Any]:
    headers = sent.pop("headers", None) or jwt_headers()
    answer = client.request(method, path, headers=headers, **sent)
    assert answer.status_code == status, answer.text
    return dict(answer.json()["_error"])


def test_an_inbound_call_is_a_call_message_from_the_caller(client: TestClient) -> None:
    report(client, "POST", CALLS, json=new_call(started_at=1_700_000_000_500))
    call = call_state(client)
    assert (call["status"], call["direction"], call["started_at"]) == ("ringing", "inbound", 1_700_000_000.5)
    message = client.get(f"/messages/{call['message_id']}").json()
    assert message["type"] == "call"
    assert message["is_inbound"] is True
    assert message["created_at"] == 1_700_000_000.5
    assert [(r["handle"], r["role"], r["name"]) for r in message["recipients"]] == [
        ("+15550101234", "from", "Bo"),
        ("partner-chat", "to", None),
    ]
    assert message["body"] == "<p>Inbound call from Bo (+1 (555) 010-1234): ringing</p>"
    assert message["metadata"] == {"external_id": "call-1"}
    conversation = client.get(message["_links"]["related"]["conversation"]).json()
    assert conversation["id"] == call["conversation_id"]
    assert conversation["status"] == "unassigned"


def test_an_outbound_call_goes_from_the_channel_to_the_callee_as_its_agent(client: TestClient) -> None:
    report(client, "POST", CALLS, json=new_call(direction="outbound", agent_email_address="ada@example.test"))
    message = client.get(f"/messages/{call_state(client)['message_id']}").json()
    assert message["is_inbound"] is False
    assert message["author"]["id"] == "tea_1b01"
    assert [(r["handle"], r["role"]) for r in message["recipients"]] == [
        ("partner-chat", "from"),
        ("+15550101234", "to"),
    ]
    assert message["text"] == "Outbound call to Bo (+1 (555) 010-1234): ringing"
    # A call is no teammate's message to deliver: the app placed it.
    assert client.get("/_emulator/deliveries").json()["_results"] == []


def test_status_changes_make_the_history_and_the_duration(client: TestClient) -> None:
    report(client, "POST", CALLS, json=new_call(started_at=1_700_000_000_000))
    for status, at in [
        ("connected", 1_700_000_003_000),
        ("hold", 1_700_000_010_000),
        ("hangup", 1_700_000_045_400),
    ]:
        report(client, "PATCH", f"{CALLS}/call-1", json={"call_status": status, "occurred_at": at})
    call = call_state(client)
    assert [(item["status"], item["occurred_at"]) for item in call["history"]] == [
        ("ringing", 1_700_000_000.0),
        ("connected", 1_700_000_003.0),
        ("hold", 1_700_000_010.0),
        ("hangup", 1_700_000_045.4),
    ]
    assert (call["status"], call["has_ended"], call["duration"]) == ("hangup", True, 42)
    message = client.get(f"/messages/{call['message_id']}").json()
    assert message["metadata"] == {"external_id": "call-1", "duration": 42}
    assert message["blurb"] == "Inbound call from Bo (+1 (555) 010-1234): hangup"


def test_an_ended_call_refuses_a_status_change_and_keeps_its_history(client: TestClient) -> None:
    report(client, "POST", CALLS, json=new_call())
    report(client, "PATCH", f"{CALLS}/call-1", json={"call_status": "missed"})
    before = call_state(client)
    error = refused(client, "PATCH", f"{CALLS}/call-1", 409, json={"call_status": "connected"})
    assert error["message"].startswith("Call 'call-1' has ended (missed): its status no longer changes")
    assert call_state(client) == before
    assert before["duration"] is None  # never connected


def test_a_transferred_call_threads_into_the_conversation_of_the_call_it_came_from(
    client: TestClient,
) -> None:
    report(client, "POST", CALLS, json=new_call("leg-1"))
    report(client, "PATCH", f"{CALLS}/leg-1", json={"call_status": "transferred"})
    report(client, "POST", CALLS, json=new_call("leg-2", parent_external_call_id="leg-1"))
    report(client, "POST", CALLS, json=new_call("leg-3", parent_external_call_id="leg-2"))
    report(client, "POST", CALLS, json=new_call("other"))
    # A parent the channel does not know names a thread of its own, which its other legs join.
    report(client, "POST", CALLS, json=new_call("pbx-a", parent_external_call_id="pbx-root"))
    report(client, "POST", CALLS, json=new_call("pbx-b", parent_external_call_id="pbx-root"))
    conversations = {
        name: call_state(client, name)["conversation_id"] for name in ("leg-1", "leg-2", "leg-3")
    }
    assert len(set(conversations.values())) == 1
    assert call_state(client, "other")["conversation_id"] not in conversations.values()
    assert call_state(client, "pbx-a")["conversation_id"] == call_state(client, "pbx-b")["conversation_id"]
    listed = client.get(f"/conversations/{conversations['leg-1']}/messages?sort_order=asc").json()["_results"]
    assert [item["metadata"]["external_id"] for item in listed] == ["leg-1", "leg-2", "leg-3"]
    assert [item["external_call_id"] for item in client.get(CONTROL).json()["_results"]] == [
        "leg-1",
        "leg-2",
        "leg-3",
        "other",
        "pbx-a",
        "pbx-b",
    ]


def test_recording_summary_and_transcript_show_on_the_call_and_its_message(client: TestClient) -> None:
    report(client, "POST", CALLS, json=new_call())
    audio = b"ID3\x04fake mp3"
    report(
        client,
        "POST",
        f"{CALLS}/call-1/recording",
        data={"recording_type": "voicemail"},
        files={"attachments": ("voicemail.mp3", audio, "audio/mpeg")},
    )
    report(client, "POST", f"{CALLS}/call-1/summary", json={"content": "First <draft>"})
    report(client, "POST", f"{CALLS}/call-1/summary", json={"content": "Asked where order 42 is"})
    line = {
        "speaker_name": "Bo",
        "content": "Where is it?",
        "start_time_seconds": 65,
        "speaker_type": "external",
    }
    later = {**line, "speaker_name": "Ada", "content": "On its way", "start_time_seconds": 70.5}
    report(client, "POST", f"{CALLS}/call-1/transcript", json={"lines": [line]})
    report(
        client, "POST", f"{CALLS}/call-1/transcript", json={"lines": [{**later, "speaker_type": "internal"}]}
    )
    call = call_state(client)
    assert call["summary"] == "Asked where order 42 is"
    assert [item["speaker_name"] for item in call["transcript"]] == ["Bo", "Ada"]
    [recording] = call["recordings"]
    assert (recording["recording_type"], recording["filename"], recording["size"]) == (
        "voicemail",
        "voicemail.mp3",
        len(audio),
    )
    message = client.get(f"/messages/{call['message_id']}").json()
    assert [item["url"] for item in message["attachments"]] == [recording["url"]]
    download = client.get(recording["url"])
    assert download.status_code == 200
    assert download.content == audio
    assert download.headers["content-type"].startswith("audio/mpeg")
    assert message["text"].splitlines()[2:] == [
        "Summary: Asked where order 42 is",
        "",
        "Transcript:",
        "",
        "[1:05] Bo (external): Where is it?",
        "",
        "[1:10] Ada (internal): On its way",
    ]


def test_a_recording_must_be_one_audio_file_in_a_form(make_client: Any) -> None:
    client = make_client(max_attachments_bytes=64)
    report(client, "POST", CALLS, json=new_call())
    path = f"{CALLS}/call-1/recording"
    form = {"recording_type": "call"}
    mp3 = ("call.mp3", b"ID3", "audio/mpeg")
    assert refused(client, "POST", path, 415, json=form)["message"].startswith(
        "Send the recording as multipart/form-data with one audio file"
    )
    assert refused(client, "POST", path, 400, files={"recording_type": (None, "call")})["details"] == [
        "/attachments: exactly one audio file, not 0: send multipart/form-data with one audio file "
        "(Content-Type audio/*) in the `attachments` field and `recording_type` (call or voicemail)"
    ]
    assert refused(client, "POST", path, 400, data=form, files={"audio": mp3})["details"] == [
        "/audio: must be text, not a file"
    ]
    two = [("attachments[0]", mp3), ("attachments[1]", mp3)]
    assert refused(client, "POST", path, 400, data=form, files=two)["details"][0].startswith(
        "/attachments: exactly one audio file, not 2"
    )
    text = {"attachments": ("notes.txt", b"hi", "text/plain")}
    assert refused(client, "POST", path, 400, data=form, files=text)["details"] == [
        "/attachments/0: Content-Type 'text/plain' is not audio/*: a recording is an audio file"
    ]
    assert refused(client, "POST", path, 400, data={"recording_type": "meeting"}, files={"attachments": mp3})[
        "details"
    ] == ["/recording_type: must be one of: call, voicemail"]
    big = {"attachments": ("long.mp3", b"x" * 65, "audio/mpeg")}
    assert "larger than" in refused(client, "POST", path, 413, data=form, files=big)["message"]
    assert call_state(client)["recordings"] == []


def test_every_call_route_answers_404_for_a_call_the_channel_does_not_have(client: TestClient) -> None:
    for method, suffix, sent in [
        ("PATCH", "", {"json": {"call_status": "connected"}}),
        (
            "POST",
            "/recording",
            {"data": {"recording_type": "call"}, "files": {"attachments": ("a.mp3", b"1", "audio/mpeg")}},
        ),
        ("POST", "/summary", {"json": {"content": "x"}}),
        (
            "POST",
            "/transcript",
            {
                "json": {
                    "lines": [
                        {
                            "speaker_name": "a",
                            "content": "b",
                            "start_time_seconds": 0,
                            "speaker_type": "internal",
                        }
                    ]
                }
            },
        ),
    ]:
        error = refused(client, method, f"{CALLS}/nope{suffix}", 404, **sent)
        assert error["message"] == (
            f"Call 'nope' not found on channel {APP_CHANNEL} "
            f"(create it first with POST /channels/{APP_CHANNEL}/calls)"
        )
    assert client.get(f"{CONTROL}/nope").status_code == 404
    assert client.get(CONTROL).json() == {"_results": []}


def test_a_repeated_external_call_id_is_a_409_and_changes_nothing(client: TestClient) -> None:
    report(client, "POST", CALLS, json=new_call())
    before = call_state(client)
    error = refused(client, "POST", CALLS, 409, json=new_call(direction="outbound"))
    assert error["message"] == (
        f"Channel {APP_CHANNEL} already has a call with external_call_id 'call-1' (status ringing): "
        f"update it with PATCH /channels/{APP_CHANNEL}/calls/call-1"
    )
    assert call_state(client) == before
    assert client.get("/_emulator/readyz").json()["messages"] == 1


def test_bad_bodies_are_refused_with_each_field_and_create_nothing(client: TestClient) -> None:
    inbound_without_caller = new_call()
    del inbound_without_caller["from"]
    assert refused(client, "POST", CALLS, 400, json=inbound_without_caller)["details"] == ["/from: required"]
    assert refused(client, "POST", CALLS, 400, json=new_call(agent_email_address="nobody@example.test"))[
        "details"
    ] == ["/agent_email_address: no teammate with email nobody@example.test in this workspace"]
    assert (
        refused(
            client, "POST", CALLS, 415, content=b"x", headers={**jwt_headers(), "content-type": "text/plain"}
        )["message"]
        == "Send the call as application/json"
    )
    assert client.get("/_emulator/readyz").json()["messages"] == 0
    report(client, "POST", CALLS, json=new_call())
    before = call_state(client)
    assert refused(client, "PATCH", f"{CALLS}/call-1", 400, json={"call_status": "ended"})["details"][
        0
    ].startswith("/call_status: must be one of: queued, ringing")
    assert refused(client, "POST", f"{CALLS}/call-1/summary", 400, json={"content": ""})["details"] == [
        "/content: must not be empty"
    ]
    assert refused(client, "POST", f"{CALLS}/call-1/transcript", 400, json={"lines": []})["details"] == [
        "/lines: must not be empty"
    ]
    assert call_state(client) == before


CALL_ROUTES = [
    ("POST", CALLS, {"json": new_call()}),
    ("PATCH", f"{CALLS}/call-1", {"json": {"call_status": "connected"}}),
    ("POST", f"{CALLS}/call-1/recording", {"data": {"recording_type": "call"}}),
    ("POST", f"{CALLS}/call-1/summary", {"json": {"content": "x"}}),
    ("POST", f"{CALLS}/call-1/transcript", {"json": {"lines": []}}),
]


@pytest.mark.parametrize(("method", "path", "sent"), CALL_ROUTES, ids=[path for _, path, _ in CALL_ROUTES])
def test_each_call_route_takes_only_its_channels_jwt(
    client: TestClient, method: str, path: str, sent: dict[str, Any]
) -> None:
    assert refused(client, method, path, 401, headers=AUTH, **sent)["message"].startswith(
        "An API token cannot call the Channel API: send a channel JWT"
    )
    wrong_secret = bearer(channel_jwt(secret="another-secret-of-32-bytes-or-more"))
    assert "bad signature" in refused(client, method, path, 401, headers=wrong_secret, **sent)["message"]
    custom = path.replace(APP_CHANNEL, CHANNEL)
    message = refused(client, method, custom, 400, headers=bearer(channel_jwt(CHANNEL)), **sent)["message"]
    assert f"a custom channel takes POST /channels/{CHANNEL}/incoming_messages" in message
    assert client.get(CONTROL).json() == {"_results": []}


def test_a_call_takes_every_status_until_one_ends_it(client: TestClient) -> None:
    """Front is silent on transitions: any status follows any, until hangup, abandoned, missed or
    transferred ends the call; then every change is a 409 and the history stays as it was."""
    numbers = itertools.count()

    @settings(max_examples=15, derandomize=True)
    @given(statuses=st.lists(st.sampled_from(STATUSES), max_size=6))
    def check(statuses: list[str]) -> None:
        external_call_id = f"prop-{next(numbers)}"
        report(client, "POST", CALLS, json=new_call(external_call_id))
        accepted = ["ringing"]
        for status in statuses:
            answer = client.patch(
                f"{CALLS}/{external_call_id}", json={"call_status": status}, headers=jwt_headers()
            )
            ended = accepted[-1] in ENDED
            assert answer.status_code == (409 if ended else 202), answer.text
            if not ended:
                accepted.append(status)
        call = call_state(client, external_call_id)
        assert [item["status"] for item in call["history"]] == accepted
        assert call["has_ended"] is (accepted[-1] in ENDED)

    check()


def test_snapshots_and_resets_take_calls_with_them(client: TestClient) -> None:
    report(client, "POST", CALLS, json=new_call())
    snapshot = client.post("/_emulator/snapshot").json()["snapshot_id"]
    report(client, "PATCH", f"{CALLS}/call-1", json={"call_status": "connected"})
    report(client, "POST", f"{CALLS}/call-1/summary", json={"content": "x"})
    assert client.post(f"/_emulator/snapshots/{snapshot}/restore").status_code == 200
    call = call_state(client)
    assert (call["status"], call["summary"]) == ("ringing", None)
    assert client.post("/_emulator/reset").status_code == 204
    assert client.get(CONTROL).json() == {"_results": []}


# -- Front's spec -----------------------------------------------------------------------------------


def test_call_answers_are_the_specs_202_without_a_body() -> None:
    for path, operations in SPEC["paths"].items():
        if "/calls" in path:
            [operation] = operations.values()
            assert "content" not in operation["responses"]["202"], path


def _branch_view(ours: dict[str, Any], front: dict[str, Any]) -> dict[str, Any]:
    """Our one CreateCall schema as Front's branch for one direction: its fields, the direction's required."""
    direction = front["properties"]["direction"]["enum"][0]
    extra = [
        rule["then"]["required"]
        for rule in ours["allOf"]
        if rule["if"]["properties"]["direction"]["const"] == direction
    ]
    return {
        "type": ours["type"],
        "required": [*ours["required"], *extra[0]],
        "properties": {name: ours["properties"][name] for name in front["properties"]},
    }


@pytest.mark.parametrize("branch", ["CreateCallInbound", "CreateCallOutbound"])
def test_the_create_call_schema_agrees_with_each_of_fronts_directions(branch: str) -> None:
    body = SPEC["paths"]["/channels/{channel_id}/calls"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/CreateCall"}
    front = SPEC["components"]["schemas"][branch]
    ours = all_schemas()["channel-call"]
    assert set(ours["properties"]) == {*front["properties"], "from", "to"}
    assert _differences(_branch_view(ours, front), front, "") == []


@pytest.mark.parametrize(
    ("ours", "path", "component"),
    [
        ("channel-call-status", "/channels/{channel_id}/calls/{external_call_id}", "UpdateCall"),
        ("channel-call-summary", "/channels/{channel_id}/calls/{external_call_id}/summary", "AddCallSummary"),
        (
            "channel-call-transcript",
            "/channels/{channel_id}/calls/{external_call_id}/transcript",
            "AddCallTranscript",
        ),
    ],
)
def test_call_update_schemas_agree_with_fronts(ours: str, path: str, component: str) -> None:
    [operation] = SPEC["paths"][path].values()
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{component}"
    }
    front = json.loads(
        json.dumps(SPEC["components"]["schemas"][component]).replace(
            '{"$ref": "#/components/schemas/TranscriptLine"}',
            json.dumps(SPEC["components"]["schemas"]["TranscriptLine"]),
        )
    )
    assert _differences(all_schemas()[ours], front, "") == []


def test_the_recording_form_agrees_with_fronts() -> None:
    path = "/channels/{channel_id}/calls/{external_call_id}/recording"
    form = SPEC["paths"][path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["attachments", "recording_type"]
    ours = all_schemas()["channel-call-recording"]
    assert ours["properties"]["recording_type"]["enum"] == form["properties"]["recording_type"]["enum"]
    assert _differences(ours, SPEC["components"]["schemas"]["AddCallRecordingFormFields"], "") == []


def test_a_call_message_is_a_message_front_declares() -> None:
    """Type `call` and metadata.duration are Front's own; the message schema refuses what is not."""
    front = SPEC_CORE["components"]["schemas"]["MessageResponse"]["properties"]
    assert "call" in front["type"]["enum"]
    assert front["metadata"]["properties"]["duration"]["type"] == "integer"
    schema = validator("message")
    shape = {"type": "fax", "metadata": {"duration": -1}}
    details = schema.details(shape)
    assert "/type: must be one of: custom, call" in details
    assert "/metadata/duration: must be >= 0" in details


def test_the_harness_reads_a_call_and_names_a_missing_one(client: TestClient) -> None:
    front = EmulatorClient(client, IN_PROCESS_URL)
    token = {"Authorization": f"Bearer {front.channel_jwt(APP_CHANNEL)}"}
    front.call("POST", CALLS, expected=202, json=new_call(), headers=token)
    assert front.channel_call(APP_CHANNEL, "call-1")["status"] == "ringing"
    with pytest.raises(EmulatorError, match="Call 'nope' not found on channel"):
        front.channel_call(APP_CHANNEL, "nope")


def test_every_operation_of_fronts_channel_api_is_served(client: TestClient) -> None:
    """Each of the spec's operations reaches its route: without a token each asks for one (401), where an
    unserved path would be a 404 and an unserved method a 405."""
    params = {
        "channel_id": APP_CHANNEL,
        "external_call_id": "call-1",
        "external_id": "t1",
        "conv_ext_id": "c1",
        "message_ext_id": "m1",
    }
    operations = [(method, path) for path, item in SPEC["paths"].items() for method in item]
    assert len(operations) == 11
    # The module's client sends the API token: these requests go without it.
    del client.headers["Authorization"]
    try:
        for method, path in operations:
            answer = client.request(method.upper(), path.format(**params), json={})
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["_error"]["message"].startswith("Missing token"), (method, path)
    finally:
        client.headers.update(AUTH)
