"""The Channel API's request and answer schemas in schemas/ agree with Front's own spec (the repository's
extract spec/front-channel-api.extract.json): the same fields, Front's required ones required, types
within Front's. Where we are stricter (non-empty strings, no files in a JSON body) is in docs/fidelity.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.schemas import all_schemas

CHANNEL_SPEC = Path(__file__).resolve().parents[2] / "spec" / "front-channel-api.extract.json"
_SPEC: dict[str, Any] = json.loads(CHANNEL_SPEC.read_text("utf-8"))

# our request schema -> (Front's route, Front's component)
REQUESTS = {
    "channel-inbound-message": ("/channels/{channel_id}/inbound_messages", "InboundMessage"),
    "channel-outbound-message": ("/channels/{channel_id}/outbound_messages", "OutboundMessage"),
}


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type")
    return set(kind) if isinstance(kind, list) else {kind} if kind else set()


def _differences(ours: dict[str, Any], front: dict[str, Any], pointer: str) -> list[str]:
    problems = []
    front_types = _types(front)
    if front_types and not _types(ours) <= front_types:
        problems.append(
            f"{pointer or '/'}: our type {sorted(_types(ours))} is not within {sorted(front_types)}"
        )
    if "properties" in front:
        our_fields = sorted(ours.get("properties", {}))
        if our_fields != sorted(front["properties"]):
            problems.append(f"{pointer or '/'}: fields {our_fields} != Front's {sorted(front['properties'])}")
        for name in sorted(set(front.get("required", [])) - set(ours.get("required", []))):
            problems.append(f"{pointer}/{name}: required by Front, not by us")
        for name in sorted(set(ours.get("properties", {})) & set(front["properties"])):
            problems += _differences(ours["properties"][name], front["properties"][name], f"{pointer}/{name}")
    if "items" in front and "items" in ours:
        problems += _differences(ours["items"], front["items"], f"{pointer}/items")
    if "maxLength" in front and ours.get("maxLength") != front["maxLength"]:
        problems.append(f"{pointer}: maxLength {ours.get('maxLength')} != Front's {front['maxLength']}")
    return problems


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_sync_schema_agrees_with_fronts_channel_api(name: str) -> None:
    path, component = REQUESTS[name]
    front = _SPEC["components"]["schemas"][component]
    body = _SPEC["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": f"#/components/schemas/{component}"}
    assert _differences(all_schemas()[name], front, "") == []


@pytest.mark.parametrize("path", [path for path, _ in REQUESTS.values()])
def test_sync_answer_is_fronts_accepted_message(path: str) -> None:
    answer = _SPEC["paths"][path]["post"]["responses"]["202"]
    assert answer == {"$ref": "#/components/responses/acceptedMessage"}
    front = _SPEC["components"]["responses"]["acceptedMessage"]["content"]["application/json"]["schema"]
    assert _differences(all_schemas()["accepted-message"], front, "") == []


def test_status_update_schema_agrees_with_fronts_channel_api() -> None:
    path = "/channels/{channel_id}/conversations/{conv_ext_id}/messages/{message_ext_id}/status"
    front = _SPEC["paths"][path]["put"]["requestBody"]["content"]["application/json"]["schema"]
    ours = all_schemas()["channel-message-status"]
    assert _differences(ours, front, "") == []
    assert ours["properties"]["status"]["enum"] == front["properties"]["status"]["enum"]


def test_channel_status_schema_agrees_with_fronts_update_channel() -> None:
    front = _SPEC["components"]["schemas"]["UpdateChannel"]
    ours = all_schemas()["channel-status"]
    assert _differences(ours, front, "") == []
    assert ours["properties"]["status"]["enum"] == front["properties"]["status"]["enum"]


def test_the_comparison_catches_an_invented_field_and_a_loosened_requirement() -> None:
    ours = json.loads(json.dumps(all_schemas()["channel-inbound-message"]))
    ours["properties"]["priority"] = {"type": "integer"}
    ours["required"].remove("metadata")
    ours["properties"]["metadata"]["properties"]["external_id"]["maxLength"] = 300
    front = _SPEC["components"]["schemas"]["InboundMessage"]
    problems = _differences(ours, front, "")
    assert problems[0].startswith("/: fields [")
    assert "/metadata: required by Front, not by us" in problems
    assert "/metadata/external_id: maxLength 300 != Front's 200" in problems
