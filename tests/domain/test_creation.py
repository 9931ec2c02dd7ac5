"""Creation (emulator/domain/creation.py): take_incoming and take_synced, what the hot routes call, create
exactly what accept + settle would, whether they go through the creation queue or not."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from emulator.domain.creation_delay import CreationDelay
from emulator.domain.messages import Contact, ExternalIds, IncomingMessage, SyncedMessage
from emulator.domain.rules import Refusal
from emulator.domain.store import Store
from tests.domain.helpers import CHANNEL, START, inbound, make_store

APP_CHANNEL = "cha_1a04"


def incoming(number: int) -> IncomingMessage:
    return IncomingMessage(
        sender_handle=f"visitor-{number % 3}",
        body=f"Message {number}",
        sender_name="Ada" if number % 2 else None,
        subject="Order" if number == 0 else None,
        thread_ref="order-7" if number % 4 == 3 else None,
        headers={"x-page": "/checkout"},
    )


def synced(number: int) -> SyncedMessage:
    return SyncedMessage(
        is_inbound=number % 2 == 0,
        contacts=(Contact(f"visitor-{number % 3}", "Ada"),),
        body=f"<p>Message {number}</p>",
        external=ExternalIds(f"ext-{number}", f"thread-{number % 2}"),
    )


def everything(store: Store) -> list[object]:
    """Every conversation with its messages and events, as plain data."""
    found: list[object] = []
    for conversation in store.conversations():
        messages, _ = store.conversation_messages(conversation, 100, None)
        events = store.events.of_conversation(conversation.id)
        found.append(
            (
                asdict(conversation),
                [asdict(message) for message in messages],
                [event._asdict() for event in events],
            )
        )
    return found


def taken_and_queued(take: str, accept: str, channel_id: str, make: object) -> tuple[Store, Store]:
    """Two stores alike, one fed by `take`, the other by `accept` + `settle`, the same ten messages."""
    taking, queueing = make_store(), make_store()
    for number in range(10):
        for store, method in ((taking, take), (queueing, accept)):
            channel = store.channel(channel_id)
            getattr(store, method)(channel, make(number))  # type: ignore[operator]
            if method == accept:
                store.settle()
    return taking, queueing


@pytest.mark.parametrize(
    ("take", "accept", "channel_id", "make"),
    [
        ("take_incoming", "accept_incoming", CHANNEL, incoming),
        ("take_synced", "accept_synced", APP_CHANNEL, synced),
    ],
)
def test_taking_with_no_delay_creates_what_the_queue_would(take, accept, channel_id, make) -> None:
    taking, queueing = taken_and_queued(take, accept, channel_id, make)
    assert taking.awaiting_creation_count == 0
    assert taking.message_count == 10
    assert everything(taking) == everything(queueing)


def test_taking_with_a_delay_only_queues() -> None:
    store = make_store(delay=2)
    channel = store.channel(CHANNEL)
    assert channel is not None
    message_uid = store.take_incoming(channel, incoming(0))
    assert store.message("alt:uid:" + message_uid) is None
    store.clock.advance(2)  # type: ignore[attr-defined]
    message = store.message("alt:uid:" + message_uid)
    assert message is not None and message.created_at == START + 2


def test_taking_while_an_earlier_message_waits_keeps_to_the_queue() -> None:
    """The delay went down to 0 while a message was waiting: the new one is due first and comes first."""
    store = make_store(delay=5)
    waiting = inbound(store)
    store.creation_delay = CreationDelay(0, 0)
    channel = store.channel(CHANNEL)
    assert channel is not None
    taken = store.take_incoming(channel, incoming(1))
    assert store.message("alt:uid:" + taken) is not None
    assert store.message("alt:uid:" + waiting) is None
    store.clock.advance(5)  # type: ignore[attr-defined]
    assert store.message("alt:uid:" + waiting) is not None


@pytest.mark.parametrize("delay", [0, 2])
def test_a_repeated_external_id_is_refused_and_creates_nothing(delay: float) -> None:
    store = make_store(delay=delay)
    channel = store.channel(APP_CHANNEL)
    assert channel is not None
    first = store.take_synced(channel, synced(0))
    with pytest.raises(Refusal, match=f"external_id 'ext-0' \\(message_uid {first}\\)") as refused:
        store.take_synced(channel, synced(0))
    assert refused.value.kind == "conflict"
    store.clock.advance(2)  # type: ignore[attr-defined]
    assert store.message_count == 1
