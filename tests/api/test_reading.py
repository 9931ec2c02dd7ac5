"""Reading back through Front's API: messages, attachments, conversations, channels, and threading."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from emulator.domain.clock import FrozenClock
from tests.conftest import CHANNEL, SMS_CHANNEL, post_message, read_message
from tests.helpers import assert_front_error

BASE = "http://emulator.test"


def conversation_id_of(message: dict) -> str:
    return message["_links"]["related"]["conversation"].rsplit("/", 1)[1]


def send(client, handle: str = "visitor-1", body: str = "hello", channel: str = CHANNEL, **extra) -> dict:
    return read_message(
        client, post_message(client, {"sender": {"handle": handle}, "body": body, **extra}, channel)
    )


def conversation_of_messages(client, handle: str, count: int) -> str:
    """The id of a conversation of `count` inbound messages from `handle`, n0 to n{count - 1}, all created."""
    for i in range(count - 1):
        post_message(client, {"sender": {"handle": handle}, "body": f"n{i}"})
    return conversation_id_of(send(client, handle=handle, body=f"n{count - 1}"))


# -- GET /messages/{id} ------------------------------------------------------------------------------


def test_message_by_id_and_by_uid_alias_are_the_same(client):
    message = send(client)
    by_id = client.get(f"/messages/{message['id']}")
    assert by_id.status_code == 200
    assert by_id.json() == message
    encoded = client.get(f"/messages/alt%3Auid%3A{message['message_uid']}")
    assert encoded.json() == message


def test_message_has_front_shape(client):
    message = send(client, handle="ada@example.test", body="Hello *Ada*", subject="Greetings")
    assert message["id"].startswith("msg_")
    assert message["type"] == "custom"
    assert message["is_inbound"] is True
    assert message["draft_mode"] is None
    assert message["error_type"] is None
    assert message["author"] is None
    assert message["subject"] == "Greetings"
    assert message["body"] == "<p>Hello <em>Ada</em></p>\n"
    assert message["text"] == "Hello Ada"
    assert message["blurb"] == "Hello Ada"
    assert message["created_at"] == round(message["created_at"], 3)
    sender, channel = message["recipients"]
    assert sender["role"] == "from"
    assert sender["handle"] == "ada@example.test"
    assert sender["_links"]["related"]["contact"].startswith(f"{BASE}/contacts/crd_")
    assert channel == {
        "_links": {"related": {"contact": None}},
        "name": None,
        "handle": "livechat@example.test",
        "role": "to",
    }
    assert message["_links"] == {
        "self": f"{BASE}/messages/{message['id']}",
        "related": {
            "conversation": f"{BASE}/conversations/{conversation_id_of(message)}",
            "message_seen": f"{BASE}/messages/{message['id']}/seen",
        },
    }


def test_same_sender_is_the_same_contact(client):
    first = send(client, handle="same")
    second = send(client, handle="same")
    other = send(client, handle="other")
    contact = first["recipients"][0]["_links"]["related"]["contact"]
    assert second["recipients"][0]["_links"]["related"]["contact"] == contact
    assert other["recipients"][0]["_links"]["related"]["contact"] != contact


def test_sender_contact_id_is_kept(client):
    message = read_message(
        client, post_message(client, {"sender": {"handle": "v", "contact_id": "crd_given"}, "body": "x"})
    )
    assert message["recipients"][0]["_links"]["related"]["contact"] == f"{BASE}/contacts/crd_given"


# -- attachments -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "data", "content_type"),
    [
        ("notes.txt", "héllo\n".encode(), "text/plain"),
        ("page.html", b"<p>x</p>", "text/html; charset=iso-8859-1"),
        ("pixel.png", bytes(range(256)) * 4, "image/png"),
        ("blob", b"\x00\xff" * 1000, "application/octet-stream"),
        ("empty.csv", b"", "text/csv"),
    ],
)
def test_attachment_download_returns_the_bytes_and_content_type(client, filename, data, content_type):
    answer = client.post(
        f"/channels/{CHANNEL}/incoming_messages",
        data={"sender[handle]": "v", "body": "see attached"},
        files={"attachments[]": (filename, data, content_type)},
    )
    assert answer.status_code == 202, answer.text
    message = read_message(client, answer.json()["message_uid"])
    [attachment] = message["attachments"]
    assert attachment["url"] == f"{BASE}/messages/{message['id']}/download/{attachment['id']}"
    assert attachment["size"] == len(data)
    assert attachment["metadata"] == {"is_inline": False}
    download = client.get(attachment["url"])
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == content_type
    assert filename in download.headers["content-disposition"]
    assert "x-ratelimit-limit" in download.headers
    by_uid = client.get(f"/messages/alt:uid:{message['message_uid']}/download/{attachment['id']}")
    assert by_uid.content == data


def test_attachment_of_another_message_is_a_404(client):
    answer = client.post(
        f"/channels/{CHANNEL}/incoming_messages",
        data={"sender[handle]": "v", "body": "x"},
        files={"attachments": ("a.txt", b"a", "text/plain")},
    )
    with_file = read_message(client, answer.json()["message_uid"])
    other = send(client)
    answer = client.get(f"/messages/{other['id']}/download/{with_file['attachments'][0]['id']}")
    assert_front_error(answer, 404)


# -- conversations -----------------------------------------------------------------------------------


def test_conversation_has_front_shape(client):
    message = send(client, handle="visitor-c", subject="About pricing")
    conversation_id = conversation_id_of(message)
    answer = client.get(f"/conversations/{conversation_id}")
    assert answer.status_code == 200
    conversation = answer.json()
    link = f"{BASE}/conversations/{conversation_id}"
    assert conversation["id"] == conversation_id
    assert conversation["type"] == "conversation"
    assert conversation["subject"] == "About pricing"
    assert conversation["status"] == "unassigned"
    assert conversation["assignee"] is None
    assert conversation["recipient"]["handle"] == "visitor-c"
    assert conversation["recipient"]["role"] == "from"
    assert conversation["created_at"] == message["created_at"]
    assert conversation["_links"]["self"] == link
    assert conversation["_links"]["related"]["messages"] == f"{link}/messages"
    assert conversation["_links"]["related"]["last_message"].startswith(f"{BASE}/messages/{message['id']}")


def test_conversation_messages_newest_first(client):
    uids = [post_message(client, {"sender": {"handle": "chatty"}, "body": f"n{i}"}) for i in range(5)]
    conversation_id = conversation_id_of(read_message(client, uids[0]))
    answer = client.get(f"/conversations/{conversation_id}/messages")
    assert answer.status_code == 200
    page = answer.json()
    assert [m["text"] for m in page["_results"]] == ["n4", "n3", "n2", "n1", "n0"]
    assert page["_pagination"] == {"next": None}
    assert page["_links"] == {"self": f"{BASE}/conversations/{conversation_id}/messages"}


def test_conversation_messages_pages_follow_to_the_end(client):
    conversation_id = conversation_of_messages(client, "pager", 13)
    url = f"/conversations/{conversation_id}/messages?limit=5"
    pages = []
    while url is not None:
        answer = client.get(url)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        pages.append([m["text"] for m in page["_results"]])
        url = page["_pagination"]["next"]
        if url is not None:
            assert url.startswith(f"{BASE}/conversations/{conversation_id}/messages?")
            assert parse_qs(urlsplit(url).query)["limit"] == ["5"]
    assert pages == [
        ["n12", "n11", "n10", "n9", "n8"],
        ["n7", "n6", "n5", "n4", "n3"],
        ["n2", "n1", "n0"],
    ]


def test_exact_multiple_of_the_page_size_ends_without_an_empty_page(client):
    conversation_id = conversation_of_messages(client, "even", 5)
    first = client.get(f"/conversations/{conversation_id}/messages?limit=5").json()
    assert len(first["_results"]) == 5
    assert first["_pagination"]["next"] is None


def test_messages_arriving_between_pages_do_not_shift_them(client):
    conversation_id = conversation_of_messages(client, "moving", 5)
    first = client.get(f"/conversations/{conversation_id}/messages?limit=2").json()
    send(client, handle="moving", body="late")
    second = client.get(first["_pagination"]["next"]).json()
    assert [m["text"] for m in second["_results"]] == ["n2", "n1"]


def test_default_page_size_and_maximum(client):
    conversation_id = conversation_of_messages(client, "bulk", 121)
    default = client.get(f"/conversations/{conversation_id}/messages").json()
    assert len(default["_results"]) == 50
    largest = client.get(f"/conversations/{conversation_id}/messages?limit=100").json()
    assert len(largest["_results"]) == 100
    rest = client.get(largest["_pagination"]["next"]).json()
    assert len(rest["_results"]) == 21
    assert rest["_pagination"]["next"] is None


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "", "1.5", "5 "])
def test_bad_limit_is_a_400(client, limit):
    conversation_id = conversation_id_of(send(client))
    answer = client.get(f"/conversations/{conversation_id}/messages", params={"limit": limit})
    error = assert_front_error(answer, 400)
    assert error["details"] == ["/limit: must be an integer from 1 to 100"]


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "",
        "!!!",
        "é",
        base64.urlsafe_b64encode(b"after:12").decode(),
        base64.urlsafe_b64encode(b"before:x").decode(),
        base64.urlsafe_b64encode(b"before:").decode(),
    ],
)
def test_bad_page_token_is_a_400(client, token):
    conversation_id = conversation_id_of(send(client))
    answer = client.get(f"/conversations/{conversation_id}/messages", params={"page_token": token})
    error = assert_front_error(answer, 400)
    assert error["details"] == ["/page_token: is not a page token this emulator issued"]


def test_unknown_conversation_messages_is_a_404(client):
    assert_front_error(client.get("/conversations/cnv_nope/messages"), 404)


# -- channels ----------------------------------------------------------------------------------------


def test_list_channels(client):
    answer = client.get("/channels")
    assert answer.status_code == 200
    document = answer.json()
    assert document["_links"] == {"self": f"{BASE}/channels"}
    by_id = {channel["id"]: channel for channel in document["_results"]}
    assert set(by_id) == {"cha_1a01", "cha_1a02", "cha_1a03", "cha_1a04"}
    assert by_id["cha_1a01"]["type"] == "custom"
    assert by_id["cha_1a01"]["address"] == "livechat@example.test"
    assert by_id["cha_1a03"]["type"] == "smtp"


@pytest.mark.parametrize(
    "reference",
    [
        "cha_1a02",
        "alt:address:+15550100000",
        "alt:address:%2B15550100000",
        "alt%3Aaddress%3A%2B15550100000",
    ],
)
def test_get_channel_by_id_or_alias(client, reference):
    answer = client.get(f"/channels/{reference}")
    assert answer.status_code == 200, answer.text
    channel = answer.json()
    assert channel["id"] == SMS_CHANNEL
    assert channel["name"] == "SMS"
    assert channel["address"] == "+15550100000"
    assert channel["send_as"] == "+15550100000"
    assert channel["settings"]["undo_send_time"] == 5
    assert channel["_links"]["self"] == f"{BASE}/channels/{SMS_CHANNEL}"


def test_channel_from_the_list_equals_the_channel_read_alone(client):
    listed = client.get("/channels").json()["_results"]
    for channel in listed:
        assert client.get(f"/channels/{channel['id']}").json() == channel


# -- _links from the request base URL ----------------------------------------------------------------


def test_links_follow_the_host_the_client_used(make_client):
    # Another name the emulator is reached by must be allowed (emulator/guard.py).
    client = make_client(allowed_hosts=("emulator.test", "front.internal"))
    message = send(client)
    other = client.get(f"http://front.internal:9999/messages/{message['id']}").json()
    assert other["_links"]["self"] == f"http://front.internal:9999/messages/{message['id']}"
    assert other["recipients"][0]["_links"]["related"]["contact"].startswith("http://front.internal:9999/")


def test_links_on_the_live_server(live_client, live_url):
    message = read_message(
        live_client, post_message(live_client, {"sender": {"handle": "live"}, "body": "x"})
    )
    assert message["_links"]["self"] == f"{live_url}/messages/{message['id']}"
    conversation_url = message["_links"]["related"]["conversation"]
    assert conversation_url.startswith(f"{live_url}/conversations/cnv_")
    conversation = live_client.get(conversation_url).json()
    assert conversation["_links"]["self"] == conversation_url
    listing = live_client.get(conversation["_links"]["related"]["messages"]).json()
    assert listing["_links"]["self"] == f"{conversation_url}/messages"
    assert [m["id"] for m in listing["_results"]] == [message["id"]]
    channels = live_client.get("/channels").json()
    assert channels["_links"]["self"] == f"{live_url}/channels"
    assert all(c["_links"]["self"].startswith(f"{live_url}/channels/cha_") for c in channels["_results"])


def test_live_server_answers_aliases_url_encoded(live_client):
    uid = post_message(
        live_client, {"sender": {"handle": "live"}, "body": "x"}, "alt%3Aaddress%3Alivechat%40example.test"
    )
    assert live_client.get(f"/messages/alt%3Auid%3A{uid}").json()["message_uid"] == uid


# -- threading ---------------------------------------------------------------------------------------


def test_same_sender_threads_into_one_conversation(client):
    first = send(client, handle="thread-me")
    second = send(client, handle="thread-me")
    other = send(client, handle="someone-else")
    assert conversation_id_of(first) == conversation_id_of(second)
    assert conversation_id_of(other) != conversation_id_of(first)


def test_normalised_phone_handles_thread_together(client):
    first = send(client, handle="5550101234", channel=SMS_CHANNEL)
    second = send(client, handle="+1 (555) 010-1234", channel=SMS_CHANNEL)
    assert conversation_id_of(first) == conversation_id_of(second)


def test_thread_ref_overrides_the_sender(client):
    by_sender = send(client, handle="visitor")
    session_a = send(client, handle="visitor", metadata={"thread_ref": "session-a"})
    again_a = send(client, handle="visitor", metadata={"thread_ref": "session-a"})
    other_sender_a = send(client, handle="colleague", metadata={"thread_ref": "session-a"})
    session_b = send(client, handle="visitor", metadata={"thread_ref": "session-b"})
    assert conversation_id_of(session_a) != conversation_id_of(by_sender)
    assert conversation_id_of(again_a) == conversation_id_of(session_a)
    assert conversation_id_of(other_sender_a) == conversation_id_of(session_a)
    assert conversation_id_of(session_b) not in {conversation_id_of(session_a), conversation_id_of(by_sender)}


def test_empty_thread_ref_threads_by_sender(client):
    by_sender = send(client, handle="visitor")
    empty_ref = send(client, handle="visitor", metadata={"thread_ref": ""})
    assert conversation_id_of(empty_ref) == conversation_id_of(by_sender)


def test_thread_ref_equal_to_a_handle_does_not_merge(client):
    by_sender = send(client, handle="visitor")
    by_ref = send(client, handle="another", metadata={"thread_ref": "visitor"})
    assert conversation_id_of(by_ref) != conversation_id_of(by_sender)


def test_thread_refs_and_senders_are_scoped_per_channel(client):
    web = send(client, handle="+15550101234", metadata={"thread_ref": "shared"}, channel=CHANNEL)
    sms = send(client, handle="+15550101234", metadata={"thread_ref": "shared"}, channel=SMS_CHANNEL)
    assert conversation_id_of(web) != conversation_id_of(sms)
    web_sender = send(client, handle="+15550101234", channel=CHANNEL)
    sms_sender = send(client, handle="+15550101234", channel=SMS_CHANNEL)
    assert conversation_id_of(web_sender) != conversation_id_of(sms_sender)


def test_archived_conversation_reopens_on_a_new_inbound_message(client):
    first = send(client, handle="returning")
    conversation_url = first["_links"]["related"]["conversation"]
    answer = client.patch(conversation_url, json={"status": "archived"})
    assert answer.status_code == 204
    assert client.get(conversation_url).json()["status"] == "archived"
    second = send(client, handle="returning", body="back again")
    assert conversation_id_of(second) == conversation_id_of(first)
    conversation = client.get(conversation_url).json()
    assert conversation["status"] == "unassigned"
    texts = [m["text"] for m in client.get(f"{conversation_url}/messages").json()["_results"]]
    assert texts == ["back again", "hello"]


def test_reopened_conversation_via_patch_open(client):
    conversation_url = send(client, handle="r")["_links"]["related"]["conversation"]
    client.patch(conversation_url, json={"status": "archived"})
    assert client.patch(conversation_url, json={"status": "open"}).status_code == 204
    assert client.get(conversation_url).json()["status"] == "unassigned"


def test_deleted_conversation_is_not_reused(client):
    first = send(client, handle="gone", metadata={"thread_ref": "ref-1"})
    conversation_url = first["_links"]["related"]["conversation"]
    assert client.patch(conversation_url, json={"status": "deleted"}).status_code == 204
    assert client.get(conversation_url).json()["status"] == "deleted"
    second = send(client, handle="gone", metadata={"thread_ref": "ref-1"})
    assert conversation_id_of(second) != conversation_id_of(first)
    assert client.get(second["_links"]["related"]["conversation"]).json()["status"] == "unassigned"
    third = send(client, handle="gone", metadata={"thread_ref": "ref-1"})
    assert conversation_id_of(third) == conversation_id_of(second)
    # The deleted conversation keeps its own messages.
    old = client.get(f"{conversation_url}/messages").json()["_results"]
    assert [m["id"] for m in old] == [first["id"]]


def test_conversation_updated_at_moves_with_new_messages(make_client):
    clock = FrozenClock(1_700_000_000.0)
    client = make_client(clock=clock)
    first = send(client, handle="t")
    clock.advance(30)
    send(client, handle="t")
    conversation = client.get(first["_links"]["related"]["conversation"]).json()
    assert conversation["created_at"] == 1_700_000_000.0
    assert conversation["updated_at"] == 1_700_000_030.0


@pytest.mark.parametrize(
    ("filename", "ascii_name", "encoded"),
    [
        ("简历.pdf", "__.pdf", "%E7%AE%80%E5%8E%86.pdf"),
        ("résumé final.pdf", "r_sum_ final.pdf", "r%C3%A9sum%C3%A9%20final.pdf"),
        ("plain.pdf", "plain.pdf", "plain.pdf"),
    ],
)
def test_download_of_any_filename_sets_a_valid_disposition(client, filename, ascii_name, encoded):
    answer = client.post(
        f"/channels/{CHANNEL}/incoming_messages",
        data={"sender[handle]": "v", "body": "x"},
        files={"attachments": (filename, b"%PDF", "application/pdf")},
    )
    message = read_message(client, answer.json()["message_uid"])
    assert message["attachments"][0]["filename"] == filename
    download = client.get(message["attachments"][0]["url"])
    assert download.status_code == 200
    assert download.content == b"%PDF"
    disposition = download.headers["content-disposition"]
    assert disposition == f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
