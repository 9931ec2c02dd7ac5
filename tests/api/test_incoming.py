"""POST /channels/{channel_id}/incoming_messages, through HTTP as an integration sends it."""

from __future__ import annotations

import re

import pytest

from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from tests.conftest import CHANNEL, SMS_CHANNEL, post_message, read_message
from tests.helpers import assert_front_error

START = 1_700_000_000.0
MESSAGE = {
    "sender": {"handle": "visitor-1", "name": "Visitor One"},
    "subject": "Hello",
    "body": "Hi **there**",
}


def incoming(channel: str = CHANNEL) -> str:
    return f"/channels/{channel}/incoming_messages"


# -- JSON --------------------------------------------------------------------------------------------


def test_json_message_is_accepted_with_front_shape(client):
    answer = client.post(incoming(), json=MESSAGE)
    assert answer.status_code == 202
    assert answer.headers["content-type"] == "application/json"
    document = answer.json()
    assert set(document) == {"status", "message_uid"}
    assert document["status"] == "accepted"
    assert re.fullmatch(r"[0-9a-f]{32}", document["message_uid"])


def test_accepted_message_reads_back_as_sent(client):
    document = {
        **MESSAGE,
        "sender": {"handle": "visitor-1", "name": "Visitor One", "contact_id": None},
        "metadata": {"thread_ref": "session-42", "headers": {"x-session": "42", "nested": {"a": [1, 2]}}},
    }
    uid = post_message(client, document)
    message = read_message(client, uid)
    assert message["message_uid"] == uid
    assert message["type"] == "custom"
    assert message["is_inbound"] is True
    assert message["author"] is None
    assert message["subject"] == "Hello"
    assert message["metadata"] == {
        "thread_ref": "session-42",
        "headers": {"x-session": "42", "nested": {"a": [1, 2]}},
    }
    sender, to = message["recipients"]
    assert (sender["role"], sender["handle"], sender["name"]) == ("from", "visitor-1", "Visitor One")
    assert (to["role"], to["handle"]) == ("to", "livechat@example.test")
    assert isinstance(message["created_at"], float)


def test_every_distinct_post_gets_its_own_uid(client):
    uids = {post_message(client, MESSAGE) for _ in range(5)}
    assert len(uids) == 5


@pytest.mark.parametrize(
    "channel",
    [
        "cha_1a01",
        "alt:address:livechat@example.test",
        "alt%3Aaddress%3Alivechat%40example.test",
        "alt:address:livechat%40example.test",
    ],
)
def test_channel_by_id_or_address_alias(client, channel):
    uid = post_message(client, MESSAGE, channel=channel)
    message = read_message(client, uid)
    assert message["recipients"][1]["handle"] == "livechat@example.test"


def test_phone_channel_alias_with_plus_sign_url_encoded(client):
    uid = post_message(
        client, {"sender": {"handle": "+15550101234"}, "body": "hi"}, channel="alt:address:%2B15550100000"
    )
    assert read_message(client, uid)["recipients"][1]["handle"] == "+15550100000"


@pytest.mark.parametrize(
    "optionals",
    [
        {"subject": None},
        {"subject": ""},
        {"metadata": {}},
        {"metadata": None},
        {"metadata": {"thread_ref": "", "headers": {}}},
        {"metadata": {"thread_ref": None, "headers": None}},
        {"attachments": []},
        {"attachments": None},
        {"body_format": None},
        {"sender": {"handle": "visitor-9", "name": None, "contact_id": None}},
        {"sender": {"handle": "visitor-9", "name": ""}},
    ],
)
def test_null_or_empty_optionals_count_as_absent(client, optionals):
    document = {"sender": {"handle": "visitor-9"}, "body": "plain", **optionals}
    message = read_message(client, post_message(client, document))
    assert message["subject"] == ""
    assert message["metadata"] == {}
    assert message["attachments"] == []
    assert message["recipients"][0]["name"] is None
    assert message["body"] == "<p>plain</p>\n"


def test_python_frontapp_client_body_is_accepted(client):
    # What PyPI `frontapp` 0.1.1 posts.
    document = {
        "sender": {"handle": "visitor-2", "name": "V"},
        "subject": None,
        "body": "hi",
        "metadata": {},
        "attachments": [],
    }
    assert read_message(client, post_message(client, document))["text"] == "hi"


def test_markdown_is_rendered_to_html_and_text_is_plain(client):
    body = "# Title\n\nSome *emphasis* and **bold** with a [link](https://example.test).\n\n- one\n- two\n"
    message = read_message(client, post_message(client, {"sender": {"handle": "md"}, "body": body}))
    assert "<h1>Title</h1>" in message["body"]
    assert "<em>emphasis</em>" in message["body"]
    assert "<strong>bold</strong>" in message["body"]
    assert '<a href="https://example.test">link</a>' in message["body"]
    assert "<li>one</li>" in message["body"]
    assert "<" not in message["text"]
    assert "*" not in message["text"]
    for word in ("Title", "Some emphasis and bold with a link.", "one", "two"):
        assert word in message["text"]
    assert message["blurb"].startswith("Title")


def test_markdown_does_not_pass_raw_html_through(client):
    message = read_message(
        client, post_message(client, {"sender": {"handle": "md"}, "body": "<script>x()</script>"})
    )
    assert "<script>" not in message["body"]
    assert message["text"] == "<script>x()</script>"


def test_html_body_is_kept_as_html(client):
    html = "<div><p>Hello <b>world</b></p><p>Line&nbsp;two &amp; more</p></div>"
    document = {"sender": {"handle": "h"}, "body": html, "body_format": "html"}
    message = read_message(client, post_message(client, document))
    assert message["body"] == html
    assert message["text"] == "Hello world\n\nLine\u00a0two & more"


def test_blurb_is_a_short_preview(client):
    message = read_message(client, post_message(client, {"sender": {"handle": "b"}, "body": "word " * 200}))
    assert len(message["blurb"]) <= 140
    assert message["blurb"].startswith("word word")


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("5550101234", "+15550101234"),
        ("(555) 010-1234", "+15550101234"),
        ("555.010.1234", "+15550101234"),
        ("15550101234", "+15550101234"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+15550101234", "+15550101234"),
        ("visitor@example.test", "visitor@example.test"),
        ("user-123", "user-123"),
    ],
)
def test_phone_handles_are_normalised_to_plus_one(client, sent, stored):
    message = read_message(
        client, post_message(client, {"sender": {"handle": sent}, "body": "hi"}, SMS_CHANNEL)
    )
    assert message["recipients"][0]["handle"] == stored


def test_phone_normalisation_can_be_switched_off(make_client):
    client = make_client(normalise_phone_handles=False)
    message = read_message(client, post_message(client, {"sender": {"handle": "5550101234"}, "body": "hi"}))
    assert message["recipients"][0]["handle"] == "5550101234"


# -- multipart/form-data -----------------------------------------------------------------------------


FORM = {
    "sender[handle]": "visitor-form",
    "sender[name]": "Form Visitor",
    "subject": "From a form",
    "body": "Hello *form*",
    "metadata[thread_ref]": "form-thread",
    "metadata[headers][x-source]": "widget",
    "metadata[headers][x-page]": "/pricing",
}


def test_multipart_form_with_bracketed_keys(client):
    answer = client.post(incoming(), data=FORM, files={"attachments": ("a.txt", b"hello", "text/plain")})
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert message["recipients"][0]["handle"] == "visitor-form"
    assert message["recipients"][0]["name"] == "Form Visitor"
    assert message["subject"] == "From a form"
    assert message["body"] == "<p>Hello <em>form</em></p>\n"
    assert message["metadata"] == {
        "thread_ref": "form-thread",
        "headers": {"x-source": "widget", "x-page": "/pricing"},
    }
    [attachment] = message["attachments"]
    assert attachment["filename"] == "a.txt"
    assert attachment["content_type"] == "text/plain"
    assert attachment["size"] == 5
    assert re.fullmatch(r"fil_[0-9a-z]+", attachment["id"])


def as_parts(form: dict[str, str]) -> list:
    """Text fields as multipart parts (httpx would send a form without files url-encoded)."""
    return [(key, (None, value)) for key, value in form.items()]


def test_multipart_without_files(client):
    answer = client.post(incoming(), files=as_parts({"sender[handle]": "v", "body": "no files"}))
    assert answer.request.headers["content-type"].startswith("multipart/form-data")
    assert answer.status_code == 202, answer.text
    assert read_message(client, answer.json()["message_uid"])["attachments"] == []


@pytest.mark.parametrize("key", ["attachments", "attachments[]", "attachments[0]"])
def test_multipart_attachment_key_styles(client, key):
    files = [(key, ("one.bin", b"\x00\x01\x02", "application/octet-stream"))]
    if key == "attachments[0]":
        files.append(("attachments[1]", ("two.png", b"\x89PNG....", "image/png")))
    else:
        files.append((key, ("two.png", b"\x89PNG....", "image/png")))
    answer = client.post(incoming(), data={"sender[handle]": "v", "body": "files"}, files=files)
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert [(a["filename"], a["content_type"], a["size"]) for a in message["attachments"]] == [
        ("one.bin", "application/octet-stream", 3),
        ("two.png", "image/png", 8),
    ]


def test_multipart_empty_optionals_count_as_absent(client):
    form = {"sender[handle]": "v", "sender[name]": "", "subject": "", "body": "x", "metadata[thread_ref]": ""}
    answer = client.post(incoming(), files=as_parts(form))
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert message["subject"] == ""
    assert message["metadata"] == {}
    assert message["recipients"][0]["name"] is None


def test_multipart_missing_handle_is_a_400_with_details(client):
    answer = client.post(incoming(), files=as_parts({"sender[name]": "No handle", "body": "x"}))
    error = assert_front_error(answer, 400)
    assert error["details"] == ["/sender/handle: required"]


def test_multipart_text_field_sent_as_a_file_is_a_400(client):
    answer = client.post(
        incoming(), data={"sender[handle]": "v"}, files={"body": ("b.txt", b"x", "text/plain")}
    )
    error = assert_front_error(answer, 400)
    assert error["details"] == ["/body: must be text, not a file"]


def test_multipart_attachment_sent_as_text_is_a_400(client):
    answer = client.post(
        incoming(), files=as_parts({"sender[handle]": "v", "body": "x", "attachments": "not a file"})
    )
    error = assert_front_error(answer, 400)
    assert any(line.startswith("/attachments:") for line in error["details"])


def test_multipart_value_and_object_for_one_key_is_a_400(client):
    files = [("sender", (None, "x")), ("sender[handle]", (None, "v")), ("body", (None, "b"))]
    error = assert_front_error(client.post(incoming(), files=files), 400)
    assert error["details"] == ["/sender: given both as a value and as an object"]


def test_attachments_over_the_limit_are_a_413(make_client):
    client = make_client(max_attachments_bytes=1000)
    files = [
        ("attachments", ("a.bin", b"a" * 600, "application/octet-stream")),
        ("attachments", ("b.bin", b"b" * 600, "x/y")),
    ]
    answer = client.post(incoming(), data={"sender[handle]": "v", "body": "x"}, files=files)
    error = assert_front_error(answer, 413)
    assert "1000 bytes" in error["message"]
    assert client.get("/_emulator/readyz").json()["pending_messages"] == 0


def test_attachments_at_the_limit_are_accepted(make_client):
    client = make_client(max_attachments_bytes=1000)
    files = [("attachments", ("a.bin", b"a" * 500, "x/y")), ("attachments", ("b.bin", b"b" * 500, "x/y"))]
    answer = client.post(incoming(), data={"sender[handle]": "v", "body": "x"}, files=files)
    assert answer.status_code == 202, answer.text
    assert sum(a["size"] for a in read_message(client, answer.json()["message_uid"])["attachments"]) == 1000


def test_real_25_mb_limit(client):
    files = {"attachments": ("big.bin", b"\0" * (25 * 1024 * 1024 + 1), "application/octet-stream")}
    answer = client.post(incoming(), data={"sender[handle]": "v", "body": "x"}, files=files)
    error = assert_front_error(answer, 413)
    assert "25 MB" in error["message"]
    assert client.get("/_emulator/readyz").json()["pending_messages"] == 0


# -- asynchronous creation ---------------------------------------------------------------------------


def test_message_exists_only_after_the_creation_delay(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, creation_delay=CreationDelay(2, 2))
    uid = post_message(client, MESSAGE)
    answer = client.get(f"/messages/alt:uid:{uid}")
    assert_front_error(answer, 404)
    assert client.get("/_emulator/readyz").json()["pending_messages"] == 1
    clock.advance(1.999)
    assert_front_error(client.get(f"/messages/alt:uid:{uid}"), 404)
    clock.advance(0.001)
    message = read_message(client, uid)
    assert message["created_at"] == START + 2
    assert client.get("/_emulator/readyz").json()["pending_messages"] == 0


def test_zero_delay_message_is_readable_at_once(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, creation_delay=CreationDelay(0, 0))
    assert read_message(client, post_message(client, MESSAGE))["created_at"] == START


def _delays(make_client, seed: int) -> list[float]:
    clock = FrozenClock(START)
    client = make_client(clock=clock, creation_delay=CreationDelay(0.5, 2), seed=seed)
    uids = [post_message(client, {**MESSAGE, "body": f"n{i}"}) for i in range(10)]
    clock.advance(2)
    return [read_message(client, uid)["created_at"] - START for uid in uids]


def test_random_range_delays_are_reproducible_with_the_same_seed(make_client):
    first = _delays(make_client, seed=7)
    assert first == _delays(make_client, seed=7)
    assert all(0.5 <= delay <= 2 for delay in first)
    assert len(set(first)) > 1
    assert first != _delays(make_client, seed=8)


def test_messages_are_created_in_due_order_not_post_order(make_client):
    clock = FrozenClock(START)
    client = make_client(clock=clock, creation_delay=CreationDelay(0, 3), seed=3)
    uids = [post_message(client, {"sender": {"handle": "same"}, "body": f"n{i}"}) for i in range(6)]
    clock.advance(3)
    messages = [read_message(client, uid) for uid in uids]
    [conversation_id] = {m["_links"]["related"]["conversation"].rsplit("/", 1)[1] for m in messages}
    listed = client.get(f"/conversations/{conversation_id}/messages").json()["_results"]
    created = [m["created_at"] for m in listed]
    assert created == sorted(created, reverse=True)
    assert {m["message_uid"] for m in listed} == set(uids)


def test_attachment_with_a_content_type_that_is_no_media_type_is_a_400(client):
    body = (
        b'--b\r\nContent-Disposition: form-data; name="sender[handle]"\r\n\r\nv\r\n'
        b'--b\r\nContent-Disposition: form-data; name="body"\r\n\r\nx\r\n'
        b'--b\r\nContent-Disposition: form-data; name="attachments"; filename="a.bin"\r\n'
        b"Content-Type: \xff\xfe/\xc3\r\n\r\nDATA\r\n--b--\r\n"
    )
    answer = client.post(
        incoming(), content=body, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    error = assert_front_error(answer, 400)
    [detail] = error["details"]
    assert detail.startswith("/attachments/0: Content-Type")
    assert "application/pdf" in detail
    assert client.get("/_emulator/readyz").json()["pending_messages"] == 0


def test_attachment_content_type_with_parameters_is_kept(client):
    files = {"attachments": ("a.txt", b"x", "text/plain; charset=utf-8")}
    answer = client.post(incoming(), data={"sender[handle]": "v", "body": "x"}, files=files)
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    assert message["attachments"][0]["content_type"] == "text/plain; charset=utf-8"


def raw_multipart(*parts: bytes) -> tuple[bytes, dict[str, str]]:
    """A form written byte by byte, for what an HTTP client library would escape or refuse to send."""
    body = b"".join(b"--XX\r\n" + part + b"\r\n" for part in parts) + b"--XX--\r\n"
    return body, {"content-type": "multipart/form-data; boundary=XX"}


def text_part(name: str, value: bytes) -> bytes:
    return f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value


def file_part(filename: bytes, data: bytes = b"data") -> bytes:
    disposition = b'Content-Disposition: form-data; name="attachments[]"; filename="' + filename + b'"'
    return disposition + b"\r\nContent-Type: text/plain\r\n\r\n" + data


def test_multipart_text_that_is_not_utf8_is_refused_as_in_json(client):
    # Starlette decoded it as Latin-1: "hello \xff\xfe" was stored as "hello ÿþ" (202).
    body, headers = raw_multipart(
        text_part("sender[handle]", b"visitor-1"), text_part("body", b"hello \xff\xfe")
    )
    error = assert_front_error(client.post(incoming(), content=body, headers=headers), 400)
    assert error["details"] == ["/body: is not valid UTF-8 text"]
    as_json = client.post(
        incoming(),
        content=b'{"sender": {"handle": "visitor-1"}, "body": "hello \xff\xfe"}',
        headers={"content-type": "application/json"},
    )
    assert_front_error(as_json, 400)
    body, headers = raw_multipart(text_part("sender[handle]", b"\xc3"), text_part("body", b"x"))
    error = assert_front_error(client.post(incoming(), content=body, headers=headers), 400)
    assert error["details"] == ["/sender/handle: is not valid UTF-8 text"]


def test_a_filename_cut_by_a_raw_line_break_is_refused_naming_the_field(client):
    # The CR LF ends the header line: the rest became a header of its own, and the filename was stored cut.
    body, headers = raw_multipart(
        text_part("sender[handle]", b"visitor-1"), text_part("body", b"x"), file_part(b"a\r\nX-Other: b.txt")
    )
    error = assert_front_error(client.post(incoming(), content=body, headers=headers), 400)
    assert error["details"] == [
        "/attachments: its Content-Disposition header ends inside a quoted value (a line break in the "
        "filename?): percent-encode CR and LF in filenames (%0D%0A), as browsers do"
    ]
    body, headers = raw_multipart(
        text_part("sender[handle]", b"visitor-1"), text_part("body", b"x"), file_part(b"\xff.txt")
    )
    error = assert_front_error(client.post(incoming(), content=body, headers=headers), 400)
    assert error["details"] == ["/attachments: its field name or filename is not valid UTF-8"]


@pytest.mark.parametrize("filename", ["a\nb.txt", "a%0D%0Ab.txt", 'café "quoted".txt'])
def test_a_filename_that_parses_is_kept_exactly(client, filename):
    escaped = filename.replace('"', '\\"').encode()
    body, headers = raw_multipart(
        text_part("sender[handle]", b"visitor-1"), text_part("body", b"x"), file_part(escaped)
    )
    answer = client.post(incoming(), content=body, headers=headers)
    assert answer.status_code == 202, answer.text
    [attachment] = read_message(client, answer.json()["message_uid"])["attachments"]
    assert attachment["filename"] == filename
