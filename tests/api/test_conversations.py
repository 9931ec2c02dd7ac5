"""Conversation actions through Front's API: PATCH with assignee_id and status, PUT …/assignee, each
recorded as an event; a refused action changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import post_message, read_message

ADA = "tea_1b01"
GRACE = "tea_1b02"


def new_conversation(client: TestClient) -> str:
    message = read_message(client, post_message(client, {"sender": {"handle": "visitor-1"}, "body": "hi"}))
    return str(message["_links"]["related"]["conversation"].rsplit("/", 1)[1])


def conversation(client: TestClient, conversation_id: str) -> dict[str, Any]:
    return dict(client.get(f"/conversations/{conversation_id}").json())


def event_types(client: TestClient, conversation_id: str) -> list[str]:
    events = client.get(f"/conversations/{conversation_id}/events").json()["_results"]
    return [event["type"] for event in events]


def test_patch_assignee_alone_assigns(client):
    conversation_id = new_conversation(client)
    answer = client.patch(f"/conversations/{conversation_id}", json={"assignee_id": ADA})
    assert answer.status_code == 204, answer.text
    found = conversation(client, conversation_id)
    assert found["assignee"]["id"] == ADA
    assert found["status"] == "assigned"
    assert event_types(client, conversation_id) == ["assign", "inbound"]
    assigned = client.get(f"/teammates/{ADA}/conversations").json()["_results"]
    assert [item["id"] for item in assigned] == [conversation_id]


def test_patch_assignee_and_status_together(client):
    conversation_id = new_conversation(client)
    body = {"assignee_id": "alt:email:grace@example.test", "status": "archived"}
    assert client.patch(f"/conversations/{conversation_id}", json=body).status_code == 204
    found = conversation(client, conversation_id)
    assert (found["assignee"]["id"], found["status"]) == (GRACE, "archived")
    assert event_types(client, conversation_id) == ["archive", "assign", "inbound"]
    # Reopened, it goes back to its assignee's list as assigned.
    assert client.patch(f"/conversations/{conversation_id}", json={"status": "open"}).status_code == 204
    assert conversation(client, conversation_id)["status"] == "assigned"


def test_put_assignee_assigns_reassigns_and_unassigns(client):
    conversation_id = new_conversation(client)
    url = f"/conversations/{conversation_id}/assignee"
    assert client.put(url, json={"assignee_id": ADA}).status_code == 204
    assert client.put(url, json={"assignee_id": "alt%3Aemail%3Agrace%40example.test"}).status_code == 204
    assert conversation(client, conversation_id)["assignee"]["id"] == GRACE
    assert client.put(url, json={"assignee_id": GRACE}).status_code == 204
    assert client.put(url, json={"assignee_id": None}).status_code == 204
    found = conversation(client, conversation_id)
    assert (found["assignee"], found["status"]) == (None, "unassigned")
    events = client.get(f"/conversations/{conversation_id}/events").json()["_results"]
    assert [event["type"] for event in events] == ["unassign", "assign", "assign", "inbound"]
    assert events[0]["target"]["data"]["id"] == GRACE
    assert events[0]["source"] == {"_meta": {"type": "api"}}


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "details"),
    [
        (
            "PATCH",
            "",
            {"assignee_id": "tea_nope"},
            400,
            ["/assignee_id: no teammate tea_nope in this workspace"],
        ),
        (
            "PATCH",
            "",
            {"assignee_id": "alt:email:nobody@example.test", "status": "archived"},
            400,
            ["/assignee_id: no teammate alt:email:nobody@example.test in this workspace"],
        ),
        (
            "PATCH",
            "",
            {"status": "archived", "custom_fields": {}, "inbox_id": "inb_1c02"},
            400,
            [
                "/custom_fields: not emulated yet; send status, assignee_id or tag_ids",
                "/inbox_id: not emulated yet; send status, assignee_id or tag_ids",
            ],
        ),
        ("PATCH", "", {"status": "spam"}, 400, ["/status: spam is not emulated yet"]),
        ("PUT", "/assignee", {}, 400, ["/assignee_id: required"]),
        (
            "PUT",
            "/assignee",
            {"assignee_id": "tea_nope"},
            400,
            ["/assignee_id: no teammate tea_nope in this workspace"],
        ),
    ],
)
def test_a_refused_action_changes_nothing(client, method, path, body, status, details):
    conversation_id = new_conversation(client)
    before = conversation(client, conversation_id)
    answer = client.request(method, f"/conversations/{conversation_id}{path}", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["_error"]["details"] == details
    assert conversation(client, conversation_id) == before
    assert event_types(client, conversation_id) == ["inbound"]


def test_actions_need_conversations_write(client):
    conversation_id = new_conversation(client)
    read_only = {"Authorization": "Bearer front-emulator-read-only"}
    answer = client.put(
        f"/conversations/{conversation_id}/assignee", json={"assignee_id": ADA}, headers=read_only
    )
    assert answer.status_code == 403
    assert answer.json()["_error"]["message"] == "Token lacks the required conversations:write scope"
    assert client.put("/conversations/cnv_nope/assignee", json={"assignee_id": ADA}).status_code == 404


# -- comments ----------------------------------------------------------------------------------------


def test_comments_are_added_listed_newest_first_and_read_back(client):
    conversation_id = new_conversation(client)
    url = f"/conversations/{conversation_id}/comments"
    first = client.post(url, json={"body": "Can you take this, @grace?", "author_id": ADA})
    assert first.status_code == 201, first.text
    second = client.post(
        url, json={"body": "On it", "author_id": "alt:email:grace@example.test", "is_pinned": True}
    )
    assert second.status_code == 201, second.text
    comment = first.json()
    assert comment["author"]["id"] == ADA
    assert comment["body"] == "Can you take this, @grace?"
    assert comment["is_pinned"] is False and second.json()["is_pinned"] is True
    assert client.get(comment["_links"]["self"]).json() == comment
    listed = client.get(url).json()["_results"]
    assert [item["id"] for item in listed] == [second.json()["id"], comment["id"]]
    mentions = client.get(comment["_links"]["related"]["mentions"]).json()["_results"]
    assert [item["id"] for item in mentions] == [GRACE]
    events = client.get(f"/conversations/{conversation_id}/events").json()["_results"]
    assert [event["type"] for event in events] == ["comment", "comment", "inbound"]
    assert events[0]["target"] == {"_meta": {"type": "comment"}, "data": second.json()}
    assert events[0]["source"]["_meta"] == {"type": "teammate"} and events[0]["source"]["data"]["id"] == GRACE


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"body": "hi"}, ["/author_id: required: a comment needs its teammate author"]),
        ({"body": "hi", "author_id": "tea_nope"}, ["/author_id: no teammate tea_nope in this workspace"]),
        ({"body": "", "author_id": ADA}, ["/body: must not be empty"]),
    ],
)
def test_a_refused_comment_adds_nothing(client, body, details):
    conversation_id = new_conversation(client)
    answer = client.post(f"/conversations/{conversation_id}/comments", json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["_error"]["details"] == details
    assert client.get(f"/conversations/{conversation_id}/comments").json()["_results"] == []
    assert event_types(client, conversation_id) == ["inbound"]


def test_comments_need_their_scopes(client):
    conversation_id = new_conversation(client)
    read_only = {"Authorization": "Bearer front-emulator-read-only"}
    answer = client.post(
        f"/conversations/{conversation_id}/comments", json={"body": "x", "author_id": ADA}, headers=read_only
    )
    assert answer.json()["_error"]["message"] == "Token lacks the required comments:write scope"
    assert client.get("/comments/com_nope").status_code == 404
    assert client.get("/comments/com_nope/mentions").status_code == 404


# -- tags --------------------------------------------------------------------------------------------


def new_tag(client: TestClient, name: str, **fields: Any) -> dict[str, Any]:
    answer = client.post("/tags", json={"name": name, **fields})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_tags_are_created_listed_and_read_back(client):
    vip = new_tag(client, "VIP", highlight="red", description="pays", is_visible_in_conversation_lists=True)
    assert (vip["name"], vip["highlight"], vip["description"]) == ("VIP", "red", "pays")
    assert vip["is_visible_in_conversation_lists"] is True
    later = new_tag(client, "Later")
    assert later["highlight"] is None and later["is_visible_in_conversation_lists"] is False
    assert [item["id"] for item in client.get("/tags").json()["_results"]] == [vip["id"], later["id"]]
    assert client.get(vip["_links"]["self"]).json() == vip
    again = client.post("/tags", json={"name": "vip"})
    assert again.status_code == 409
    assert again.json()["_error"]["message"] == "A tag named vip already exists"
    assert client.get("/tags/tag_nope").status_code == 404


def test_tagging_and_untagging_a_conversation(client):
    conversation_id = new_conversation(client)
    vip = new_tag(client, "VIP")
    later = new_tag(client, "Later")
    url = f"/conversations/{conversation_id}/tags"
    assert client.post(url, json={"tag_ids": [vip["id"], later["id"], vip["id"]]}).status_code == 204
    assert [item["id"] for item in conversation(client, conversation_id)["tags"]] == [vip["id"], later["id"]]
    tagged = client.get(vip["_links"]["related"]["conversations"]).json()["_results"]
    assert [item["id"] for item in tagged] == [conversation_id]
    assert client.request("DELETE", url, json={"tag_ids": [vip["id"]]}).status_code == 204
    assert [item["id"] for item in conversation(client, conversation_id)["tags"]] == [later["id"]]
    assert client.get(vip["_links"]["related"]["conversations"]).json()["_results"] == []
    events = client.get(f"/conversations/{conversation_id}/events").json()["_results"]
    assert [event["type"] for event in events] == ["untag", "tag", "tag", "inbound"]
    assert events[0]["target"] == {"_meta": {"type": "tag"}, "data": vip}


def test_patch_tag_ids_sets_the_conversations_tags(client):
    conversation_id = new_conversation(client)
    vip, later = new_tag(client, "VIP"), new_tag(client, "Later")
    url = f"/conversations/{conversation_id}"
    assert client.patch(url, json={"tag_ids": [vip["id"]]}).status_code == 204
    assert client.patch(url, json={"tag_ids": [later["id"]], "status": "archived"}).status_code == 204
    found = conversation(client, conversation_id)
    assert ([item["id"] for item in found["tags"]], found["status"]) == ([later["id"]], "archived")
    assert event_types(client, conversation_id) == ["archive", "tag", "untag", "tag", "inbound"]


@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH"])
def test_an_unknown_tag_is_refused_and_tags_nothing(client, method):
    conversation_id = new_conversation(client)
    vip = new_tag(client, "VIP")
    path = f"/conversations/{conversation_id}" + ("" if method == "PATCH" else "/tags")
    answer = client.request(method, path, json={"tag_ids": [vip["id"], "tag_nope"]})
    assert answer.status_code == 400, answer.text
    assert answer.json()["_error"]["details"] == ["/tag_ids/1: no tag tag_nope in this workspace"]
    assert conversation(client, conversation_id)["tags"] == []
    assert event_types(client, conversation_id) == ["inbound"]


def test_tags_need_their_scopes(client):
    read_only = {"Authorization": "Bearer front-emulator-read-only"}
    assert client.get("/tags", headers=read_only).status_code == 200
    answer = client.post("/tags", json={"name": "x"}, headers=read_only)
    assert answer.json()["_error"]["message"] == "Token lacks the required tags:write scope"
