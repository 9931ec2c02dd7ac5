"""Store: inbound messages await creation by the clock, threads, lookups, listeners, reset and seed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.domain.helpers import CHANNEL, START, attempt_of, conversation_of, inbound, make_store, outbound


def test_an_accepted_message_awaits_creation_until_its_time() -> None:
    store = make_store(delay=2)
    message_uid = inbound(store)
    assert (store.awaiting_creation_count, store.next_creation_at()) == (1, START + 2)
    assert store.message("alt:uid:" + message_uid) is None
    store.clock.advance(2)  # type: ignore[attr-defined]
    message = store.message("alt:uid:" + message_uid)
    assert message is not None and message.created_at == START + 2
    assert (store.awaiting_creation_count, store.next_creation_at()) == (0, None)
    assert store.message(message.id) is message
    assert store.message(f"alt%3Auid%3A{message_uid}") is message


def test_messages_thread_by_handle_and_thread_ref() -> None:
    store = make_store()
    first = conversation_of(store, inbound(store, "visitor-1"))
    assert conversation_of(store, inbound(store, "visitor-1")) is first
    assert conversation_of(store, inbound(store, "visitor-2")) is not first
    assert conversation_of(store, inbound(store, "visitor-1", thread_ref="order-7")) is not first
    assert store.conversation_count == 3 and store.message_count == 4


def test_conversation_pages_run_newest_first_with_a_cursor() -> None:
    store = make_store()
    uids = [inbound(store, body=f"message {number}") for number in range(5)]
    conversation = conversation_of(store, uids[0])
    page, cursor = store.conversation_messages(conversation, 2, None)
    assert [message.body_source for message in page] == ["message 4", "message 3"]
    rest, end = store.conversation_messages(conversation, 10, cursor)
    assert [message.body_source for message in rest] == ["message 2", "message 1", "message 0"]
    assert end is None


def test_listeners_hear_every_change() -> None:
    store = make_store()
    heard: list[str] = []
    store.listeners.append(lambda kind, ids: heard.append(kind))
    conversation = conversation_of(store, inbound(store))
    store.set_conversation_status(conversation, "archived")
    message = outbound(store, conversation)
    store.outbox.cancel(message)
    store.reset()
    assert heard == ["message_created", "conversation_changed", "message_created", "message_state", "reset"]


def test_an_unknown_status_changes_nothing() -> None:
    store = make_store()
    conversation = conversation_of(store, inbound(store))
    with pytest.raises(ValueError, match="unsupported"):
        store.set_conversation_status(conversation, "snoozed")
    assert conversation.status == "unassigned"


def test_reset_replays_ids_and_forgets_everything() -> None:
    store = make_store()
    store.clock.advance(100)  # type: ignore[attr-defined]
    first = store.message("alt:uid:" + inbound(store))
    channel = store.channel(CHANNEL)
    assert first is not None and channel is not None
    store.replace_channel(replace(channel, name="Renamed"))
    store.rate_limiter.check(START)
    store.snapshots.take()
    store.reset()
    assert (store.message_count, store.conversation_count, list(store.deliveries)) == (0, 0, [])
    assert store.channel(CHANNEL).name != "Renamed"  # type: ignore[union-attr]
    assert store.snapshots.get("snap_1") is None
    assert store.clock.now() == START
    again = store.message("alt:uid:" + inbound(store))
    assert again is not None and (again.id, again.message_uid) == (first.id, first.message_uid)
    assert again.created_at == START


def test_seeding_a_workspace_starts_afresh_on_it() -> None:
    store = make_store()
    inbound(store)
    workspace = store.workspace
    renamed = replace(workspace, channels=tuple(replace(c, name=f"{c.name}!") for c in workspace.channels))
    store.load_workspace(renamed)
    assert store.message_count == 0 and store.channel(CHANNEL).name.endswith("!")  # type: ignore[union-attr]
    store.reset()
    assert not store.channel(CHANNEL).name.endswith("!")  # type: ignore[union-attr]


def test_an_attempt_from_an_earlier_generation_is_dropped_and_takes_no_id() -> None:
    store = make_store()
    message = outbound(store, conversation_of(store, inbound(store)))
    generation = store.generation
    [send] = store.outbox.due_sends()
    store.reset()
    ids_before = store.ids.state()
    attempt = attempt_of(message)
    assert store.outbox.record(generation, send, attempt, retries=0) is None
    store.outbox.abandon(generation, send, "gone")
    assert not store.deliveries and store.ids.state() == ids_before
    assert message.delivery_status == "sending"  # the old object is no one's any more


def test_a_current_attempt_is_journalled_and_ends_its_message() -> None:
    store = make_store()
    conversation = conversation_of(store, inbound(store))
    message = outbound(store, conversation)
    [send] = store.outbox.due_sends()
    assert message.delivery_status == "sending" and store.outbox.in_flight == 1
    attempt = attempt_of(message, error_type="forbidden", reason="Blocked.")
    delivery = store.outbox.record(store.generation, send, attempt, retries=3)
    assert delivery is not None and delivery.id.startswith("dlv_") and store.delivery(delivery.id) is delivery
    assert (message.delivery_status, message.error_type, message.error_reason) == (
        "failed",
        "forbidden",
        "Blocked.",
    )
    assert store.outbox.in_flight == 0
    assert conversation.status == "unassigned"  # a failed send brings the conversation back to the inbox
