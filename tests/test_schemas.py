"""schemas/ itself: valid JSON Schema 2020-12, in agreement with Front's official OpenAPI file, and
every schema rejects a wrong payload with the exact, useful detail lines the API answers with."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.testclient import TestClient

from emulator.schemas import all_schemas, schema_directory, validator
from tests.api.call_schema_cases import CALL_SCHEMA_DOCUMENTS, call_schema_wrong_payloads
from tests.conftest import CHANNEL, post_message, read_message

# The repository's own extract of Front's published core-api.json (spec/README.md says how to refresh it).
FRONT_SPEC = Path(__file__).resolve().parents[1] / "spec" / "front-core-api.extract.json"
SCHEMA_NAMES = sorted(path.stem for path in Path(schema_directory()).glob("*.json"))


# -- (a) every schema is valid draft 2020-12 and compiles --------------------------------------------


def test_schemas_directory_is_the_checkout_or_the_installed_copy() -> None:
    assert sorted(all_schemas()) == SCHEMA_NAMES
    assert {"custom-message", "message", "conversation", "channel", "error", "workspace"} <= set(SCHEMA_NAMES)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12_and_compiles(name: str) -> None:
    schema = all_schemas()[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://front-emulator.local/schemas/{name}.json"
    jsonschema.Draft202012Validator.check_schema(schema)
    compiled = validator(name)
    assert compiled.name == name
    # Both halves work: the compiled check and the explaining one agree on a document of the wrong type.
    assert compiled.is_valid(12345) is False
    assert compiled.details(12345) == ["/: must be an object"]


# -- (b) agreement with Front's official OpenAPI (spec/front-core-api.extract.json) -----------------

_SPEC: dict[str, Any] = json.loads(FRONT_SPEC.read_text("utf-8"))

# Our schema -> Front's schema for the same operation: (path, method, status) or a component name.
OPERATIONS: dict[str, tuple[str, str, str]] = {
    "message": ("/messages/{message_id}", "get", "200"),
    "conversation": ("/conversations/{conversation_id}", "get", "200"),
    "message-list": ("/conversations/{conversation_id}/messages", "get", "200"),
    "channel": ("/channels/{channel_id}", "get", "200"),
    "channel-list": ("/channels", "get", "200"),
    "accepted-message": ("/channels/{channel_id}/incoming_messages", "post", "202"),
    "teammate": ("/teammates/{teammate_id}", "get", "200"),
    "contact": ("/contacts/{contact_id}", "get", "200"),
    "contact-list": ("/contacts", "get", "200"),
    "conversation-list": ("/conversations", "get", "200"),
    "teammate-list": ("/teammates", "get", "200"),
    "inbox": ("/inboxes/{inbox_id}", "get", "200"),
    "inbox-list": ("/inboxes", "get", "200"),
    "event": ("/events/{event_id}", "get", "200"),
    "event-list": ("/conversations/{conversation_id}/events", "get", "200"),
    "comment-list": ("/conversations/{conversation_id}/comments", "get", "200"),
    "seen-receipt-list": ("/messages/{message_id}/seen", "get", "200"),
    "comment": ("/comments/{comment_id}", "get", "200"),
    "tag": ("/tags/{tag_id}", "get", "200"),
    "tag-list": ("/tags", "get", "200"),
}
COMPONENTS = {
    "recipient": "RecipientResponse",
    "teammate": "TeammateResponse",
    "custom-message": "CustomMessage",
}

# Where we deliberately differ from Front's spec. Keys are "<our schema>:<JSON pointer of the property>".
# Every entry is listed in the fidelity notes (docs/fidelity.md).
TYPE_DIFFERENCES: dict[str, str] = {
    # Front's spec gives error_type as a plain string, but its own example is null, and a message that
    # did not fail has no error type: we answer null.
    "message:/error_type": "null when the message did not fail to send",
    "message-list:/_results/items/error_type": "same as message:/error_type",
    # Front's spec makes author a TeammateResponse; an inbound custom message has no teammate author.
    "message:/author": "null for inbound messages",
    "message-list:/_results/items/author": "same as message:/author",
    "event:/target/data/error_type": "same as message:/error_type",
    "event:/target/data/author": "same as message:/author",
    "event-list:/_results/items/target/data/error_type": "same as message:/error_type",
    "event-list:/_results/items/target/data/author": "same as message:/author",
    # Real clients (PyPI frontapp, npm front-sdk) send optional CustomMessage fields as null, and Front
    # accepts them; our request schema allows null wherever Front's spec only says string/object/array.
    "custom-message:/sender/name": "null accepted as absent",
    "custom-message:/sender/contact_id": "null accepted as absent",
    "custom-message:/subject": "null accepted as absent",
    "custom-message:/body_format": "null accepted as absent (markdown)",
    "custom-message:/metadata": "null accepted as absent",
    "custom-message:/metadata/thread_ref": "null accepted as absent",
    "custom-message:/metadata/headers": "null accepted as absent",
    "custom-message:/attachments": "null accepted as absent; JSON may carry only an empty list",
}
# Properties we answer that Front's Core API spec does not declare (also in docs/fidelity.md).
EXTRA_PROPERTIES: dict[str, str] = {
    # Application channels: the Channel API's metadata, kept on the message as the issue asks (Front's
    # MessageResponse declares metadata.external_id only).
    "message:/metadata/external_conversation_id": "application channels: the app's thread id",
    "message:/metadata/referenced_message_external_id": "application channels",
    "message-list:/_results/items/metadata/external_conversation_id": "same as message",
    "message-list:/_results/items/metadata/referenced_message_external_id": "same as message",
    # The Channel API's PATCH /channels/{id} status, shown on application channels.
    "channel:/status": "application channels: ok or offline",
    "channel-list:/_results/items/status": "same as channel",
    "event:/target/data/metadata/external_conversation_id": "same as message",
    "event:/target/data/metadata/referenced_message_external_id": "same as message",
    "event-list:/_results/items/target/data/metadata/external_conversation_id": "same as message",
    "event-list:/_results/items/target/data/metadata/referenced_message_external_id": "same as message",
}
MISSING_REQUIRED: dict[str, str] = {
    # Front's TeammateResponse lists license_type as required but never declares it (no type, no values),
    # so there is nothing faithful to answer; we leave it out.
    "teammate:/license_type": "required by Front's spec but undeclared there",
    "message:/author/license_type": "same as teammate:/license_type",
    "message-list:/_results/items/author/license_type": "same as teammate:/license_type",
    "conversation:/assignee/license_type": "same as teammate:/license_type",
    "conversation-list:/_results/items/assignee/license_type": "same as teammate:/license_type",
    "teammate-list:/_results/items/license_type": "same as teammate:/license_type",
    "event:/source/data/license_type": "same as teammate:/license_type",
    "event:/target/data/license_type": "same as teammate:/license_type",
    "event:/target/data/author/license_type": "same as teammate:/license_type",
    "event:/conversation/assignee/license_type": "same as teammate:/license_type",
    "event-list:/_results/items/source/data/license_type": "same as teammate:/license_type",
    "event-list:/_results/items/target/data/license_type": "same as teammate:/license_type",
    "event-list:/_results/items/target/data/author/license_type": "same as teammate:/license_type",
    "event-list:/_results/items/conversation/assignee/license_type": "same as teammate:/license_type",
    "comment:/author/license_type": "same as teammate:/license_type",
    "comment-list:/_results/items/author/license_type": "same as teammate:/license_type",
}


def _front_ref(reference: str) -> dict[str, Any]:
    assert reference.startswith("#/"), reference
    node: Any = _SPEC
    for part in reference[2:].split("/"):
        node = node[part]
    return node


def _front_resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref (OpenAPI 3.0 siblings such as nullable are kept beside the target)."""
    while "$ref" in schema:
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        schema = {**_front_ref(schema["$ref"]), **siblings}
    return schema


def _front_schema(name: str) -> dict[str, Any]:
    if name in COMPONENTS and name not in OPERATIONS:
        return _SPEC["components"]["schemas"][COMPONENTS[name]]
    path, method, status = OPERATIONS[name]
    response = _front_resolve(_SPEC["paths"][path][method]["responses"][status])
    return _front_resolve(response["content"]["application/json"]["schema"])


def _front_request_schema(path: str, method: str) -> dict[str, Any]:
    body = _SPEC["paths"][path][method]["requestBody"]
    return _front_resolve(body["content"]["application/json"]["schema"])


class _Ours:
    """Our schema nodes with their document, so relative $refs ("teammate.json", "#/$defs/x") resolve."""

    def __init__(self, name: str) -> None:
        self.name = name

    def resolve(self, schema: dict[str, Any], document: str) -> tuple[dict[str, Any], str]:
        while "$ref" in schema:
            target, _, fragment = schema["$ref"].partition("#")
            if target:
                document = target.removesuffix(".json")
            node: Any = all_schemas()[document]
            for part in filter(None, fragment.split("/")):
                node = node[part]
            schema = node
        return schema, document

    def branches(self, schema: dict[str, Any], document: str) -> list[tuple[dict[str, Any], str]]:
        """The alternatives of a oneOf/anyOf, resolved; the schema itself otherwise."""
        schema, document = self.resolve(schema, document)
        options = schema.get("oneOf") or schema.get("anyOf")
        if not options:
            return [(schema, document)]
        found = []
        for option in options:
            found += self.branches(option, document)
        return found


def _our_types(ours: _Ours, schema: dict[str, Any], document: str) -> set[str]:
    types: set[str] = set()
    for branch, _ in ours.branches(schema, document):
        if "type" in branch:
            declared = branch["type"]
            types |= {declared} if isinstance(declared, str) else set(declared)
        elif "const" in branch:
            types.add(_json_type(branch["const"]))
        elif "enum" in branch:
            types |= {_json_type(value) for value in branch["enum"]}
        else:
            types.add("any")
    return types


def _front_types(schema: dict[str, Any]) -> set[str]:
    schema = _front_resolve(schema)
    if "type" in schema:
        types = {schema["type"]}
    elif "enum" in schema:
        types = {_json_type(value) for value in schema["enum"] if value is not None}
    elif "properties" in schema:
        types = {"object"}
    else:
        types = {"any"}
    if schema.get("nullable"):
        types.add("null")
    return types


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {str: "string", float: "number", dict: "object", list: "array"}[type(value)]


def _compatible(ours: set[str], front: set[str]) -> bool:
    if "any" in front:
        return True
    widened = front | ({"integer"} if "number" in front else set())
    return ours <= widened


def _compare(
    ours: _Ours, our: dict[str, Any], document: str, front: dict[str, Any], pointer: str
) -> list[str]:
    """Every difference between our node and Front's, as `<schema>:<pointer>: problem` lines."""
    problems: list[str] = []
    key = f"{ours.name}:{pointer or '/'}"
    our_types = _our_types(ours, our, document)
    front_types = _front_types(front)
    if not _compatible(our_types, front_types) and key not in TYPE_DIFFERENCES:
        problems.append(f"{key}: our type {sorted(our_types)} is not within Front's {sorted(front_types)}")
    front = _front_resolve(front)
    alternatives = front.get("oneOf")
    if alternatives and "properties" not in front:
        # Front's node is one of several shapes (an event's source or target): each of ours must fit one.
        for branch, branch_document in ours.branches(our, document):
            problems += min(
                (_compare(ours, branch, branch_document, option, pointer) for option in alternatives), key=len
            )
        return problems
    for branch, branch_document in ours.branches(our, document):
        if "properties" in branch or "required" in branch:
            front_properties = front.get("properties", {})
            for name, child in branch.get("properties", {}).items():
                child_pointer = f"{pointer}/{name}"
                if name not in front_properties:
                    if f"{ours.name}:{child_pointer}" in EXTRA_PROPERTIES:
                        continue
                    problems.append(f"{ours.name}:{child_pointer}: not a property of Front's schema")
                    continue
                problems += _compare(ours, child, branch_document, front_properties[name], child_pointer)
            for name in front.get("required", []):
                missing_key = f"{ours.name}:{pointer}/{name}"
                if name not in branch.get("required", []) and missing_key not in MISSING_REQUIRED:
                    problems.append(f"{missing_key}: required by Front, not required by us")
        if "items" in branch and "items" in front:
            problems += _compare(ours, branch["items"], branch_document, front["items"], f"{pointer}/items")
    return problems


RESPONSE_SCHEMAS = [
    "message",
    "conversation",
    "channel",
    "channel-list",
    "message-list",
    "recipient",
    "teammate",
    "accepted-message",
    "contact",
    "contact-list",
    "conversation-list",
    "teammate-list",
    "inbox",
    "inbox-list",
    "event",
    "event-list",
    "comment-list",
    "seen-receipt-list",
    "comment",
    "tag",
    "tag-list",
]


@pytest.mark.parametrize("name", RESPONSE_SCHEMAS)
def test_response_schema_agrees_with_fronts_spec(name: str) -> None:
    ours = _Ours(name)
    front = _front_schema(name)
    assert front.get("properties"), f"found no Front schema for {name}"
    assert _compare(ours, all_schemas()[name], name, front, "") == []


def test_custom_message_schema_agrees_with_fronts_custom_message() -> None:
    ours = _Ours("custom-message")
    front = _front_request_schema("/channels/{channel_id}/incoming_messages", "post")
    assert front == _SPEC["components"]["schemas"]["CustomMessage"]
    assert _compare(ours, all_schemas()["custom-message"], "custom-message", front, "") == []
    # Same fields both ways: we accept nothing Front does not document, and miss nothing it does.
    assert set(all_schemas()["custom-message"]["properties"]) == set(front["properties"])
    our_sender = all_schemas()["custom-message"]["properties"]["sender"]["properties"]
    assert set(our_sender) == set(front["properties"]["sender"]["properties"])
    our_metadata = all_schemas()["custom-message"]["properties"]["metadata"]["properties"]
    assert set(our_metadata) == set(front["properties"]["metadata"]["properties"])
    our_formats = set(all_schemas()["custom-message"]["properties"]["body_format"]["enum"]) - {None}
    assert our_formats == set(front["properties"]["body_format"]["enum"])


def test_allow_lists_name_only_real_differences() -> None:
    """An allow-list entry that no longer hides anything is stale and must go."""
    for allowed, label in ((TYPE_DIFFERENCES, "TYPE_DIFFERENCES"), (MISSING_REQUIRED, "MISSING_REQUIRED")):
        saved = dict(allowed)
        try:
            for key in saved:
                allowed.clear()
                allowed.update({other: why for other, why in saved.items() if other != key})
                name = key.split(":")[0]
                ours = _Ours(name)
                if name == "custom-message":
                    front = _SPEC["components"]["schemas"]["CustomMessage"]
                else:
                    front = _front_schema(name)
                found = _compare(ours, all_schemas()[name], name, front, "")
                assert any(line.startswith(key + ":") for line in found), f"{label}[{key!r}] is stale"
        finally:
            allowed.clear()
            allowed.update(saved)


def test_comparison_catches_an_invented_property_and_a_wrong_type() -> None:
    """The checker itself: a field Front does not have, and a type Front does not allow, are reported."""
    schema = copy.deepcopy(all_schemas()["recipient"])
    schema["properties"]["nickname"] = {"type": "string"}
    schema["properties"]["role"] = {"type": "integer"}
    schema["required"].remove("handle")
    ours = _Ours("recipient")
    problems = _compare(ours, schema, "recipient", _front_schema("recipient"), "")
    assert problems == [
        "recipient:/role: our type ['integer'] is not within Front's ['string']",
        "recipient:/nickname: not a property of Front's schema",
        "recipient:/handle: required by Front, not required by us",
    ]


# -- (c) each schema rejects a wrong payload with exact, useful details ------------------------------


@pytest.fixture
def documents(make_client: Callable[..., TestClient]) -> dict[str, Any]:
    """Valid documents of every response schema, as the emulator really answers them."""
    client = make_client()
    uid = post_message(
        client, {"sender": {"handle": "ada@example.test", "name": "Ada"}, "body": "Hello *there*"}
    )
    message = read_message(client, uid)
    conversation_url = message["_links"]["related"]["conversation"]
    conversation = client.get(conversation_url).json()
    return {
        "accepted-message": {"status": "accepted", "message_uid": uid},
        "message": message,
        "conversation": conversation,
        "message-list": client.get(conversation_url + "/messages").json(),
        "channel": client.get(f"/channels/{CHANNEL}").json(),
        "channel-list": client.get("/channels").json(),
        "recipient": message["recipients"][0],
        "teammate": {
            "_links": {
                "self": "http://emulator.test/teammates/tea_1b01",
                "related": {
                    "inboxes": "http://emulator.test/teammates/tea_1b01/inboxes",
                    "conversations": "http://emulator.test/teammates/tea_1b01/conversations",
                },
            },
            "id": "tea_1b01",
            "email": "ada@example.test",
            "username": "ada",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "is_admin": True,
            "is_available": True,
            "is_blocked": False,
            "type": "user",
            "custom_fields": {},
        },
        "custom-message": {"sender": {"handle": "+15550101234"}, "body": "hi"},
        "error": client.get("/messages/alt:uid:0123").json(),
        "health": client.get("/_emulator/readyz").json(),
        "update-conversation": {"status": "archived"},
        "update-conversation-assignee": {"assignee_id": "alt:email:ada@example.test"},
        "outgoing-answer": {"type": "bad_request", "message": "unknown recipient"},
        **OTHER_VALID_DOCUMENTS,
        **_around_documents(client, message),
        "workspace": client.get("/_emulator/workspace").json(),
        # The control plane's answers (after the requests above, so the journal has a refused one).
        "clock": client.get("/_emulator/clock").json(),
        "snapshot": client.post("/_emulator/snapshot").json(),
        "wait-answer": client.post("/_emulator/wait", json={"message_uid": uid, "timeout": 0}).json(),
        "request-list": client.get("/_emulator/requests").json(),
        "request-report": client.get("/_emulator/requests/report").json(),
        "openapi": client.get("/_emulator/openapi.json").json(),
        "seed-request": {"path": "default-workspace.json"},
        "clock-freeze": {"at": 1_700_000_000},
        "clock-advance": {"seconds": 5},
        "wait-request": {"deliveries": 2, "timeout": 5, "channel_id": CHANNEL, "outcome": "sent"},
    }


_DELIVERY = {
    "id": "dlv_1",
    "message_id": "msg_1",
    "channel_id": "cha_1a01",
    "conversation_id": "cnv_1",
    "attempt": 1,
    "url": "http://127.0.0.1:9000/front/outgoing",
    "request": {"headers": {"x-front-signature": "c2lnbmF0dXJl"}, "body": "{}", "signature_input": {}},
    "answer": {"status": 200, "headers": {}, "body": '{"type":"success"}', "truncated": False},
    "started_at": 1701292649.333,
    "duration_ms": 3.2,
    "outcome": "sent",
    "error_type": None,
    "reason": None,
    "answer_conforms": True,
    "redelivery_of": None,
}
# Valid documents of the schemas the emulator does not answer on the inbound path.
OTHER_VALID_DOCUMENTS: dict[str, Any] = {
    "create-channel": {
        "address": "partner@example.test",
        "name": "Partner",
        "type": "custom",
        "settings": {"webhook_url": "http://127.0.0.1:9000/out"},
    },
    "delivery": _DELIVERY,
    "delivery-list": {"_results": [_DELIVERY], "dropped": 0, "retained_bytes": 100},
    "message-state": {
        "id": "msg_1",
        "conversation_id": "cnv_1",
        "is_inbound": False,
        "delivery_status": "pending",
        "error_type": None,
        "error_reason": None,
        "send_at": 12.5,
    },
    "outbound-message": {"to": ["ada@example.test"], "body": "Hello"},
    "outbound-reply": {"body": "Thanks"},
    "update-channel": {"name": "Renamed"},
    "workspace-channel": {
        "id": "cha_1a01",
        "address": "livechat@example.test",
        "name": "Website chat",
        "type": "custom",
        "settings": {"undo_send_time": 0},
        "_links": {"self": "http://emulator.test/channels/cha_1a01"},
    },
}


def _set(document: dict[str, Any], pointer: str, value: Any) -> None:
    if pointer == "":
        document.clear()
        document.update(value)
        return
    *parents, last = pointer.strip("/").split("/")
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


_DELETE = object()

# schema -> [(changes as {pointer: new value or _DELETE}, the exact detail lines)]
WRONG_PAYLOADS: dict[str, list[tuple[dict[str, Any], list[str]]]] = {
    "accepted-message": [
        (
            {"/status": "queued", "/message_uid": "XYZ"},
            ["/message_uid: must match the pattern ^[0-9a-f]{32}$", '/status: must be "accepted"'],
        ),
        ({"/message_uid": _DELETE, "/extra": 1}, ["/extra: is not a known field", "/message_uid: required"]),
    ],
    "custom-message": [
        ({"/sender/handle": _DELETE}, ["/sender/handle: required"]),
        (
            {"/body": 12, "/sender/handle": ""},
            ["/body: must be a string", "/sender/handle: must not be empty"],
        ),
        (
            {"/body_format": "rtf", "/metadata": {"thread_ref": 5, "headers": []}},
            [
                "/body_format: must be one of: markdown, html, null",
                "/metadata/headers: must be an object or null",
                "/metadata/thread_ref: must be a string or null",
            ],
        ),
        (
            {"/attachments": ["aGVsbG8="]},
            [
                "/attachments: files can only be sent with Content-Type multipart/form-data; "
                "a JSON body may carry an empty list"
            ],
        ),
        (
            {"/sender": "ada@example.test", "/body": _DELETE},
            ["/body: required", "/sender: must be an object"],
        ),
    ],
    "message": [
        (
            {"/type": "email", "/is_inbound": "yes"},
            ["/is_inbound: must be true or false", "/type: must be one of: custom, call"],
        ),
        (
            {"/recipients": [], "/metadata/thread_ref": 7},
            ["/metadata/thread_ref: must be a string", "/recipients: must not be empty"],
        ),
        (
            {"/id": "cnv_1", "/created_at": "yesterday"},
            ["/created_at: must be a number", "/id: must match the pattern ^msg_[0-9a-z]+$"],
        ),
        (
            {"/draft_mode": "public", "/text": _DELETE},
            ["/draft_mode: must be one of: shared, private, null", "/text: required"],
        ),
    ],
    "conversation": [
        (
            {"/status": "open", "/tags": ["vip"]},
            [
                "/status: must be one of: archived, unassigned, deleted, assigned",
                "/tags/0: must be an object",
            ],
        ),
        (
            {"/recipient/role": "sender", "/subject": None},
            ["/recipient/role: must be one of: from, to, cc, bcc, reply-to", "/subject: must be a string"],
        ),
        ({"/assignee": 5}, ["/assignee: must be null or an object"]),
    ],
    "message-list": [
        (
            {"/_pagination/next": 3, "/_links": _DELETE},
            ["/_links: required", "/_pagination/next: must be a string or null"],
        ),
        ({"/_results/0/body": None}, ["/_results/0/body: must be a string"]),
    ],
    "channel": [
        (
            {"/settings/undo_send_time": 7, "/id": "inb_1"},
            [
                "/id: must match the pattern ^cha_[0-9a-z]+$",
                "/settings/undo_send_time: must be one of: 0, 5, 10, 15, 30, 60",
            ],
        ),
        ({"/settings/webhook_url": "http://x.test"}, ["/settings/webhook_url: is not a known field"]),
    ],
    "channel-list": [
        (
            {"/_results/0/type": "carrier_pigeon"},
            [
                "/_results/0/type: must be one of: custom, facebook, gmail, "
                "google_play, imap, intercom, form, office365, layer_anon, smtp, "
                "talkdesk, truly, twilio, twilio_whatsapp, twitter, twitter_dm, "
                "yalo_wha, front_chat, front_mail"
            ],
        ),
        ({"/_results": {}}, ["/_results: must be an array"]),
    ],
    "recipient": [
        (
            {"/role": "sender", "/handle": ""},
            ["/handle: must not be empty", "/role: must be one of: from, to, cc, bcc, reply-to"],
        ),
        (
            {"/_links/related": _DELETE, "/name": 3},
            ["/_links/related: required", "/name: must be a string or null"],
        ),
    ],
    "teammate": [
        (
            {"/type": "robot", "/is_admin": "no"},
            ["/is_admin: must be true or false", '/type: must be "user"'],
        ),
        (
            {"/email": _DELETE, "/id": "usr_1"},
            ["/email: required", "/id: must match the pattern ^tea_[0-9a-z]+$"],
        ),
    ],
    "error": [
        (
            {"/_error/status": 200, "/_error/title": "", "/_error/details": []},
            [
                "/_error/details: must not be empty",
                "/_error/status: must be >= 400",
                "/_error/title: must not be empty",
            ],
        ),
        (
            {"/_error/message": _DELETE, "/_error/code": "E1"},
            ["/_error/code: is not a known field", "/_error/message: required"],
        ),
    ],
    "health": [
        (
            {"/status": "dead", "/messages": -1},
            ["/messages: must be >= 0", "/status: must be one of: ok, ready"],
        ),
    ],
    "outgoing-answer": [
        (
            {"/type": "error"},
            [
                "/type: must be one of: success, bad_request, authentication_required, forbidden, "
                "not_found, request_timeout, too_many_requests, internal_error"
            ],
        ),
        ({"/type": _DELETE, "/message": 404}, ["/message: must be a string", "/type: required"]),
    ],
    "create-channel": [
        (
            {"/address": "", "/id": "chan-1"},
            ["/address: must not be empty", "/id: must match the pattern ^cha_[0-9a-z]+$"],
        ),
        (
            {"/settings/signing_scheme": "md5", "/settings/retries": 11},
            [
                "/settings/retries: must be <= 10",
                "/settings/signing_scheme: must be one of: sha1-body, sha256-timestamp",
            ],
        ),
    ],
    "delivery": [
        (
            {"/attempt": 0, "/outcome": "lost"},
            ["/attempt: must be >= 1", "/outcome: must be one of: sent, failed"],
        ),
        (
            {"/answer/status": "200", "/request/headers/x-front-signature": 1},
            ["/answer/status: must be an integer", "/request/headers/x-front-signature: must be a string"],
        ),
    ],
    "delivery-list": [
        ({"/_results/0/redelivery_of": 3}, ["/_results/0/redelivery_of: must be a string or null"]),
        ({"/_results": None}, ["/_results: must be an array"]),
        (
            {"/dropped": -1, "/retained_bytes": "1"},
            ["/dropped: must be >= 0", "/retained_bytes: must be an integer"],
        ),
        ({"/_results/0/answer/truncated": "no"}, ["/_results/0/answer/truncated: must be true or false"]),
    ],
    "message-state": [
        (
            {"/delivery_status": "queued", "/send_at": "later"},
            [
                "/delivery_status: must be one of: null, pending, sending, sent, cancelled, failed",
                "/send_at: must be a number or null",
            ],
        ),
    ],
    "outbound-message": [
        ({"/to": [], "/body": ""}, ["/body: must not be empty", "/to: must not be empty"]),
        (
            {"/to": "ada@example.test", "/options": {"archive": "yes"}},
            ["/options/archive: must be true or false", "/to: must be an array"],
        ),
    ],
    "outbound-reply": [
        ({"/body": "", "/to": [""]}, ["/body: must not be empty", "/to/0: must not be empty"]),
        ({"/channel_id": 5, "/cc": "x"}, ["/cc: must be an array", "/channel_id: must be a string or null"]),
    ],
    "update-channel": [
        ({"": {}}, ["/: must not be empty"]),
        ({"/name": "", "/type": "smtp"}, ["/name: must not be empty", "/type: is not a known field"]),
    ],
    "workspace-channel": [
        (
            {"/_links": {}, "/settings/reply_mode": "never"},
            ["/_links/self: required", "/settings/reply_mode: must be one of: this_channel, cannot_reply"],
        ),
    ],
    "update-conversation": [
        ({"/status": "closed"}, ["/status: must be one of: archived, open, deleted, spam"]),
        ({"/status": _DELETE}, ["/: must not be empty"]),
        (
            {"/assignee_id": "", "/tag_ids": "tag_1", "/priority": 1},
            [
                "/assignee_id: must not be empty",
                "/priority: is not a known field",
                "/tag_ids: must be an array",
            ],
        ),
    ],
    "update-conversation-assignee": [
        ({"/assignee_id": _DELETE}, ["/assignee_id: required"]),
        (
            {"/assignee_id": 7, "/status": "open"},
            ["/assignee_id: must be a string or null", "/status: is not a known field"],
        ),
    ],
    "workspace": [
        (
            {"/channels": [], "/api_secret": _DELETE, "/tokens/0/token": "short"},
            [
                "/api_secret: required",
                "/channels: must not be empty",
                "/tokens/0/token: must be at least 8 characters long",
            ],
        ),
        (
            {"/channels/0/settings/undo_send_time": 3, "/channels/0/settings/webhook_url": "ftp://x"},
            [
                "/channels/0/settings/undo_send_time: must be one of: 0, 5, 10, 15, 30, 60",
                "/channels/0/settings/webhook_url: must match the pattern ^https?://",
            ],
        ),
        (
            {"/history": [{"channel": "cha_1a01", "sender": {"name": "Ada"}, "body": 5, "created_at": 60}]},
            [
                "/history/0/body: must be a string",
                "/history/0/created_at: must be <= 0",
                "/history/0/sender/handle: required",
            ],
        ),
        (
            {"/history": [{"channel": "", "sender": {"handle": "x"}, "body": "hi", "body_format": "rtf"}]},
            [
                "/history/0/body_format: must be one of: markdown, html",
                "/history/0/channel: must not be empty",
            ],
        ),
        (
            {"/tokens/1/scopes/0": "admin"},
            [
                "/tokens/1/scopes/0: must be one of: *, attachments:read, channels:read, "
                "channels:write, comments:read, comments:write, contacts:delete, contacts:read, "
                "contacts:write, conversations:read, conversations:write, events:*:read, inboxes:read, "
                "messages:read, messages:send, messages:write, tags:read, tags:write, teammates:read"
            ],
        ),
    ],
}


WRONG_PAYLOADS.update(
    {
        "clock": [
            (
                {"/mode": "paused", "/now": "noon"},
                ["/mode: must be one of: real, frozen", "/now: must be a number"],
            )
        ],
        "clock-freeze": [
            ({"/at": -1, "/seconds": 5}, ["/at: must be >= 0", "/seconds: is not a known field"])
        ],
        "clock-advance": [
            ({"/seconds": 0}, ["/seconds: must be > 0"]),
            ({"/seconds": 31_622_401}, ["/seconds: must be <= 31622400"]),
            ({"/seconds": "5"}, ["/seconds: must be a number"]),
            ({"/seconds": _DELETE}, ["/seconds: required"]),
        ],
        "seed-request": [
            ({"": {}}, ["/: give workspace (a workspace document) or path (a workspace file)"]),
            (
                {"/workspace": {"api_secret": "s"}},
                [
                    "/: give workspace or path, not both",
                    "/workspace/channels: required",
                    "/workspace/tokens: required",
                ],
            ),
            ({"/path": ""}, ["/path: must not be empty"]),
        ],
        "snapshot": [
            (
                {"/snapshot_id": "snp_x", "/messages": -1},
                [
                    "/messages: must be >= 0",
                    "/snapshot_id: must match the pattern ^snap_[0-9]+$",
                ],
            ),
            ({"/evicted": 1}, ["/evicted: must be a string or null"]),
        ],
        "wait-request": [
            ({"/deliveries": 0, "/timeout": 61}, ["/deliveries: must be >= 1", "/timeout: must be <= 60"]),
            (
                {"/deliveries": _DELETE},
                ["/: give message_uid (wait for that message) or deliveries (wait for that many deliveries)"],
            ),
            (
                {"/message_uid": "0" * 32},
                [
                    "/: give message_uid or deliveries, not both",
                    "/channel_id: filters deliveries: give it with deliveries, not message_uid",
                    "/outcome: filters deliveries: give it with deliveries, not message_uid",
                ],
            ),
            (
                {"/deliveries": _DELETE, "/message_uid": "XYZ"},
                [
                    "/channel_id: filters deliveries: give it with deliveries, not message_uid",
                    "/message_uid: must match the pattern ^[0-9a-f]{32}$",
                    "/outcome: filters deliveries: give it with deliveries, not message_uid",
                ],
            ),
            ({"/outcome": "delivered"}, ["/outcome: must be one of: sent, failed"]),
        ],
        "wait-answer": [
            (
                {"/satisfied": "yes", "/waited": -1},
                [
                    "/satisfied: must be true or false",
                    "/waited: must be >= 0",
                ],
            )
        ],
        "request-list": [
            (
                {"/dropped": _DELETE, "/_results/0/status": 99},
                ["/_results/0/status: must be >= 100", "/dropped: required"],
            ),
            ({"/retained_bytes": -5}, ["/retained_bytes: must be >= 0"]),
            (
                {"/_results/0/details": "bad", "/_results/0/path": "channels"},
                [
                    "/_results/0/details: must be an array",
                    "/_results/0/path: must match the pattern ^/",
                ],
            ),
        ],
        "request-report": [
            (
                {"/reasons/0/count": 0, "/reasons/0/status": 202},
                [
                    "/reasons/0/count: must be >= 1",
                    "/reasons/0/status: must be >= 400",
                ],
            ),
            ({"/reasons/0/example": _DELETE}, ["/reasons/0/example: required"]),
        ],
        "openapi": [
            ({"/openapi": "3.0.3"}, ['/openapi: must be "3.1.0"']),
            (
                {"/paths": {}, "/info/version": _DELETE},
                ["/info/version: required", "/paths: must not be empty"],
            ),
        ],
    }
)


# Application channels (docs/application-channels.md).
_APPLICATION = {
    "uid": "app1a05",
    "secret": "front-emulator-application-secret",
    "name": "Partner chat app",
    "webhook_url": "http://127.0.0.1:9000/front/app",
}
_SYNC_METADATA = {"external_id": "m1", "external_conversation_id": "c1"}
_APP_EVENT = {
    "id": "evt_1",
    "type": "authorization",
    "application_uid": "app1a05",
    "channel_id": "cha_2",
    "message_id": None,
    "request": {
        "method": "POST",
        "url": "http://127.0.0.1:9000/front/app",
        "headers": {"x-front-signature": "c2lnbmF0dXJl", "x-front-request-timestamp": "1700000000000"},
        "body": '{"type":"authorization","payload":{"channel_id":"cha_2"}}',
        "signature_input": {"scheme": "sha256-timestamp"},
    },
    "answer": {"status": 200, "body": '{"type":"success","webhook_url":"http://127.0.0.1:9000/c"}'},
    "started_at": 1700000000.0,
    "outcome": "accepted",
    "reason": None,
}
OTHER_VALID_DOCUMENTS.update(
    {
        "application": _APPLICATION,
        "authorize-channel": {"name": "Partner chat", "address": "partner-2"},
        "channel-message-status": {"status": "failed", "reason": "carrier refused"},
        "channel-status": {"status": "offline"},
        "app-event": _APP_EVENT,
        "app-event-list": {"_results": [_APP_EVENT]},
        "create-application": {"name": "Acme", "webhook_url": "http://x.test/front"},
        "channel-inbound-message": {"sender": {"handle": "ada"}, "body": "hi", "metadata": _SYNC_METADATA},
        "channel-outbound-message": {
            "to": [{"handle": "ada", "name": "Ada"}],
            "body": "hi",
            "metadata": _SYNC_METADATA,
            "sender_name": "Grace",
            "author_id": "tea_1b02",
            "delivered_at": 1_700_000_000,
        },
    }
)
WRONG_PAYLOADS.update(
    {
        "application": [
            (
                {"/uid": "App-1", "/secret": "short", "/webhook_url": _DELETE},
                [
                    "/secret: must be at least 8 characters long",
                    "/uid: must match the pattern ^[0-9a-z]+$",
                    "/webhook_url: required",
                ],
            )
        ],
        "channel-inbound-message": [
            (
                {"/metadata/external_id": _DELETE, "/metadata/external_conversation_id": "x" * 201},
                [
                    "/metadata/external_conversation_id: must be at most 200 characters long",
                    "/metadata/external_id: required",
                ],
            ),
            (
                {"/sender": {"name": "Ada"}, "/delivered_at": 1.5, "/attachments": ["aGk="]},
                [
                    "/attachments: files can only be sent with Content-Type multipart/form-data; "
                    "a JSON body may carry an empty list",
                    "/delivered_at: must be an integer",
                    "/sender/handle: required",
                ],
            ),
        ],
        "channel-outbound-message": [
            (
                {"/to": [], "/author_id": "ada", "/metadata": _DELETE},
                [
                    "/author_id: must match the pattern ^tea_[0-9a-z]+$",
                    "/metadata: required",
                    "/to: must not be empty",
                ],
            ),
            (
                {"/to/0": {"handle": ""}, "/sender": {"handle": "x"}},
                ["/sender: is not a known field", "/to/0/handle: must not be empty"],
            ),
        ],
        "channel-status": [
            ({"/status": "down"}, ["/status: must be one of: offline, ok"]),
            ({"/status": _DELETE, "/name": "x"}, ["/name: is not a known field", "/status: required"]),
        ],
        "channel-message-status": [
            (
                {"/status": "sent", "/reason": 5},
                ["/reason: must be a string", "/status: must be one of: failed"],
            ),
            ({"/status": _DELETE}, ["/status: required"]),
        ],
        "authorize-channel": [
            ({"/name": "", "/address": 5}, ["/address: must be a string", "/name: must not be empty"]),
            (
                {"/name": _DELETE, "/webhook_url": "http://x"},
                ["/name: required", "/webhook_url: is not a known field"],
            ),
        ],
        "app-event": [
            (
                {"/type": "ping", "/request/method": "GET", "/outcome": "sent"},
                [
                    "/outcome: must be one of: accepted, refused, failed",
                    "/request/method: must be one of: POST, DELETE",
                    "/type: must be one of: authorization, delete, message_imported, message, "
                    "message_autoreply",
                ],
            ),
            (
                {"/id": "dlv_1", "/answer/status": "200"},
                ["/answer/status: must be an integer", "/id: must match the pattern ^evt_[0-9a-z]+$"],
            ),
        ],
        "app-event-list": [({"/_results/0/reason": 3}, ["/_results/0/reason: must be a string or null"])],
        "create-application": [
            (
                {"/name": "", "/webhook_url": "ftp://x"},
                ["/name: must not be empty", "/webhook_url: must match the pattern ^https?://"],
            ),
            ({"/owner": "me", "/name": _DELETE}, ["/name: required", "/owner: is not a known field"]),
        ],
    }
)
WRONG_PAYLOADS["workspace"].append(
    (
        {"/applications/0/secret": 5, "/channels/3/application": "App 1"},
        [
            "/applications/0/secret: must be a string",
            "/channels/3/application: must match the pattern ^[0-9a-z]+$",
        ],
    )
)

# Fault injection (/_emulator/faults): tests/control/test_faults.py checks the same refusals over HTTP.
_FAULT = {
    "id": "flt_1",
    "action": "status",
    "route": "/channels/{channel_id}/incoming_messages",
    "path_prefix": None,
    "method": "POST",
    "channel_id": None,
    "status": 429,
    "retry_after": 2,
    "message": None,
    "latency": None,
    "times": 1,
    "probability": None,
    "fired": 0,
    "spared": 0,
    "remaining": 1,
}
OTHER_VALID_DOCUMENTS.update(
    {
        "fault-request": {"route": "/channels/{channel_id}/incoming_messages", "status": 503, "times": 1},
        "fault": _FAULT,
        "fault-list": {"_results": [_FAULT]},
    }
)
WRONG_PAYLOADS.update(
    {
        "fault-request": [
            ({"/status": 200, "/times": 0}, ["/status: must be >= 400", "/times: must be >= 1"]),
            (
                {"/route": "channels", "/colour": "red"},
                ["/colour: is not a known field", "/route: must match the pattern ^/"],
            ),
            (
                {"/status": _DELETE, "/latency": {"min": 1}, "/retry_after": 3},
                ["/latency/max: required", "/status: required"],
            ),
            (
                {"/probability": 1.5, "/drop_connection": False},
                [
                    "/: exactly one of status, latency, drop_connection, accept_without_creating says what "
                    "the fault does",
                    "/drop_connection: must be true",
                    "/probability: must be <= 1",
                ],
            ),
        ],
        "fault": [
            (
                {"/id": "f1", "/fired": -1},
                ["/fired: must be >= 0", "/id: must match the pattern ^flt_[0-9]+$"],
            )
        ],
        "fault-list": [
            (
                {"/_results/0/action": "explode"},
                [
                    "/_results/0/action: must be one of: status, latency, drop_connection, "
                    "accept_without_creating"
                ],
            )
        ],
    }
)


# The Front around a channel (tests/api/test_around.py): real answers of the emulator.
def _around_documents(client: TestClient, message: dict[str, Any]) -> dict[str, Any]:
    conversation_url = message["_links"]["related"]["conversation"]
    comment = client.post(
        conversation_url + "/comments", json={"body": "Ask @grace", "author_id": "tea_1b01"}
    ).json()
    tag = client.post("/tags", json={"name": "VIP", "highlight": "red"}).json()
    client.post(conversation_url + "/tags", json={"tag_ids": [tag["id"]]})
    events = client.get(conversation_url + "/events").json()
    return {
        "contact": client.get(message["recipients"][0]["_links"]["related"]["contact"]).json(),
        "contact-list": client.get("/contacts").json(),
        "conversation-list": client.get("/conversations").json(),
        "teammate-list": client.get("/teammates").json(),
        "inbox": client.get("/inboxes/inb_1c01").json(),
        "inbox-list": client.get("/inboxes").json(),
        "event": events["_results"][0],
        "event-list": events,
        "comment-list": client.get(conversation_url + "/comments").json(),
        "comment": comment,
        "tag": tag,
        "tag-list": client.get("/tags").json(),
        "create-tag": {
            "name": "VIP",
            "description": "pays",
            "highlight": "red",
            "is_visible_in_conversation_lists": True,
        },
        "tag-ids": {"tag_ids": [tag["id"]]},
        "create-comment": {
            "body": "Ask @grace",
            "author_id": "alt:email:ada@example.test",
            "is_pinned": True,
        },
        "seen-receipt-list": client.get(message["_links"]["related"]["message_seen"]).json(),
    }


WRONG_PAYLOADS.update(
    {
        "contact": [
            (
                {"/handles": [], "/is_private": "no"},
                ["/handles: must not be empty", "/is_private: must be true or false"],
            ),
            (
                {"/handles/0/source": "pager", "/_links/related": _DELETE},
                [
                    "/_links/related: required",
                    "/handles/0/source: must be one of: twitter, email, phone, facebook, intercom, "
                    "front_chat, custom",
                ],
            ),
        ],
        "contact-list": [
            (
                {"/_pagination": _DELETE, "/_results/0/name": 5},
                ["/_pagination: required", "/_results/0/name: must be a string"],
            ),
        ],
        "conversation-list": [
            (
                {"/_results/0/status": "open"},
                ["/_results/0/status: must be one of: archived, unassigned, deleted, assigned"],
            ),
            ({"/_results": {}}, ["/_results: must be an array"]),
        ],
        "teammate-list": [
            (
                {"/_results/1/id": "usr_2", "/_pagination": {}},
                [
                    "/_pagination: is not a known field",
                    "/_results/1/id: must match the pattern ^tea_[0-9a-z]+$",
                ],
            ),
        ],
        "inbox": [
            (
                {"/id": "cha_1", "/is_public": 1},
                ["/id: must match the pattern ^inb_[0-9a-z]+$", "/is_public: must be true or false"],
            ),
            (
                {"/_links/related/channels": _DELETE, "/name": ""},
                ["/_links/related/channels: required", "/name: must not be empty"],
            ),
        ],
        "inbox-list": [({"/_results/0/custom_fields": []}, ["/_results/0/custom_fields: must be an object"])],
        "event": [
            (
                {"/type": "explode", "/emitted_at": "now"},
                [
                    "/emitted_at: must be a number",
                    "/type: must be one of: inbound, outbound, out_reply, assign, unassign, archive, reopen, "
                    "trash, restore, sending_error, tag, untag, comment",
                ],
            ),
            (
                {"/source/_meta/type": "robot", "/conversation": _DELETE},
                ["/conversation: required", "/source/_meta/type: must be one of: api, teammate, recipient"],
            ),
        ],
        "event-list": [
            ({"/_results/0/id": "event-1"}, ["/_results/0/id: must match the pattern ^evt_[0-9a-z]+$"])
        ],
        "comment-list": [
            ({"/_results/0/id": "cmt_1"}, ["/_results/0/id: must match the pattern ^com_[0-9a-z]+$"]),
            ({"/_results": {}}, ["/_results: must be an array"]),
        ],
        "comment": [
            (
                {"/author": None, "/attachments": ["x"], "/is_pinned": "no"},
                [
                    "/attachments: must be empty",
                    "/author: must be an object",
                    "/is_pinned: must be true or false",
                ],
            ),
            (
                {"/body": _DELETE, "/_links/related/mentions": 1},
                ["/_links/related/mentions: must be a string", "/body: required"],
            ),
        ],
        "tag": [
            (
                {"/highlight": "teal", "/name": ""},
                [
                    "/highlight: must be one of: grey, pink, red, orange, yellow, green, light-blue, blue, "
                    "purple, null",
                    "/name: must not be empty",
                ],
            ),
            (
                {"/id": "tg_1", "/_links/related/owner": "x"},
                ["/_links/related/owner: must be null", "/id: must match the pattern ^tag_[0-9a-z]+$"],
            ),
        ],
        "tag-list": [({"/_results/0/is_private": None}, ["/_results/0/is_private: must be true or false"])],
        "create-tag": [
            ({"/name": "x" * 65}, ["/name: must be at most 64 characters long"]),
            ({"/name": _DELETE, "/color": "red"}, ["/color: is not a known field", "/name: required"]),
        ],
        "tag-ids": [
            ({"/tag_ids": []}, ["/tag_ids: must not be empty"]),
            ({"/tag_ids": _DELETE}, ["/tag_ids: required"]),
        ],
        "create-comment": [
            ({"/body": ""}, ["/body: must not be empty"]),
            ({"/body": _DELETE, "/author_id": 3}, ["/author_id: must be a string", "/body: required"]),
        ],
        "seen-receipt-list": [
            (
                {"/_pagination/next": "http://x.test/next", "/_links": _DELETE},
                ["/_links: required", "/_pagination/next: must be null"],
            )
        ],
    }
)

# The Channel API's calls and message templates: tests/api/call_schema_cases.py.
OTHER_VALID_DOCUMENTS.update(CALL_SCHEMA_DOCUMENTS)
WRONG_PAYLOADS.update(call_schema_wrong_payloads(_DELETE))


# Contact writes and imported messages (tests/api/test_contacts_write.py, test_imported_messages.py).
_IMPORT = {
    "sender": {"handle": "ada@example.test", "name": "Ada", "author_id": "tea_1b01"},
    "to": ["support@example.test"],
    "cc": ["grace@example.test"],
    "bcc": [],
    "subject": "Late order",
    "body": "My order is *late*",
    "body_format": "markdown",
    "external_id": "ticket-1",
    "created_at": 1_600_000_000,
    "type": "email",
    "assignee_id": "alt:email:ada@example.test",
    "tags": ["imported"],
    "conversation_id": "cnv_1",
    "metadata": {"is_inbound": True, "thread_ref": "t-1", "is_archived": False, "should_skip_rules": True},
    "attachments": [],
}
OTHER_VALID_DOCUMENTS.update(
    {
        "create-contact": {
            "name": "Ada",
            "description": "Pays on time",
            "links": ["https://example.test/ada"],
            "custom_fields": {"tier": "gold"},
            "handles": [{"handle": "+15550101234", "source": "phone"}],
        },
        "update-contact": {
            "name": "Ada",
            "description": "",
            "links": ["https://example.test"],
            "custom_fields": {},
        },
        "contact-handle": {"handle": "@ada", "source": "twitter"},
        "delete-contact-handle": {"handle": "@ada", "source": "twitter", "force": True},
        "import-message": _IMPORT,
    }
)
WRONG_PAYLOADS.update(
    {
        "create-contact": [
            ({"/handles": _DELETE, "/name": 5}, ["/handles: required", "/name: must be a string"]),
            (
                {"/handles/0/source": "pager", "/avatar": "aGk="},
                [
                    "/avatar: contact lists and avatars are not emulated yet: leave avatar, group_names and "
                    "list_names out",
                    "/handles/0/source: must be one of: twitter, email, phone, facebook, intercom, "
                    "front_chat, custom",
                ],
            ),
        ],
        "update-contact": [
            (
                {"/handles": [], "/links/0": 1},
                [
                    "/handles: handles change through POST and DELETE /contacts/{contact_id}/handles, "
                    "not PATCH",
                    "/links/0: must be a string",
                ],
            ),
            (
                {"/custom_fields": [], "/nickname": "x"},
                ["/custom_fields: must be an object", "/nickname: is not a known field"],
            ),
        ],
        "contact-handle": [
            ({"/handle": "", "/source": _DELETE}, ["/handle: must not be empty", "/source: required"]),
            ({"/force": True}, ["/force: is not a known field"]),
        ],
        "delete-contact-handle": [
            ({"/force": "yes", "/handle": _DELETE}, ["/force: must be true or false", "/handle: required"]),
        ],
        "import-message": [
            (
                {"/external_id": _DELETE, "/created_at": 1.5, "/to": []},
                ["/created_at: must be an integer", "/external_id: required", "/to: must not be empty"],
            ),
            ({"/created_at": 253339142401}, ["/created_at: must be <= 253339142400"]),
            (
                {"/metadata/is_inbound": "yes", "/metadata/headers": {}, "/type": "fax"},
                [
                    "/metadata/headers: is not a known field",
                    "/metadata/is_inbound: must be true or false",
                    "/type: must be one of: email, sms, intercom, custom",
                ],
            ),
            (
                {"/attachments": ["aGk="], "/sender/contact_id": "crd_1"},
                [
                    "/attachments: files can only be sent with Content-Type multipart/form-data; a JSON "
                    "body may carry an empty list",
                    "/sender/contact_id: is not a known field",
                ],
            ),
        ],
    }
)


def test_every_schema_has_wrong_payload_cases() -> None:
    assert sorted(WRONG_PAYLOADS) == SCHEMA_NAMES


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_valid_document_passes_and_wrong_ones_get_exact_details(name: str, documents: dict[str, Any]) -> None:
    if name not in documents or name not in WRONG_PAYLOADS:
        pytest.fail(
            f"schemas/{name}.json is new: add a valid document and wrong payloads with their details here"
        )
    schema = validator(name)
    valid = documents[name]
    assert schema.is_valid(valid), schema.details(valid)
    assert schema.details(valid) == []
    for changes, expected in WRONG_PAYLOADS[name]:
        wrong = copy.deepcopy(valid)
        for pointer, value in changes.items():
            _set(wrong, pointer, value)
        assert not schema.is_valid(wrong), changes
        assert schema.details(wrong) == expected, changes


def test_wrong_custom_message_answers_the_same_details_over_http(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client()
    answer = client.post(
        f"/channels/{CHANNEL}/incoming_messages",
        json={"sender": {"name": "Ada"}, "body": ["not", "text"], "body_format": "rtf"},
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "_error": {
            "status": 400,
            "title": "Bad request",
            "message": "Invalid request body",
            "details": [
                "/body: must be a string",
                "/body_format: must be one of: markdown, html, null",
                "/sender/handle: required",
            ],
        }
    }
