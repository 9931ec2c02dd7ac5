"""Which of Front's routes takes a channel's messages: a custom channel's integration pushes them with
`incoming_messages`, an application channel's app syncs them with the Channel API (`inbound_messages`,
`outbound_messages`, status updates). One rule that both routes ask, so each refusal names the route the
channel does take.
"""

from __future__ import annotations

from typing import Literal

from emulator.domain.rules import Refusal
from emulator.domain.workspace import Channel

MessageRoute = Literal["incoming_messages", "channel_api"]


def route_refusal(channel: Channel, route: MessageRoute) -> Refusal | None:
    """None when `channel` takes messages through `route`, else why not (asked on every incoming message,
    so the common case is two attribute reads)."""
    if route == "incoming_messages":
        if channel.is_custom:
            return None
        if channel.is_application:
            return Refusal(
                "invalid",
                f"Channel {channel.id} is an application channel: its app syncs messages with POST "
                f"/channels/{channel.id}/inbound_messages (and outbound_messages), not incoming_messages",
            )
        return Refusal(
            "invalid",
            f"Channel {channel.id} is of type {channel.type}: incoming messages are for custom channels only",
        )
    if channel.is_application:
        return None
    return Refusal(
        "invalid",
        f"Channel {channel.id} is not an application channel: the Channel API is for channels of an "
        f"application; a custom channel takes POST /channels/{channel.id}/incoming_messages",
    )
