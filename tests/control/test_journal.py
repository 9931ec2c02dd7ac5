"""The request journal and its report through HTTP (emulator/control/journal.py)."""

from __future__ import annotations

import json

from tests.conftest import (
    CHANNEL,
    post_message,
)
from tests.control.helpers import MESSAGE, error_of, freeze

# -- the request journal -------------------------------------------------------------------------------


def test_journal_records_front_requests_with_status_body_and_details(client):
    uid = post_message(client, MESSAGE)
    client.post(f"/channels/{CHANNEL}/incoming_messages", json={"sender": {}, "body": 3})
    client.get(f"/messages/alt:uid:{uid}?fields=x")
    client.get("/nowhere")
    client.get("/_emulator/readyz")  # the control plane is not journalled
    entries = client.get("/_emulator/requests").json()["_results"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", f"/channels/{CHANNEL}/incoming_messages", 202),
        ("POST", f"/channels/{CHANNEL}/incoming_messages", 400),
        ("GET", f"/messages/alt:uid:{uid}", 200),
        ("GET", "/nowhere", 404),
    ]
    accepted, refused, read, missing = entries
    assert json.loads(accepted["body"]) == MESSAGE
    assert accepted["content_type"] == "application/json"
    assert (accepted["rejected"], accepted["error_message"], accepted["details"]) == (False, None, [])
    assert refused["rejected"] is True
    assert refused["error_message"] == "Invalid request body"
    assert refused["details"] == ["/body: must be a string", "/sender/handle: required"]
    assert refused["body"] == '{"sender":{},"body":3}'
    assert read["query"] == "fields=x" and read["body"] == ""
    assert missing["error_message"] == "No route matches GET /nowhere"
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)


def test_journal_filters(client):
    post_message(client, MESSAGE)
    client.post(f"/channels/{CHANNEL}/incoming_messages", json={"body": "x"})
    client.get("/channels")
    client.get("/conversations/cnv_nothere")

    def paths(query: str) -> list[tuple[str, int]]:
        answer = client.get(f"/_emulator/requests?{query}")
        assert answer.status_code == 200, answer.text
        return [(entry["path"], entry["status"]) for entry in answer.json()["_results"]]

    incoming = f"/channels/{CHANNEL}/incoming_messages"
    assert paths("rejected=true") == [(incoming, 400), ("/conversations/cnv_nothere", 404)]
    assert paths("rejected=false") == [(incoming, 202), ("/channels", 200)]
    assert paths("status=400") == [(incoming, 400)]
    assert paths("status=4xx") == [(incoming, 400), ("/conversations/cnv_nothere", 404)]
    assert paths("method=get") == [("/channels", 200), ("/conversations/cnv_nothere", 404)]
    assert paths("path_prefix=/channels/&status=202") == [(incoming, 202)]
    for query, detail in (
        ("state=x", "state: not a parameter here; use one of status, method, path_prefix, rejected"),
        ("status=abc", "status: an HTTP status such as 400, or a class such as 4xx"),
        ("rejected=yes", "rejected: true or false"),
    ):
        answer = client.get(f"/_emulator/requests?{query}")
        assert answer.status_code == 400 and error_of(answer)["details"] == [detail]
    assert client.delete("/_emulator/requests").status_code == 204
    assert client.get("/_emulator/requests").json() == {"_results": [], "dropped": 0, "retained_bytes": 0}


def test_journal_keeps_only_the_first_64_kb_of_a_body(client):
    photo = b"\x89PNG" + b"x" * 100_000
    answer = client.post(
        f"/channels/{CHANNEL}/incoming_messages",
        data={"sender[handle]": "visitor-1", "body": "See the photo"},
        files={"attachments[]": ("photo.png", photo, "image/png")},
    )
    assert answer.status_code == 202, answer.text
    [entry] = client.get("/_emulator/requests").json()["_results"]
    assert entry["body_truncated"] is True
    assert entry["content_type"].startswith("multipart/form-data")
    assert 'name="sender[handle]"' in entry["body"]
    assert len(entry["body"].encode("utf-8", "surrogateescape")) <= 3 * 64 * 1024


def test_journal_records_rate_limited_requests(make_client):
    client = make_client(rate_limit_per_minute=1)
    freeze(client)
    assert client.get("/channels").status_code == 200
    assert client.get("/channels").status_code == 429
    entries = client.get("/_emulator/requests?rejected=true").json()["_results"]
    assert [(e["status"], e["error_message"][:19]) for e in entries] == [(429, "Rate limit exceeded")]


def test_rejection_report_groups_by_reason(client):
    for body in ({"body": "x"}, {"body": "y"}, {"sender": {"handle": "v"}, "body": 5}):
        client.post(f"/channels/{CHANNEL}/incoming_messages", json=body)
    client.post(
        f"/channels/{CHANNEL}/incoming_messages", content=b"{", headers={"content-type": "application/json"}
    )
    post_message(client, MESSAGE)
    report = client.get("/_emulator/requests/report").json()
    assert (report["requests"], report["rejected"]) == (5, 4)
    reasons = [(group["reason"], group["count"]) for group in report["reasons"]]
    assert reasons[0] == ("/sender: required", 2)
    assert ("/body: must be a string", 1) in reasons
    assert any(reason.startswith("Request body is not valid JSON") for reason, _ in reasons)
    example = report["reasons"][0]["example"]
    assert json.loads(example["body"]) == {"body": "x"} and example["status"] == 400
    assert client.get("/_emulator/requests/report?path_prefix=/conversations").json() == {
        "requests": 0,
        "rejected": 0,
        "reasons": [],
    }
