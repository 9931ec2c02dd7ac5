"""Front's Channel API application message templates through HTTP, with real channel JWTs: the app imports
and updates its channel's templates; the control plane shows them; every refusal changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from emulator.harness import EmulatorClient
from emulator.schemas import all_schemas
from tests.api.test_channel_api_schemas import _differences
from tests.channel_jwts import APP_CHANNEL, bearer, channel_jwt
from tests.conftest import AUTH, CHANNEL, IN_PROCESS_URL

TEMPLATES = f"/channels/{APP_CHANNEL}/application_message_templates"
CONTROL = f"/_emulator/channels/{APP_CHANNEL}/message_templates"
SPEC: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "spec" / "front-channel-api.extract.json").read_text("utf-8")
)


@pytest.fixture
def client(fresh_client: TestClient) -> TestClient:
    return fresh_client


def template(external_id: str = "order-shipped", **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "external_id": external_id,
        "name": "Order shipped",
        "blurb": "Your order {{1}} is on its way",
        "is_disabled": False,
        "status_name": "PENDING",
        "variable_mappings": [{"uid": "1", "type": "text", "name": "order_number"}],
        "template_preview": "Your order {{1}} is on its way",
    }
    document.update(changes)
    return document


def _spec_answer_schema() -> dict[str, Any]:
    """Front's 200 answer of both template operations, resolvable inside the extract."""
    return {
        "$ref": "#/components/schemas/ApplicationMessageTemplateResponse",
        "components": SPEC["components"],
    }


def sent(client: TestClient, method: str, path: str, document: dict[str, Any]) -> int:
    answer = client.request(method, path, json=document, headers=bearer(channel_jwt()))
    assert answer.status_code == 200, answer.text
    jsonschema.validate(answer.json(), _spec_answer_schema())
    return int(answer.json()["template_id"])


def listed(client: TestClient) -> list[dict[str, Any]]:
    return list(client.get(CONTROL).json()["_results"])


def refused(client: TestClient, method: str, path: str, status: int, **request: Any) -> dict[str, Any]:
    request.setdefault("headers", bearer(channel_jwt()))
    answer = client.request(method, path, **request)
    assert answer.status_code == status, answer.text
    return dict(answer.json()["_error"])


def test_put_imports_a_template_and_again_replaces_it_keeping_its_id(client: TestClient) -> None:
    first = sent(client, "PUT", TEMPLATES, template())
    other = sent(client, "PUT", TEMPLATES, template("welcome", name="Welcome"))
    assert (first, other) == (1, 2)
    again = sent(client, "PUT", TEMPLATES, template(status_name="APPROVED", variable_mappings=[]))
    assert again == first
    shown = listed(client)
    assert [(item["template_id"], item["external_id"], item["status_name"]) for item in shown] == [
        (1, "order-shipped", "APPROVED"),
        (2, "welcome", "PENDING"),
    ]
    assert shown[0]["variable_mappings"] == []
    assert shown[0]["channel_id"] == APP_CHANNEL


def test_patch_changes_only_the_fields_it_names(client: TestClient) -> None:
    template_id = sent(client, "PUT", TEMPLATES, template())
    changed = sent(
        client, "PATCH", f"{TEMPLATES}/order-shipped", {"is_disabled": True, "status_name": "REJECTED"}
    )
    assert changed == template_id
    [shown] = listed(client)
    assert (shown["is_disabled"], shown["status_name"], shown["name"]) == (True, "REJECTED", "Order shipped")


def test_an_unknown_template_and_a_bad_body_are_refused_and_change_nothing(client: TestClient) -> None:
    sent(client, "PUT", TEMPLATES, template())
    before = listed(client)
    error = refused(client, "PATCH", f"{TEMPLATES}/nope", 404, json={"name": "x"})
    assert error["message"] == (
        f"Application message template 'nope' not found on channel {APP_CHANNEL} "
        f"(import it first with PUT /channels/{APP_CHANNEL}/application_message_templates)"
    )
    renamed = refused(client, "PATCH", f"{TEMPLATES}/order-shipped", 400, json={"external_id": "x"})
    assert renamed["details"] == ["/external_id: is not a known field"]
    incomplete = template(status_name="approved")
    del incomplete["blurb"]
    assert refused(client, "PUT", TEMPLATES, 400, json=incomplete)["details"] == [
        "/blurb: required",
        "/status_name: must be one of: PENDING, APPROVED, REJECTED",
    ]
    as_form = refused(client, "PUT", TEMPLATES, 415, data={"name": "x"})
    assert as_form["message"] == "Send the template as application/json"
    assert listed(client) == before


@pytest.mark.parametrize(("method", "path"), [("PUT", TEMPLATES), ("PATCH", f"{TEMPLATES}/order-shipped")])
def test_the_template_routes_take_only_their_channels_jwt(client: TestClient, method: str, path: str) -> None:
    body = template() if method == "PUT" else {"name": "x"}
    token = refused(client, method, path, 401, json=body, headers=AUTH)
    assert token["message"].startswith("An API token cannot call the Channel API: send a channel JWT")
    expired = refused(client, method, path, 401, json=body, headers=bearer(channel_jwt(exp=1_000_000_000)))
    assert "expired" in expired["message"]
    custom = path.replace(APP_CHANNEL, CHANNEL)
    refusal = refused(client, method, custom, 400, json=body, headers=bearer(channel_jwt(CHANNEL)))
    assert f"a custom channel takes POST /channels/{CHANNEL}/incoming_messages" in refusal["message"]
    assert listed(client) == []
    assert client.get(f"/_emulator/channels/{CHANNEL}/message_templates").json() == {"_results": []}


def test_snapshots_take_templates_with_them(client: TestClient) -> None:
    sent(client, "PUT", TEMPLATES, template())
    snapshot = client.post("/_emulator/snapshot").json()["snapshot_id"]
    sent(client, "PATCH", f"{TEMPLATES}/order-shipped", {"name": "Renamed"})
    sent(client, "PUT", TEMPLATES, template("welcome"))
    assert client.post(f"/_emulator/snapshots/{snapshot}/restore").status_code == 200
    assert [(item["external_id"], item["name"]) for item in listed(client)] == [
        ("order-shipped", "Order shipped")
    ]
    # Ids go on from where the snapshot was: the next new template is 2 again.
    assert sent(client, "PUT", TEMPLATES, template("welcome")) == 2


@pytest.mark.parametrize(
    ("ours", "path", "method", "component"),
    [
        ("channel-message-template", "", "put", "ApplicationMessageTemplate"),
        ("channel-message-template-update", "/{external_id}", "patch", "ApplicationMessageTemplateEditBlob"),
    ],
)
def test_the_template_schemas_agree_with_fronts(ours: str, path: str, method: str, component: str) -> None:
    operation = SPEC["paths"]["/channels/{channel_id}/application_message_templates" + path][method]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{component}"
    }
    assert operation["responses"]["200"] == {"$ref": "#/components/responses/applicationMessageTemplate"}
    front = SPEC["components"]["schemas"][component]
    if "allOf" in front:
        # ApplicationMessageTemplate is the edit blob's fields and external_id, all required.
        parts = [SPEC["components"]["schemas"]["ApplicationMessageTemplateEditBlob"], front["allOf"][1]]
        front = {
            "type": "object",
            "required": front["required"],
            "properties": {name: part for item in parts for name, part in item["properties"].items()},
        }
    assert _differences(all_schemas()[ours], front, "") == []


def test_the_answer_schema_is_fronts_with_a_whole_number() -> None:
    front = SPEC["components"]["schemas"]["ApplicationMessageTemplateResponse"]
    ours = all_schemas()["message-template-answer"]
    assert set(ours["properties"]) == set(front["properties"])
    # Front's type is number (its example, "msg_777", is not one): ours is an integer, which is a number.
    assert (front["properties"]["template_id"]["type"], ours["properties"]["template_id"]["type"]) == (
        "number",
        "integer",
    )
    jsonschema.validate({"template_id": 1}, _spec_answer_schema())


def test_the_harness_lists_a_channels_templates(client: TestClient) -> None:
    sent(client, "PUT", TEMPLATES, template())
    front = EmulatorClient(client, IN_PROCESS_URL)
    assert [item["external_id"] for item in front.message_templates(APP_CHANNEL)] == ["order-shipped"]
