"""What the emulator keeps is bounded by bytes as well as count, says what it dropped, and is let go on
reset, through HTTP: the request journal, the delivery journal and snapshots."""

from __future__ import annotations

from typing import Any

from emulator.domain.deliveries import MAX_JOURNALLED_DELIVERY_ANSWER_BYTES
from emulator.domain.journal import MAX_BODY_BYTES
from emulator.domain.snapshots import MAX_SNAPSHOTS
from tests.conftest import AUTH, post_message
from tests.outbound.test_delivery_faults import reply_to_new_conversation, use_receiver, wait_for_deliveries
from tests.receiver import Answer, Receiver


def journal(client: Any) -> dict[str, Any]:
    return client.get("/_emulator/requests").json()


def test_the_request_journal_keeps_no_headers_and_a_cut_body(client) -> None:
    # A 1 MB header (the probe sent 10 MB ones: 40 requests took RSS from 111 to 517 MB).
    huge_header = {**AUTH, "x-filler": "h" * 1_000_000}
    for _ in range(5):
        answer = client.post(
            "/channels/cha_1a01/incoming_messages", json={"body": "b" * 300_000}, headers=huge_header
        )
        assert answer.status_code == 400
    document = journal(client)
    assert len(document["_results"]) == 5
    assert all(
        entry["body_truncated"] and len(entry["body"]) == MAX_BODY_BYTES for entry in document["_results"]
    )
    # Per entry: the 64 KiB of body, the refusal and the path, not the header.
    assert document["retained_bytes"] < 5 * (MAX_BODY_BYTES + 2048)
    assert client.post("/_emulator/reset").status_code == 204
    assert journal(client)["retained_bytes"] == 0


def test_the_delivery_journal_keeps_64_kib_of_an_answer_and_frees_it_on_reset(
    client, receiver: Receiver
) -> None:
    # The probe's integration answered 10 MB: the journal kept 1 MB of each (200 answers: RSS 72 -> 443 MB).
    receiver.answer = lambda document: Answer(body=b'{"type": "success"}' + b" " * 3_000_000)
    use_receiver(client, receiver)
    message = reply_to_new_conversation(client)
    [delivery] = wait_for_deliveries(client, 1)
    assert delivery["message_id"] == message["id"]
    answer = delivery["answer"]
    assert answer["truncated"] is True and len(answer["body"]) == MAX_JOURNALLED_DELIVERY_ANSWER_BYTES
    listed = client.get("/_emulator/deliveries").json()
    assert listed["dropped"] == 0
    assert (
        MAX_JOURNALLED_DELIVERY_ANSWER_BYTES
        < listed["retained_bytes"]
        < 2 * MAX_JOURNALLED_DELIVERY_ANSWER_BYTES
    )
    assert client.post("/_emulator/reset").status_code == 204
    assert client.get("/_emulator/deliveries").json() == {"_results": [], "dropped": 0, "retained_bytes": 0}


def test_only_the_newest_snapshots_are_kept_and_an_evicted_one_answers_404(client) -> None:
    post_message(client, {"sender": {"handle": "visitor-1"}, "body": "Hi"})
    taken = [client.post("/_emulator/snapshot").json() for _ in range(MAX_SNAPSHOTS + 1)]
    assert [snapshot["evicted"] for snapshot in taken] == [None] * MAX_SNAPSHOTS + [taken[0]["snapshot_id"]]
    evicted = client.post(f"/_emulator/snapshots/{taken[0]['snapshot_id']}/restore")
    assert evicted.status_code == 404
    assert evicted.json()["_error"]["message"] == (
        f"Snapshot {taken[0]['snapshot_id']} not found (only the newest {MAX_SNAPSHOTS} snapshots are kept, "
        "and a reset or seed forgets them)"
    )
    kept = client.post(f"/_emulator/snapshots/{taken[1]['snapshot_id']}/restore")
    assert kept.status_code == 200 and kept.json()["messages"] == 1
