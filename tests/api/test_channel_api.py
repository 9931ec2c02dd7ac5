"""Front's Channel API through HTTP: inbound and outbound syncs of an application channel, their JWTs,
threading by external conversation id, and the JWT reading its own channel's messages only."""

from __future__ import annotations

from typing import Any

import jwt
from starlette.testclient import TestClient

from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from tests.channel_jwts import APP_CHANNEL, APP_SECRET, bearer, channel_claims, channel_jwt
from tests.conftest import AUTH, CHANNEL, post_message

INBOUND = f"/channels/{APP_CHANNEL}/inbound_messages"
OUTBOUND = f"/channels/{APP_CHANNEL}/outbound_messages"


def inbound(external_id: str = "m1", conversation: str = "c1", **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "sender": {"handle": "+1 (555) 010-1234", "name": "Bo"},
        "subject": "Order 42",
        "body": "Where is <b>my order</b>?",
        "metadata": {"external_id": external_id, "external_conversation_id": conversation},
    }
    document.update(changes)
    return document


def sync(client: TestClient, path: str, document: dict[str, Any]) -> str:
    answer = client.post(path, json=document, headers=bearer(channel_jwt()))
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "accepted"
    return str(answer.json()["message_uid"])


def test_inbound_sync_creates_a_message_with_its_external_ids(client: TestClient) -> None:
    uid = sync(
        client,
        INBOUND,
        inbound(
            delivered_at=1_700_000_000,
            metadata={
                "external_id": "m1",
                "external_conversation_id": "c1",
                "referenced_message_external_id": "m0",
            },
        ),
    )
    message = client.get(f"/messages/alt:uid:{uid}").json()
    assert message["is_inbound"] is True
    assert message["metadata"] == {
        "external_id": "m1",
        "external_conversation_id": "c1",
        "referenced_message_external_id": "m0",
    }
    # delivered_at (seconds) is when the message happened; phone handles are normalised as for custom ones.
    assert message["created_at"] == 1_700_000_000
    assert [(r["handle"], r["role"], r["name"]) for r in message["recipients"]] == [
        ("+15550101234", "from", "Bo"),
        ("partner-chat", "to", None),
    ]
    assert message["body"] == "Where is <b>my order</b>?"


def test_syncs_thread_by_external_conversation_id_within_the_channel(client: TestClient) -> None:
    first = client.get(f"/messages/alt:uid:{sync(client, INBOUND, inbound('m1', 'c1'))}").json()
    same = client.get(f"/messages/alt:uid:{sync(client, INBOUND, inbound('m2', 'c1'))}").json()
    other = client.get(f"/messages/alt:uid:{sync(client, INBOUND, inbound('m3', 'c2'))}").json()
    conversation = first["_links"]["related"]["conversation"]
    assert same["_links"]["related"]["conversation"] == conversation
    assert other["_links"]["related"]["conversation"] != conversation


def test_outbound_sync_is_a_sent_message_that_is_not_delivered_back(client: TestClient) -> None:
    sync(client, INBOUND, inbound("m1", "c1"))
    uid = sync(
        client,
        OUTBOUND,
        {
            "to": [{"handle": "+15550101234", "name": "Bo"}],
            "sender_name": "Grace at Partner",
            "author_id": "tea_1b02",
            "body": "On its way",
            "metadata": {"external_id": "m2", "external_conversation_id": "c1"},
        },
    )
    message = client.get(f"/messages/alt:uid:{uid}").json()
    assert message["is_inbound"] is False
    assert message["author"]["id"] == "tea_1b02"
    assert [(r["handle"], r["role"], r["name"]) for r in message["recipients"]] == [
        ("partner-chat", "from", "Grace at Partner"),
        ("+15550101234", "to", "Bo"),
    ]
    conversation = client.get(message["_links"]["related"]["conversation"] + "/messages").json()
    assert [item["metadata"]["external_id"] for item in conversation["_results"]] == ["m2", "m1"]
    assert client.get(f"/_emulator/messages/{message['id']}").json()["delivery_status"] == "sent"
    assert client.get("/_emulator/deliveries").json()["_results"] == []


def test_outbound_sync_refuses_an_unknown_author(client: TestClient) -> None:
    document = {
        "to": [{"handle": "bo"}],
        "body": "x",
        "author_id": "tea_999",
        "metadata": {"external_id": "m1", "external_conversation_id": "c1"},
    }
    answer = client.post(OUTBOUND, json=document, headers=bearer(channel_jwt()))
    assert answer.status_code == 400
    assert answer.json()["_error"]["details"] == ["/author_id: no teammate tea_999 in this workspace"]


def test_a_repeated_external_id_is_refused_and_creates_nothing(client: TestClient) -> None:
    uid = sync(client, INBOUND, inbound("m1"))
    again = client.post(INBOUND, json=inbound("m1", "c9"), headers=bearer(channel_jwt()))
    assert again.status_code == 409
    assert again.json()["_error"]["message"] == (
        f"Channel {APP_CHANNEL} already has a message with external_id 'm1' (message_uid {uid})"
    )
    assert client.get("/_emulator/readyz").json()["messages"] == 1


def test_creation_is_asynchronous_as_for_custom_channels(make_client: Any) -> None:
    clock = FrozenClock(1_700_000_000.0)
    client = make_client(clock=clock, creation_delay=CreationDelay(2, 2))
    token = channel_jwt(exp=1_700_000_100)
    answer = client.post(INBOUND, json=inbound(), headers=bearer(token))
    assert answer.status_code == 202
    uid = answer.json()["message_uid"]
    assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
    client.post("/_emulator/clock/advance", json={"seconds": 2})
    assert client.get(f"/messages/alt:uid:{uid}").status_code == 200


def test_a_custom_channel_refuses_the_channel_api_naming_incoming_messages(client: TestClient) -> None:
    answer = client.post(
        f"/channels/{CHANNEL}/inbound_messages", json=inbound(), headers=bearer(channel_jwt(CHANNEL))
    )
    assert answer.status_code == 400
    assert f"POST /channels/{CHANNEL}/incoming_messages" in answer.json()["_error"]["message"]


def test_a_bad_sync_body_is_refused_with_each_field(client: TestClient) -> None:
    answer = client.post(
        INBOUND,
        json={"sender": {}, "body": "hi", "metadata": {"external_id": "m1"}},
        headers=bearer(channel_jwt()),
    )
    assert answer.status_code == 400
    assert answer.json()["_error"]["details"] == [
        "/metadata/external_conversation_id: required",
        "/sender/handle: required",
    ]
    text = client.post(
        INBOUND, content=b"hi", headers={**bearer(channel_jwt()), "content-type": "text/plain"}
    )
    assert text.status_code == 415
    assert client.get("/_emulator/readyz").json()["messages"] == 0


def test_multipart_inbound_sync_with_an_attachment(client: TestClient) -> None:
    fields = {
        "sender[handle]": "bo@example.test",
        "body": "see attached",
        "metadata[external_id]": "m1",
        "metadata[external_conversation_id]": "c1",
        "delivered_at": "1700000000",
    }
    answer = client.post(
        INBOUND,
        data=fields,
        files={"attachments[0]": ("note.txt", b"hello", "text/plain")},
        headers=bearer(channel_jwt()),
    )
    assert answer.status_code == 202, answer.text
    message = client.get(f"/messages/alt:uid:{answer.json()['message_uid']}").json()
    assert message["created_at"] == 1_700_000_000
    assert [(item["filename"], item["size"]) for item in message["attachments"]] == [("note.txt", 5)]


# -- the JWT ----------------------------------------------------------------------------------------


def refusal(client: TestClient, headers: dict[str, str]) -> str:
    answer = client.post(INBOUND, json=inbound(), headers=headers)
    assert answer.status_code == 401, answer.text
    return str(answer.json()["_error"]["message"])


def test_each_jwt_failure_is_a_401_naming_its_cause(client: TestClient) -> None:
    assert "bad signature" in refusal(
        client, bearer(channel_jwt(secret="another-secret-of-32-bytes-or-more"))
    )
    assert "unknown issuer 'nobody'" in refusal(client, bearer(channel_jwt(iss="nobody")))
    assert "sub 'cha_1a01' is not the channel in the path" in refusal(client, bearer(channel_jwt(CHANNEL)))
    assert "expired" in refusal(client, bearer(channel_jwt(exp=1_000_000_000)))
    claims = channel_claims()
    del claims["jti"]
    assert "missing claim jti" in refusal(client, bearer(jwt.encode(claims, APP_SECRET, algorithm="HS256")))
    unsigned = jwt.encode(channel_claims(), None, algorithm="none")
    assert "algorithm 'none' is not accepted, only HS256" in refusal(client, bearer(unsigned))
    hs512 = jwt.encode(channel_claims(), APP_SECRET * 2, algorithm="HS512")
    assert "algorithm 'HS512' is not accepted" in refusal(client, bearer(hs512))
    assert "not a JWT" in refusal(client, bearer("garbage"))
    assert "must be 'Bearer <a channel JWT" in refusal(client, {"Authorization": "Basic eDp5"})
    del client.headers["Authorization"]
    assert refusal(client, {}).startswith("Missing token: the Channel API takes Authorization: Bearer")


def test_an_api_token_is_told_a_channel_jwt_is_required(client: TestClient) -> None:
    message = refusal(client, AUTH)
    assert message.startswith("An API token cannot call the Channel API: send a channel JWT")


def test_a_jwt_of_another_application_is_refused(client: TestClient) -> None:
    created = client.post("/_emulator/applications", json={"name": "Other", "webhook_url": "http://x.test/"})
    other = created.json()
    token = channel_jwt(iss=other["uid"], secret=other["secret"])
    assert f"channel {APP_CHANNEL} is not a channel of application {other['uid']}" in refusal(
        client, bearer(token)
    )


def test_expiry_allows_a_five_second_leeway_on_the_emulator_clock(make_client: Any) -> None:
    clock = FrozenClock(1_700_000_000.0)
    client = make_client(clock=clock)
    late = client.post(INBOUND, json=inbound("m1"), headers=bearer(channel_jwt(exp=1_699_999_995)))
    assert late.status_code == 202, late.text
    too_late = client.post(INBOUND, json=inbound("m2"), headers=bearer(channel_jwt(exp=1_699_999_994)))
    assert too_late.status_code == 401


def test_a_reused_jti_is_accepted(client: TestClient) -> None:
    token = channel_jwt(jti="same")
    for external_id in ("m1", "m2"):
        assert client.post(INBOUND, json=inbound(external_id), headers=bearer(token)).status_code == 202


def test_the_jwt_reads_its_own_channel_and_nothing_else(client: TestClient) -> None:
    own = sync(client, INBOUND, inbound())
    other = post_message(client, {"sender": {"handle": "ada"}, "body": "custom"})
    token = bearer(channel_jwt())
    message = client.get(f"/messages/alt:uid:{own}", headers=token)
    assert message.status_code == 200
    conversation = message.json()["_links"]["related"]["conversation"]
    assert client.get(conversation, headers=token).status_code == 200
    assert client.get(conversation + "/messages", headers=token).status_code == 200
    foreign = client.get(f"/messages/alt:uid:{other}", headers=token)
    assert foreign.status_code == 403
    assert f"reads only channel {APP_CHANNEL}'s resources" in foreign.json()["_error"]["message"]
    foreign_conversation = client.get(f"/messages/alt:uid:{other}").json()["_links"]["related"][
        "conversation"
    ]
    assert client.get(foreign_conversation, headers=token).status_code == 403
    # Other routes still want an API token.
    assert client.get("/channels", headers=token).status_code == 401


def test_the_app_reports_its_channel_offline_and_back(client: TestClient) -> None:
    assert client.get(f"/channels/{APP_CHANNEL}").json()["status"] == "ok"
    offline = client.patch(
        f"/channels/{APP_CHANNEL}", json={"status": "offline"}, headers=bearer(channel_jwt())
    )
    assert offline.status_code == 204, offline.text
    assert client.get(f"/channels/{APP_CHANNEL}").json()["status"] == "offline"
    bad = client.patch(f"/channels/{APP_CHANNEL}", json={"status": "down"}, headers=bearer(channel_jwt()))
    assert bad.status_code == 400
    assert bad.json()["_error"]["details"] == ["/status: must be one of: offline, ok"]
    back = client.patch(f"/channels/{APP_CHANNEL}", json={"status": "ok"}, headers=bearer(channel_jwt()))
    assert back.status_code == 204
    assert client.get(f"/channels/{APP_CHANNEL}").json()["status"] == "ok"
    # With an API token the route is still the Core API's settings change; custom channels show no status.
    assert client.patch(f"/channels/{CHANNEL}", json={"name": "Renamed"}).status_code == 204
    assert "status" not in client.get(f"/channels/{CHANNEL}").json()
