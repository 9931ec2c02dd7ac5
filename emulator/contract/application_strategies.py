"""Hypothesis strategies for the events Front sends to the app of an application channel.

Each event is built by the same function the emulator sends it with (emulator/wire/app_events.py), around
the Messages of :func:`~emulator.contract.strategies.outgoing_messages`, so the runner sends exactly what
the emulator (and Front) would:

- :func:`authorization_events` -- an admin adds a channel of the app;
- :func:`message_events` -- a teammate's message, with the conversation's external ids (none for a new
  conversation, one or two for a reply: two after conversations were merged);
- :func:`autoreply_events` -- Front's auto-reply to a synced inbound message (no ``id``, ``type:
  auto_reply``);
- :func:`imported_events` -- a message the app synced (inbound or outbound) was created.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from emulator.contract.schema_strategies import from_schema
from emulator.contract.strategies import (
    DEFAULT_BASE_URL,
    DEFAULT_CHANNEL_ADDRESS,
    front_ids,
    outgoing_messages,
)
from emulator.wire.app_events import (
    authorization_event,
    autoreply_event,
    message_event,
    message_imported_event,
)

__all__ = ["authorization_events", "autoreply_events", "imported_events", "message_events"]


def authorization_events() -> st.SearchStrategy[dict[str, Any]]:
    return front_ids("cha_").map(authorization_event)


def _app_ids(prefix: str) -> st.SearchStrategy[str]:
    """An app's own ids (Front's limit is 200 characters): its prefixed numbers, UUIDs, or any text."""
    return st.one_of(
        front_ids(prefix),
        st.uuids().map(str),
        from_schema({"type": "string", "minLength": 1, "maxLength": 200}),
    )


@st.composite
def message_events(
    draw: st.DrawFn, base_url: str = DEFAULT_BASE_URL, channel_address: str = DEFAULT_CHANNEL_ADDRESS
) -> dict[str, Any]:
    message = draw(outgoing_messages(base_url=base_url, channel_address=channel_address))
    replying = "headers" in message["metadata"]
    threads = draw(st.lists(_app_ids("thread-"), min_size=1, max_size=2, unique=True)) if replying else []
    return message_event(message, threads)


def _synced(message: dict[str, Any], external_id: str, thread: str, inbound: bool) -> dict[str, Any]:
    """``message`` as Front shows a message the app synced: its external ids in ``metadata``, and for an
    inbound one, from the contact to the channel with no author."""
    synced = dict(message, metadata={"external_id": external_id, "external_conversation_id": thread})
    if inbound:
        channel, contact = message["recipients"][0], message["recipients"][1]
        recipients = [{**contact, "role": "from"}, {**channel, "role": "to"}]
        synced.update(is_inbound=True, author=None, recipients=recipients)
    return synced


@st.composite
def _synced_messages(
    draw: st.DrawFn, base_url: str, channel_address: str, inbound: bool | None
) -> tuple[dict[str, Any], str]:
    message = draw(outgoing_messages(base_url=base_url, channel_address=channel_address, kind="new"))
    thread = draw(_app_ids("thread-"))
    is_inbound = draw(st.booleans()) if inbound is None else inbound
    return _synced(message, draw(_app_ids("message-")), thread, is_inbound), thread


def autoreply_events(
    base_url: str = DEFAULT_BASE_URL, channel_address: str = DEFAULT_CHANNEL_ADDRESS
) -> st.SearchStrategy[dict[str, Any]]:
    return _synced_messages(base_url, channel_address, inbound=True).map(lambda pair: autoreply_event(*pair))


def imported_events(
    base_url: str = DEFAULT_BASE_URL, channel_address: str = DEFAULT_CHANNEL_ADDRESS
) -> st.SearchStrategy[dict[str, Any]]:
    return _synced_messages(base_url, channel_address, inbound=None).map(
        lambda pair: message_imported_event(*pair)
    )
