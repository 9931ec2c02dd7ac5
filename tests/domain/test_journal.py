"""RequestJournal: every request kept cheaply, decoded when read; the newest kept, the dropped counted."""

from __future__ import annotations

import gc
from typing import Any

import orjson

from emulator.domain.journal import MAX_BODY_BYTES, RequestJournal, rejection_report


def scope(method: str = "POST", path: str = "/channels/cha_1/incoming_messages") -> dict[str, Any]:
    return {
        "method": method,
        "path": path,
        "query_string": b"a=1",
        "headers": [(b"content-type", b"application/json")],
    }


def refusal(message: str, details: list[str] | None = None) -> list[bytes]:
    error: dict[str, Any] = {"status": 400, "title": "Bad request", "message": message}
    if details is not None:
        error["details"] = details
    return [orjson.dumps({"_error": error})]


def test_the_newest_entries_are_kept_and_the_dropped_counted() -> None:
    journal = RequestJournal(max_entries=3)
    for at in range(5):
        journal.record(float(at), scope(), 202, [b"{}"], [])
    assert [entry.id for entry in journal.entries] == [3, 4, 5]
    assert (journal.recorded, journal.dropped) == (5, 2)
    journal.clear()
    assert (len(journal.entries), journal.dropped) == (0, 0)


def test_an_entry_reads_back_as_received() -> None:
    journal = RequestJournal()
    journal.record(
        1.5, scope(), 400, [b'{"bo', b'dy": 1}'], refusal("Invalid request body", ["/body: required"])
    )
    document = journal.entries[0].as_document()
    assert document["body"] == '{"body": 1}' and document["body_truncated"] is False
    assert (document["query"], document["content_type"], document["rejected"]) == (
        "a=1",
        "application/json",
        True,
    )
    assert (document["error_message"], document["details"]) == ("Invalid request body", ["/body: required"])


def test_large_bodies_are_cut_when_read_and_say_so() -> None:
    journal = RequestJournal()
    journal.record(0.0, scope(), 202, [b"x" * (MAX_BODY_BYTES + 10)], [])
    document = journal.entries[0].as_document()
    assert len(document["body"]) == MAX_BODY_BYTES and document["body_truncated"] is True


def test_an_answer_that_is_not_fronts_envelope_is_shown_as_text() -> None:
    journal = RequestJournal()
    journal.record(0.0, scope(), 500, [], [b"Internal Server Error"])
    journal.record(0.0, scope(), 404, [], [])
    journal.record(0.0, scope(), 202, [], [b"ignored"])
    assert [entry.error() for entry in journal.entries] == [
        ("Internal Server Error", []),
        ("HTTP 404", []),
        (None, []),
    ]


def test_select_combines_its_filters() -> None:
    journal = RequestJournal()
    journal.record(0.0, scope("GET", "/channels"), 200, [], [])
    journal.record(0.0, scope(), 202, [], [])
    journal.record(0.0, scope(), 429, [], refusal("Too many requests"))
    journal.record(0.0, scope("PATCH", "/channels/cha_1"), 400, [], refusal("Invalid"))
    assert [entry.id for entry in journal.select(status_class=4)] == [3, 4]
    assert [entry.id for entry in journal.select(method="post", rejected=True)] == [3]
    assert [entry.id for entry in journal.select(path_prefix="/channels/", status=202)] == [2]


def test_the_rejection_report_groups_by_reason_most_frequent_first() -> None:
    journal = RequestJournal()
    journal.record(0.0, scope(), 202, [], [])
    journal.record(
        0.0, scope(), 400, [], refusal("Invalid request body", ["/body: required", "/sender: required"])
    )
    journal.record(0.0, scope(), 400, [], refusal("Invalid request body", ["/body: required"]))
    journal.record(0.0, scope(), 429, [], refusal("Too many requests"))
    report = rejection_report(journal.entries)
    assert (report["requests"], report["rejected"]) == (4, 3)
    assert [(group["status"], group["reason"], group["count"]) for group in report["reasons"]] == [
        (400, "/body: required", 2),
        (400, "/sender: required", 1),
        (429, "Too many requests", 1),
    ]
    assert report["reasons"][0]["example"]["id"] == 2


def test_the_journal_is_bounded_by_bytes_too_and_says_what_it_dropped() -> None:
    journal = RequestJournal(max_bytes=200_000)
    for at in range(10):
        journal.record(float(at), scope(), 202, [b"x" * 50_000], [])
    # Each entry keeps its 50,000-byte body, path, query and Content-Type: four would pass 200,000 bytes.
    assert [entry.id for entry in journal.entries] == [8, 9, 10]
    assert journal.dropped == 7 and journal.retained_bytes <= 200_000
    journal.clear()
    assert journal.retained_bytes == 0


def test_a_large_body_or_answer_is_kept_cut_and_the_newest_entry_always() -> None:
    journal = RequestJournal(max_bytes=1_000)
    journal.record(0.0, scope(), 413, [b"y" * (3 * MAX_BODY_BYTES)], [b"z" * (5 * MAX_BODY_BYTES)])
    [entry] = journal.entries
    document = entry.as_document()
    assert len(document["body"]) == MAX_BODY_BYTES and document["body_truncated"] is True
    assert entry.retained_bytes < 3 * MAX_BODY_BYTES


def test_kept_entries_leave_the_garbage_collector_alone() -> None:
    """The last 10 000 requests are kept: the collector must not walk each of them at every collection."""
    journal = RequestJournal()
    journal.record(1.0, scope(), 202, [b"{}"], [])
    journal.record(2.0, scope(), 400, [b"{"], refusal("Request body is not valid JSON"))
    gc.collect()
    gc.collect()
    assert not any(gc.is_tracked(row) for row in journal._rows)
    assert [entry.status for entry in journal.entries] == [202, 400]
    assert [entry.id for entry in reversed(journal.entries)] == [2, 1]
    assert journal.entries[-1].error() == ("Request body is not valid JSON", [])
    assert [entry.id for entry in journal.entries[:1]] == [1]


def test_entries_share_their_path_and_content_type() -> None:
    journal = RequestJournal()
    for _ in range(2):
        # A fresh string and bytes each time, as a server makes them per request.
        request = scope(path="".join(["/channels/cha_1/", "incoming_messages"]))
        request["headers"] = [(b"content-type", b"".join([b"application/", b"json"]))]
        journal.record(1.0, request, 202, [b"{}"], [])
    first, second = journal.entries
    assert first.path is second.path and first.content_type is second.content_type
    assert first.path == "/channels/cha_1/incoming_messages"


def test_ever_new_paths_do_not_grow_the_shared_table() -> None:
    journal = RequestJournal()
    for number in range(3000):
        journal.record(1.0, scope(path=f"/conversations/cnv_{number}"), 404, [], [])
    assert len(journal._shared) <= 1024
    assert journal.entries[-1].path == "/conversations/cnv_2999"
