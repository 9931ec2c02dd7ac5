"""Contact writes through HTTP, as Front's spec defines them: POST /contacts, PATCH and DELETE
/contacts/{id}, POST and DELETE /contacts/{id}/handles. Every answer here is checked against schemas/
(make_config sets validate_responses), and the links in them resolve."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator.schemas import all_schemas
from tests.api.test_around import crawl
from tests.conftest import IN_PROCESS_URL, READ_ONLY_TOKEN, SMS_CHANNEL, post_message, read_message
from tests.helpers import assert_front_error
from tests.test_schemas import _compare, _front_request_schema, _front_resolve, _Ours

ADA = {"name": "Ada", "handles": [{"handle": "(555) 010-1234", "source": "phone"}]}


@pytest.fixture
def client(fresh_client: TestClient) -> TestClient:
    return fresh_client


def create(client: TestClient, document: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/contacts", json=document)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def delete_handle(client: TestClient, contact: str, **body: Any) -> Any:
    return client.request("DELETE", f"/contacts/{contact}/handles", json=body)


def contact_count(client: TestClient) -> int:
    return len(client.get("/contacts", params={"limit": 100}).json()["_results"])


def test_a_created_contact_answers_201_with_its_handles_normalised_and_reads_back(client: TestClient) -> None:
    created = create(
        client,
        {
            **ADA,
            "description": "Pays on time",
            "links": ["https://example.test/ada"],
            "custom_fields": {"tier": "gold"},
            "handles": [*ADA["handles"], {"handle": "ada@example.test", "source": "email"}],
        },
    )
    assert created["id"].startswith("crd_")
    assert created["_links"]["self"] == f"{IN_PROCESS_URL}/contacts/{created['id']}"
    assert created["handles"] == [
        {"handle": "+15550101234", "source": "phone"},
        {"handle": "ada@example.test", "source": "email"},
    ]
    assert (created["name"], created["description"]) == ("Ada", "Pays on time")
    assert (created["links"], created["custom_fields"]) == (["https://example.test/ada"], {"tier": "gold"})
    for reference in (created["id"], "alt:phone:+15550101234", "alt:email:ada@example.test"):
        assert client.get(f"/contacts/{reference}").json() == created
    assert client.get("/contacts").json()["_results"][0] == created
    assert all(status < 300 for status in crawl(client, [created["_links"]["self"]]).values())


def test_a_handle_another_contact_has_is_a_409_and_creates_nothing(client: TestClient) -> None:
    first = create(client, ADA)
    answer = client.post(
        "/contacts",
        json={
            "handles": [
                {"handle": "grace@example.test", "source": "email"},
                {"handle": "+1 555 010 1234", "source": "phone"},
            ]
        },
    )
    error = assert_front_error(answer, 409)
    assert error["details"] == [f"/handles/1: +15550101234 is already a handle of contact {first['id']}"]
    assert contact_count(client) == 1
    assert client.get("/contacts/alt:email:grace@example.test").status_code == 404


def test_a_contact_made_by_the_api_is_the_one_an_inbound_message_from_its_handle_finds(
    client: TestClient,
) -> None:
    created = create(client, ADA)
    message = read_message(
        client, post_message(client, {"sender": {"handle": "5550101234"}, "body": "hi"}, SMS_CHANNEL)
    )
    contact_link = message["recipients"][0]["_links"]["related"]["contact"]
    assert contact_link == created["_links"]["self"]
    conversations = client.get(created["_links"]["related"]["conversations"]).json()["_results"]
    assert [item["id"] for item in conversations] == [
        message["_links"]["related"]["conversation"].rsplit("/", 1)[1]
    ]
    assert contact_count(client) == 1
    assert client.get(contact_link).json()["name"] == "Ada"


def test_patch_replaces_the_fields_given_by_id_or_alias_and_answers_204(client: TestClient) -> None:
    created = create(client, {**ADA, "description": "old", "custom_fields": {"tier": "gold", "region": "eu"}})
    answer = client.patch(
        "/contacts/alt:phone:+15550101234", json={"description": "new", "custom_fields": {"tier": "silver"}}
    )
    assert answer.status_code == 204 and answer.content == b""
    updated = client.get(f"/contacts/{created['id']}").json()
    assert (updated["name"], updated["description"], updated["custom_fields"]) == (
        "Ada",
        "new",
        {"tier": "silver"},
    )
    # An empty name is no name: the contact is shown under its first handle again.
    assert client.patch(f"/contacts/{created['id']}", json={"name": ""}).status_code == 204
    assert client.get(f"/contacts/{created['id']}").json()["name"] == "+15550101234"
    assert client.patch(f"/contacts/{created['id']}", json={}).status_code == 204
    assert_front_error(client.patch("/contacts/crd_nobody", json={"name": "x"}), 404)


def test_a_snapshot_restore_undoes_contact_writes(client: TestClient) -> None:
    created = create(client, ADA)
    snapshot = client.post("/_emulator/snapshot").json()["snapshot_id"]
    client.patch(f"/contacts/{created['id']}", json={"name": "Countess"})
    client.post(f"/contacts/{created['id']}/handles", json={"handle": "@ada", "source": "twitter"})
    create(client, {"handles": [{"handle": "grace@example.test", "source": "email"}]})
    assert client.post(f"/_emulator/snapshots/{snapshot}/restore").status_code == 200
    assert client.get(f"/contacts/{created['id']}").json() == created
    assert client.get("/contacts/alt:twitter:@ada").status_code == 404
    assert contact_count(client) == 1


def test_handles_are_added_and_removed_with_204(client: TestClient) -> None:
    created = create(client, ADA)
    added = client.post(f"/contacts/{created['id']}/handles", json={"handle": "@ada", "source": "twitter"})
    assert added.status_code == 204 and added.content == b""
    assert client.get("/contacts/alt:twitter:@ada").json()["id"] == created["id"]
    # The same handle again changes nothing.
    assert (
        client.post(
            f"/contacts/{created['id']}/handles", json={"handle": "@ada", "source": "twitter"}
        ).status_code
        == 204
    )
    assert len(client.get(f"/contacts/{created['id']}").json()["handles"]) == 2
    assert delete_handle(client, created["id"], handle="@ada", source="twitter").status_code == 204
    assert client.get("/contacts/alt:twitter:@ada").status_code == 404
    error = assert_front_error(delete_handle(client, created["id"], handle="@ada", source="twitter"), 404)
    assert error["message"] == f"Contact {created['id']} has no twitter handle @ada"


def test_a_handle_of_another_contact_cannot_be_added(client: TestClient) -> None:
    ada = create(client, ADA)
    grace = create(client, {"handles": [{"handle": "grace@example.test", "source": "email"}]})
    answer = client.post(
        f"/contacts/{grace['id']}/handles", json={"handle": "555-010-1234", "source": "phone"}
    )
    error = assert_front_error(answer, 409)
    assert error["details"] == [f"/handle: +15550101234 is already a handle of contact {ada['id']}"]
    assert client.get(f"/contacts/{grace['id']}").json() == grace


def test_the_last_handle_goes_only_with_force_and_takes_the_contact(client: TestClient) -> None:
    created = create(client, ADA)
    error = assert_front_error(
        delete_handle(client, created["id"], handle="+15550101234", source="phone"), 400
    )
    assert "send force: true" in error["message"]
    assert client.get(f"/contacts/{created['id']}").json() == created
    answer = delete_handle(client, created["id"], handle="+15550101234", source="phone", force=True)
    assert answer.status_code == 204
    assert_front_error(client.get(f"/contacts/{created['id']}"), 404)
    # The handle is free again: the next message from it makes a new contact.
    message = read_message(
        client, post_message(client, {"sender": {"handle": "+15550101234"}, "body": "hi"}, SMS_CHANNEL)
    )
    assert message["recipients"][0]["_links"]["related"]["contact"] != created["_links"]["self"]


def test_delete_answers_204_and_frees_the_handles(client: TestClient) -> None:
    created = create(client, ADA)
    answer = client.delete("/contacts/alt:phone:+15550101234")
    assert answer.status_code == 204 and answer.content == b""
    assert_front_error(client.get(f"/contacts/{created['id']}"), 404)
    assert_front_error(client.delete(f"/contacts/{created['id']}"), 404)
    assert create(client, ADA)["id"] != created["id"]


@pytest.mark.parametrize(
    ("method", "path", "body", "scope"),
    [
        ("POST", "/contacts", ADA, "contacts:write"),
        ("PATCH", "/contacts/alt:phone:+15550101234", {"name": "x"}, "contacts:write"),
        ("DELETE", "/contacts/alt:phone:+15550101234", None, "contacts:delete"),
        (
            "POST",
            "/contacts/alt:phone:+15550101234/handles",
            {"handle": "a", "source": "custom"},
            "contacts:write",
        ),
        (
            "DELETE",
            "/contacts/alt:phone:+15550101234/handles",
            {"handle": "a", "source": "custom"},
            "contacts:write",
        ),
    ],
)
def test_each_write_needs_its_scope(
    client: TestClient, method: str, path: str, body: Any, scope: str
) -> None:
    create(client, ADA)
    answer = client.request(method, path, json=body, headers={"Authorization": f"Bearer {READ_ONLY_TOKEN}"})
    assert assert_front_error(answer, 403)["message"] == f"Token lacks the required {scope} scope"
    assert contact_count(client) == 1


@pytest.mark.parametrize(
    ("method", "path", "body", "details"),
    [
        (
            "POST",
            "/contacts",
            {"handles": [{"handle": "", "source": "pager"}], "list_names": ["VIP"]},
            [
                "/handles/0/handle: must not be empty",
                "/handles/0/source: must be one of: twitter, email, phone, facebook, intercom, front_chat, "
                "custom",
                "/list_names: contact lists and avatars are not emulated yet: leave avatar, group_names and "
                "list_names out",
            ],
        ),
        ("POST", "/contacts", {"name": "Ada", "handles": []}, ["/handles: must not be empty"]),
        (
            "PATCH",
            "/contacts/alt:phone:+15550101234",
            {"handles": [], "links": "https://x.test"},
            [
                "/handles: handles change through POST and DELETE /contacts/{contact_id}/handles, not PATCH",
                "/links: must be an array",
            ],
        ),
        ("POST", "/contacts/alt:phone:+15550101234/handles", {"handle": "a"}, ["/source: required"]),
        (
            "DELETE",
            "/contacts/alt:phone:+15550101234/handles",
            {"handle": "+15550101234", "source": "phone", "force": "yes"},
            ["/force: must be true or false"],
        ),
    ],
)
def test_a_wrong_body_is_refused_with_each_bad_field(
    client: TestClient, method: str, path: str, body: Any, details: list[str]
) -> None:
    created = create(client, ADA)
    error = assert_front_error(client.request(method, path, json=body), 400)
    assert (error["message"], error["details"]) == ("Invalid request body", details)
    assert client.get(f"/contacts/{created['id']}").json() == created
    assert contact_count(client) == 1


# Front's Contact fields the emulator refuses rather than drops (docs/fidelity.md): no contact lists or
# avatars yet; and PATCH names `handles` only to say where handles change.
REFUSED = {"avatar", "group_names", "list_names"}


@pytest.mark.parametrize(
    ("schema", "path", "method", "refused"),
    [
        ("create-contact", "/contacts", "post", REFUSED),
        ("update-contact", "/contacts/{contact_id}", "patch", {*REFUSED, "handles"}),
        ("contact-handle", "/contacts/{contact_id}/handles", "post", set()),
        ("delete-contact-handle", "/contacts/{contact_id}/handles", "delete", set()),
    ],
)
def test_request_schemas_have_fronts_fields_and_types(
    schema: str, path: str, method: str, refused: set[str]
) -> None:
    front = _front_request_schema(path, method)
    merged: dict[str, Any] = {"properties": {}, "required": list(front.get("required", []))}
    for part in [front, *front.get("allOf", [])]:
        part = _front_resolve(part)
        merged["properties"].update(part.get("properties", {}))
        merged["required"] += part.get("required", [])
    ours = all_schemas()[schema]
    assert set(ours["properties"]) == set(merged["properties"]) | (refused - REFUSED)
    problems = _compare(_Ours(schema), ours, schema, merged, "")
    assert [line for line in problems if line.split(":")[1].split("/")[1] not in refused] == []


def test_a_write_to_a_contact_leaves_a_handle_another_contact_owns_with_it(client: TestClient) -> None:
    first = read_message(
        client, post_message(client, {"sender": {"handle": "ada@example.test"}, "body": "hi"})
    )
    owner = first["recipients"][0]["_links"]["related"]["contact"]
    # An integration names another contact for the same handle (CustomMessage sender.contact_id).
    post_message(client, {"sender": {"handle": "ada@example.test", "contact_id": "crd_other"}, "body": "hi"})
    assert client.patch("/contacts/crd_other", json={"name": "Other"}).status_code == 204
    assert client.get("/contacts/alt:custom:ada@example.test").json()["_links"]["self"] == owner
