"""Snapshots: the store's state to go back to (index structures copied, messages shared, their changing
fields saved); refused while a delivery is in flight; only the newest MAX_SNAPSHOTS kept."""

from __future__ import annotations

import pytest

from emulator.domain.rules import Refusal
from tests.domain.helpers import conversation_of, inbound, make_store, outbound


def test_restore_goes_back_and_can_be_repeated() -> None:
    store = make_store()
    conversation = conversation_of(store, inbound(store))
    snapshot = store.snapshots.take()
    later_uid = inbound(store, "visitor-2")
    store.set_conversation_status(conversation, "archived")
    store.snapshots.restore(snapshot)
    assert store.message_count == 1 and store.message("alt:uid:" + later_uid) is None
    restored = store.conversation(conversation.id)
    assert restored is not None and restored.status == "unassigned"
    # One object per message, as before: the message in the index is the one in its conversation.
    [message] = store.conversation_messages(restored, 10, None)[0]
    assert store.message(message.id) is message
    # Ids continue from the snapshot: the same next message gets the same id both times.
    again = store.message("alt:uid:" + inbound(store, "visitor-2"))
    store.snapshots.restore(snapshot)
    assert store.message("alt:uid:" + inbound(store, "visitor-2")).id == again.id  # type: ignore[union-attr]


def test_restore_starts_a_new_generation_and_tells_the_listeners() -> None:
    store = make_store()
    snapshot = store.snapshots.take()
    heard: list[str] = []
    store.listeners.append(lambda kind, ids: heard.append(kind))
    generation = store.generation
    store.clock.advance(60)  # type: ignore[attr-defined]
    store.snapshots.restore(snapshot)
    assert store.generation == generation + 1 and heard == ["reset"]
    # Time does not go back with a restore.
    assert store.clock.now() == snapshot.taken_at + 60


def test_a_snapshot_is_refused_while_a_delivery_is_in_flight() -> None:
    store = make_store()
    outbound(store, conversation_of(store, inbound(store)))
    store.outbox.due_sends()
    with pytest.raises(Refusal, match="1 delivery\\(ies\\) in flight") as refused:
        store.snapshots.take()
    assert refused.value.kind == "conflict"


def test_snapshot_ids_never_repeat_even_after_a_restore() -> None:
    store = make_store()
    first = store.snapshots.take()
    store.snapshots.restore(first)
    assert store.snapshots.take().id != first.id
    store.snapshots.clear()
    assert store.snapshots.get(first.id) is None


def test_after_a_restore_the_outbox_still_tells_this_stores_listeners() -> None:
    store = make_store()
    message = outbound(store, conversation_of(store, inbound(store)))
    snapshot = store.snapshots.take()
    store.snapshots.restore(snapshot)
    heard: list[tuple[str, str]] = []
    store.listeners.append(lambda kind, ids: heard.append((kind, ids.get("message_id", ""))))
    [send] = store.outbox.due_sends()
    assert send.message is store.message(message.id)
    assert heard == [("message_state", message.id)]


def test_a_restore_puts_back_contacts_events_and_what_changed_on_shared_messages() -> None:
    store = make_store()
    conversation = conversation_of(store, inbound(store))
    message = outbound(store, conversation)
    snapshot = store.snapshots.take()
    contacts_before = [(contact.id, list(contact.handles)) for contact in store.contacts.all()]
    events_before = store.events.of_conversation(conversation.id)
    inbound(store, "visitor-2")
    store.set_conversation_status(conversation, "archived")
    store.outbox.cancel(message)
    store.snapshots.restore(snapshot)
    assert [(contact.id, list(contact.handles)) for contact in store.contacts.all()] == contacts_before
    assert store.events.of_conversation(conversation.id) == events_before
    assert store.message(message.id).delivery_status == "pending"  # type: ignore[union-attr]
    # The snapshot is intact: restoring it again after more changes gives the same state.
    store.outbox.cancel(message)
    store.snapshots.restore(snapshot)
    assert store.message(message.id).delivery_status == "pending"  # type: ignore[union-attr]
