"""Front's `_error` envelope for every way a request can go wrong, and no state change when it does."""

from __future__ import annotations

import pytest

from tests.conftest import CHANNEL, EMAIL_CHANNEL, READ_ONLY_TOKEN, post_message
from tests.helpers import assert_front_error

VALID = {"sender": {"handle": "visitor-1"}, "body": "hello"}
INCOMING = f"/channels/{CHANNEL}/incoming_messages"
JSON = {"content-type": "application/json"}


def assert_untouched(client) -> None:
    """Nothing accepted, nothing created."""
    health = client.get("/_emulator/readyz").json()
    assert (health["messages"], health["pending_messages"]) == (0, 0)


def post_raw(client, body: bytes, content_type: str | None = "application/json"):
    headers = {"content-type": content_type} if content_type is not None else {}
    return client.post(INCOMING, content=body, headers=headers)


# -- 400: invalid bodies, one detail per bad field ---------------------------------------------------


@pytest.mark.parametrize(
    ("document", "details"),
    [
        ({"body": "x"}, ["/sender: required"]),
        ({"sender": {}, "body": "x"}, ["/sender/handle: required"]),
        ({"sender": {"handle": "v"}}, ["/body: required"]),
        ({}, ["/body: required", "/sender: required"]),
        ({"sender": {"handle": ""}, "body": "x"}, ["/sender/handle: must not be empty"]),
        ({"sender": "v", "body": "x"}, ["/sender: must be an object"]),
        ({"sender": {"handle": 5}, "body": "x"}, ["/sender/handle: must be a string"]),
        ({"sender": {"handle": "v"}, "body": 12}, ["/body: must be a string"]),
        ({"sender": {"handle": "v"}, "body": None}, ["/body: must be a string"]),
        ({"sender": {"handle": "v"}, "body": "x", "subject": 1}, ["/subject: must be a string or null"]),
        (
            {"sender": {"handle": "v"}, "body": "x", "body_format": "rtf"},
            ["/body_format: must be one of: markdown, html, null"],
        ),
        (
            {"sender": {"handle": "v"}, "body": "x", "metadata": {"thread_ref": 5, "headers": []}},
            [
                "/metadata/headers: must be an object or null",
                "/metadata/thread_ref: must be a string or null",
            ],
        ),
        (
            {"sender": {"handle": "v"}, "body": "x", "metadata": "ref"},
            ["/metadata: must be an object or null"],
        ),
        (
            {"sender": {"handle": "v", "name": 3}, "body": True},
            ["/body: must be a string", "/sender/name: must be a string or null"],
        ),
    ],
)
def test_invalid_body_gets_one_detail_per_bad_field(client, document, details):
    error = assert_front_error(client.post(INCOMING, json=document), 400)
    assert error["title"] == "Bad request"
    assert error["details"] == details
    assert_untouched(client)


def test_attachments_in_json_are_refused_with_a_hint(client):
    error = assert_front_error(client.post(INCOMING, json={**VALID, "attachments": [{"name": "a.txt"}]}), 400)
    [detail] = error["details"]
    assert detail.startswith("/attachments:")
    assert "multipart/form-data" in detail
    assert_untouched(client)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"[]", "/: must be an object"),
        (b"[1, 2]", "/: must be an object"),
        (b'"a string"', "/: must be an object"),
        (b"null", "/: must be an object"),
        (b"42", "/: must be an object"),
        (b"true", "/: must be an object"),
    ],
)
def test_json_that_is_not_an_object_is_a_400(client, body, detail):
    error = assert_front_error(post_raw(client, body), 400)
    assert error["details"] == [detail]
    assert_untouched(client)


def assert_malformed_json_400(client, body: bytes) -> None:
    error = assert_front_error(post_raw(client, body), 400)
    assert error["message"].startswith("Request body is")
    assert "JSON" in error["message"]
    assert_untouched(client)


# A document cut before its body's value: what follows it is the fault.
UP_TO_BODY = b'{"sender": {"handle": "v"}, "body": '


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"   \n\t ", id="whitespace"),
        pytest.param(UP_TO_BODY + b'"x"', id="truncated"),
        pytest.param(b"{'sender': 1}", id="single-quotes"),
        pytest.param(UP_TO_BODY + b'"x",}', id="trailing-comma"),
        pytest.param(b"[" * 100_000, id="100k-brackets"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100k-nested-arrays"),
        pytest.param(b'{"a":' * 5000 + b"1" + b"}" * 5000, id="5k-nested-objects"),
        pytest.param(b"\xef\xbb\xbf" + UP_TO_BODY + b'"x"}', id="utf8-bom"),
        pytest.param(b"\x00" * 10, id="nul-bytes"),
        pytest.param(UP_TO_BODY + b'"x"} {}', id="two-documents"),
    ],
)
def test_malformed_json_is_a_clear_400(client, body):
    assert_malformed_json_400(client, body)


@pytest.mark.parametrize(
    "string",
    [b'"\xff\xfe"', b'"\xc3"', b'"\\ud800"', b'"\\udc00x"'],
    ids=["invalid-utf8", "truncated-utf8", "lone-surrogate", "lone-low-surrogate"],
)
def test_a_string_that_is_not_unicode_is_a_clear_400(client, string):
    assert_malformed_json_400(client, UP_TO_BODY + string + b"}")


@pytest.mark.parametrize(
    "number",
    [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"9" * 400],
    ids=["nan", "infinity", "minus-infinity", "1e400", "huge-integer"],
)
def test_a_number_json_does_not_take_is_a_clear_400(client, number):
    assert_malformed_json_400(client, UP_TO_BODY + b'"x", "n": ' + number + b"}")


@pytest.mark.parametrize(
    "field",
    ["sender", "subject", "body", "metadata/thread_ref", "extra"],
)
def test_deeply_nested_values_anywhere_are_a_400(client, field):
    deep = b"[" * 900 + b"]" * 900
    if field == "metadata/thread_ref":
        body = b'{"sender": {"handle": "v"}, "body": "x", "metadata": {"thread_ref": ' + deep + b"}}"
    elif field == "sender":
        body = b'{"sender": ' + deep + b', "body": "x"}'
    elif field == "extra":
        body = b'{"sender": {"handle": "v"}, "body": "x", "extra": ' + deep + b"}"
    else:
        body = b'{"sender": {"handle": "v"}, "body": "x", "' + field.encode() + b'": ' + deep + b"}"
    error = assert_front_error(post_raw(client, body), 400)
    top_level = field.split("/")[0]
    assert error["details"] == [f"/{top_level}: must not nest deeper than 64 levels"]
    assert_untouched(client)


def test_deeply_nested_array_as_the_whole_body_is_a_400(client):
    error = assert_front_error(post_raw(client, b"[" * 900 + b"]" * 900), 400)
    assert error["details"] == ["/0: must not nest deeper than 64 levels"]


def test_nesting_just_under_the_cap_is_checked_normally(client):
    deep = b"[" * 60 + b"]" * 60
    error = assert_front_error(post_raw(client, b'{"sender": {"handle": "v"}, "body": ' + deep + b"}"), 400)
    assert error["details"] == ["/body: must be a string"]


def test_brackets_inside_strings_are_not_nesting(client):
    uid = post_message(client, {**VALID, "body": "[" * 500 + "{" * 500})
    assert client.get(f"/messages/alt:uid:{uid}").json()["text"] == "[" * 500 + "{" * 500


def test_deeply_bracketed_form_keys_are_a_400(client):
    key = "subject" + "[a]" * 900
    answer = client.post(
        INCOMING, files=[("sender[handle]", (None, "v")), ("body", (None, "x")), (key, (None, "y"))]
    )
    error = assert_front_error(answer, 400)
    assert error["details"] == ["/subject: must not nest deeper than 64 levels"]
    assert_untouched(client)


def test_bracketed_form_keys_a_little_deep_get_schema_details(client):
    key = "subject" + "[a]" * 3
    answer = client.post(
        INCOMING, files=[("sender[handle]", (None, "v")), ("body", (None, "x")), (key, (None, "y"))]
    )
    assert assert_front_error(answer, 400)["details"] == ["/subject: must be a string or null"]


def test_deeply_nested_objects_are_a_400(client):
    deep = b'{"a": ' * 900 + b"1" + b"}" * 900
    body = b'{"sender": {"handle": "v"}, "body": "x", "subject": ' + deep + b"}"
    error = assert_front_error(post_raw(client, body), 400)
    assert error["details"] == ["/subject: must not nest deeper than 64 levels"]
    assert_untouched(client)


def test_forty_levels_of_headers_are_a_400(client):
    headers: dict = {"leaf": "x"}
    for level in range(40):
        headers = {f"h{level}": headers}
    error = assert_front_error(client.post(INCOMING, json={**VALID, "metadata": {"headers": headers}}), 400)
    assert error["details"] == ["/metadata/headers: must not nest deeper than 32 levels"]
    assert_untouched(client)


def test_headers_nested_a_little_are_accepted(client):
    headers: dict = {"leaf": [1, {"x": None}]}
    for level in range(10):
        headers = {f"h{level}": headers}
    uid = post_message(client, {**VALID, "metadata": {"headers": headers}})
    assert client.get(f"/messages/alt:uid:{uid}").json()["metadata"]["headers"] == headers


def test_huge_integer_where_a_string_belongs_is_a_400(client):
    body = b'{"sender": {"handle": "v"}, "body": ' + b"1" * 30 + b"}"
    error = assert_front_error(post_raw(client, body), 400)
    assert error["details"] == ["/body: must be a string"]
    assert_untouched(client)


def test_unicode_that_is_valid_is_kept(client):
    document = {"sender": {"handle": "visitor-ü", "name": "Zoë 🦊"}, "body": "ça va? 你好 \U0001f600"}
    message = client.get(f"/messages/alt:uid:{post_message(client, document)}").json()
    assert message["text"] == "ça va? 你好 \U0001f600"
    assert message["recipients"][0]["name"] == "Zoë 🦊"


# -- 413 ---------------------------------------------------------------------------------------------


def test_oversized_json_is_a_413(make_client):
    client = make_client(max_json_bytes=100)
    error = assert_front_error(client.post(INCOMING, json={**VALID, "body": "x" * 200}), 413)
    assert error["title"] == "Payload too large"
    assert "100 bytes" in error["message"]
    assert_untouched(client)


def test_json_at_the_limit_is_accepted(make_client):
    client = make_client(max_json_bytes=100)
    body = b'{"sender": {"handle": "v"}, "body": "' + b"x" * 60 + b'"}'
    body += b" " * (100 - len(body))
    assert post_raw(client, body).status_code == 202


def test_oversized_json_without_content_length_is_a_413(make_client):
    client = make_client(max_json_bytes=100)
    chunks = iter([b'{"sender": {"handle": "v"}, "body": "', b"x" * 200, b'"}'])
    answer = client.post(INCOMING, content=chunks, headers=JSON)
    assert "content-length" not in answer.request.headers
    assert_front_error(answer, 413)
    assert_untouched(client)


# -- 415 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/xml", "application/x-www-form-urlencoded", "application/jsonx", "json"],
)
def test_wrong_or_missing_content_type_is_a_415(client, content_type):
    error = assert_front_error(
        post_raw(client, b'{"sender": {"handle": "v"}, "body": "x"}', content_type), 415
    )
    assert error["title"] == "Unsupported media type"
    assert "application/json" in error["message"]
    assert "multipart/form-data" in error["message"]
    assert_untouched(client)


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "Application/JSON", "application/json ; charset=UTF-8"],
)
def test_json_content_type_with_parameters_or_capitals(client, content_type):
    assert post_raw(client, b'{"sender": {"handle": "v"}, "body": "x"}', content_type).status_code == 202


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\n"),
        ("multipart/form-data; boundary=xyz", b"not a multipart body"),
    ],
)
def test_broken_multipart_is_a_400(client, content_type, body):
    error = assert_front_error(post_raw(client, body, content_type), 400)
    assert "multipart" in error["message"]
    assert_untouched(client)


# -- 401 / 403 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer nope-not-a-token",
        "Basic Zm9vOmJhcg==",
        "front-emulator-token",
        "Token x",
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", INCOMING),
        ("GET", "/messages/msg_1"),
        ("GET", "/conversations/cnv_1"),
        ("GET", "/conversations/cnv_1/messages"),
        ("GET", "/channels"),
        ("GET", f"/channels/{CHANNEL}"),
    ],
)
def test_missing_unknown_or_malformed_token_is_a_401(client, authorization, method, path):
    headers = {"authorization": authorization} if authorization is not None else {}
    client.headers.pop("authorization")
    answer = client.request(method, path, json=VALID if method == "POST" else None, headers=headers)
    error = assert_front_error(answer, 401)
    assert error["title"] == "Unauthenticated"
    assert_untouched(client)


def test_unknown_token_reads_as_front_says(client):
    answer = client.get("/channels", headers={"authorization": "Bearer not-a-token"})
    assert answer.json() == {
        "_error": {"status": 401, "title": "Unauthenticated", "message": "Invalid token"}
    }


def test_bearer_is_case_insensitive(client):
    assert (
        client.get("/channels", headers={"authorization": "bearer front-emulator-token"}).status_code == 200
    )


def test_read_only_token_cannot_post(client):
    answer = client.post(INCOMING, json=VALID, headers={"authorization": f"Bearer {READ_ONLY_TOKEN}"})
    error = assert_front_error(answer, 403)
    assert error["title"] == "Forbidden"
    assert error["message"] == "Token lacks the required messages:write scope"
    assert_untouched(client)


def test_read_only_token_cannot_update_conversations(client):
    uid = post_message(client, VALID)
    conversation = client.get(f"/messages/alt:uid:{uid}").json()["_links"]["related"]["conversation"]
    answer = client.patch(
        conversation, json={"status": "archived"}, headers={"authorization": f"Bearer {READ_ONLY_TOKEN}"}
    )
    assert assert_front_error(answer, 403)["message"] == "Token lacks the required conversations:write scope"
    assert client.get(conversation).json()["status"] == "unassigned"


def test_read_only_token_can_read(client):
    uid = post_message(client, VALID)
    headers = {"authorization": f"Bearer {READ_ONLY_TOKEN}"}
    assert client.get(f"/messages/alt:uid:{uid}", headers=headers).status_code == 200
    assert client.get("/channels", headers=headers).status_code == 200


# -- 404 / 400 non-custom / 405 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/channels/cha_nope/incoming_messages"),
        ("POST", "/channels/alt:address:nobody@example.test/incoming_messages"),
        ("POST", "/channels/alt%3Aaddress%3Anobody%40example.test/incoming_messages"),
        ("GET", "/channels/cha_nope"),
        ("GET", "/channels/alt:address:nobody@example.test"),
        ("GET", "/messages/msg_nope"),
        ("GET", "/messages/alt:uid:0123456789abcdef0123456789abcdef"),
        ("GET", "/messages/msg_nope/download/fil_nope"),
        ("GET", "/conversations/cnv_nope"),
        ("GET", "/conversations/cnv_nope/messages"),
        ("PATCH", "/conversations/cnv_nope"),
        ("GET", "/nowhere"),
        # Not GET /: it redirects to the inspector (tests/ui/test_pages.py).
        ("POST", "/channels/cha_1a01/outgoing_messages"),
        ("GET", "/contacts/crd_1"),
    ],
)
def test_unknown_resources_and_routes_are_a_404(client, method, path):
    answer = client.request(method, path, json={"status": "archived"} if method == "PATCH" else VALID)
    error = assert_front_error(answer, 404)
    assert error["title"] == "Not found"
    assert_untouched(client)


def test_unknown_attachment_on_a_known_message_is_a_404(client):
    uid = post_message(client, VALID)
    error = assert_front_error(client.get(f"/messages/alt:uid:{uid}/download/fil_nope"), 404)
    assert "fil_nope" in error["message"]


@pytest.mark.parametrize("channel", [EMAIL_CHANNEL, "alt:address:support@example.test"])
def test_non_custom_channel_is_a_400(client, channel):
    error = assert_front_error(client.post(f"/channels/{channel}/incoming_messages", json=VALID), 400)
    assert "custom channels only" in error["message"]
    assert_untouched(client)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", INCOMING, "POST"),
        ("PUT", INCOMING, "POST"),
        ("DELETE", "/messages/msg_1", "GET"),
        ("POST", "/channels", "GET"),
        ("DELETE", f"/channels/{CHANNEL}", "GET"),
        ("PUT", "/conversations/cnv_1", "GET"),
    ],
)
def test_wrong_method_is_a_405(client, method, path, allowed):
    answer = client.request(method, path)
    error = assert_front_error(answer, 405)
    assert error["title"] == "Method not allowed"
    assert allowed in answer.headers["allow"]
    assert_untouched(client)


# -- PATCH /conversations/{id} -----------------------------------------------------------------------


@pytest.fixture
def conversation_url(client):
    uid = post_message(client, VALID)
    return client.get(f"/messages/alt:uid:{uid}").json()["_links"]["related"]["conversation"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b'{"status": "closed"}', "/status: must be one of: archived, open, deleted, spam"),
        (b"{}", "/: must not be empty"),
        (b"[]", "/: must be an object"),
    ],
)
def test_bad_conversation_update_is_a_400(client, conversation_url, body, detail):
    answer = client.patch(conversation_url, content=body, headers=JSON)
    assert assert_front_error(answer, 400)["details"] == [detail]
    assert client.get(conversation_url).json()["status"] == "unassigned"


@pytest.mark.parametrize("body", [b"", b"{", b"[" * 100_000, b'{"status": "\xff"}'])
def test_malformed_conversation_update_is_a_400(client, conversation_url, body):
    assert_front_error(client.patch(conversation_url, content=body, headers=JSON), 400)
    assert client.get(conversation_url).json()["status"] == "unassigned"


def test_conversation_update_needs_json(client, conversation_url):
    answer = client.patch(
        conversation_url, content=b"status=archived", headers={"content-type": "text/plain"}
    )
    assert_front_error(answer, 415)


# -- never a 500 -------------------------------------------------------------------------------------


def test_errors_leave_earlier_messages_alone(client):
    uid = post_message(client, VALID)
    for body in (b"", b"{", b"[]", b'{"body": 1}', b"[" * 100_000):
        assert post_raw(client, body).status_code == 400
    health = client.get("/_emulator/readyz").json()
    assert health["messages"] == 1
    assert client.get(f"/messages/alt:uid:{uid}").json()["text"] == "hello"


# -- the same through a real socket ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param(b"[" * 100_000, 400, id="100k-brackets"),
        pytest.param(b'{"sender": {"handle": "v"}, "body": "\xff"}', 400, id="invalid-utf8"),
        pytest.param(b'{"sender": {"handle": "v"}, "body": "\\ud800"}', 400, id="lone-surrogate"),
        pytest.param(b"", 400, id="empty"),
        pytest.param(b'{"sender": ' + b"[" * 900 + b"]" * 900 + b', "body": "x"}', 400, id="deep-sender"),
        pytest.param(
            b'{"sender": {"handle": "v"}, "body": "' + b"x" * (2 * 1024 * 1024) + b'"}', 413, id="2-mb"
        ),
    ],
)
def test_live_server_answers_bad_bodies_and_keeps_serving(live_client, body, status):
    answer = live_client.post(INCOMING, content=body, headers=JSON)
    assert_front_error(answer, status)
    assert live_client.get("/channels").status_code == 200
    assert live_client.get("/_emulator/readyz").json()["messages"] == 0


def test_live_server_streamed_oversize_body_is_a_413(live_client):
    def chunks():
        yield b'{"sender": {"handle": "v"}, "body": "'
        for _ in range(40):
            yield b"x" * 65_536
        yield b'"}'

    answer = live_client.post(INCOMING, content=chunks(), headers=JSON)
    assert_front_error(answer, 413)
    assert post_message(live_client, VALID)
