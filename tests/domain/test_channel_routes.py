"""Which route takes a channel's messages: one rule for incoming_messages and the Channel API."""

from __future__ import annotations

import pytest

from emulator.domain.channel_routes import MessageRoute, route_refusal
from emulator.domain.workspace import Channel

CUSTOM = Channel(id="cha_1", address="chat", name="Chat")
APPLICATION = Channel(id="cha_2", address="partner", name="Partner", application="app_1")
EMAIL = Channel(id="cha_3", address="support@example.test", name="Support", type="email")


@pytest.mark.parametrize(("channel", "route"), [(CUSTOM, "incoming_messages"), (APPLICATION, "channel_api")])
def test_each_kind_of_channel_takes_its_own_route(channel: Channel, route: MessageRoute) -> None:
    assert route_refusal(channel, route) is None


@pytest.mark.parametrize(
    ("channel", "route", "names"),
    [
        (APPLICATION, "incoming_messages", "POST /channels/cha_2/inbound_messages"),
        (EMAIL, "incoming_messages", "of type email"),
        (CUSTOM, "channel_api", "POST /channels/cha_1/incoming_messages"),
        (EMAIL, "channel_api", "not an application channel"),
    ],
)
def test_the_other_route_is_refused_naming_the_right_one(
    channel: Channel, route: MessageRoute, names: str
) -> None:
    refusal = route_refusal(channel, route)
    assert refusal is not None
    assert refusal.kind == "invalid"
    assert names in refusal.message
