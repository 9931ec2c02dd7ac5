"""tests/examples/partner_app.py end to end against a live emulator: authorization, an inbound sync with a
JWT, a teammate's reply answered with external ids, the app reporting that reply failed, and delete."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.harness import EmulatorClient, LiveServer
from tests.examples.partner_app import PartnerApp

APP_UID = "partner"
APP_SECRET = "partner-app-secret-with-32-bytes!"


@pytest.fixture
def front(live_client: httpx.Client, live_url: str) -> EmulatorClient:
    return EmulatorClient(live_client, live_url)


@pytest.fixture
def partner(live_url: str) -> Iterator[PartnerApp]:
    app = PartnerApp(front_url=live_url, app_uid=APP_UID, app_secret=APP_SECRET)
    server = LiveServer(app.asgi())
    app.public_url = server.start()
    yield app
    server.stop()


def test_partner_app_end_to_end(front: EmulatorClient, partner: PartnerApp) -> None:
    front.add_application("Partner", f"{partner.public_url}/front", uid=APP_UID, secret=APP_SECRET)
    channel = front.authorize_channel(APP_UID, "Partner chat")
    assert channel["id"] in partner.channels
    assert channel["settings"]["webhook_url"] == f"{partner.public_url}/front/channels/{channel['id']}"

    # A contact writes; the app syncs it with its JWT; Front tells the app it was imported.
    uid = partner.contact_wrote(channel["id"], "+15550101234", "Is my order shipped?", "thread-7")
    inbound = front.wait_for_message(uid)
    assert inbound["metadata"]["external_conversation_id"] == "thread-7"
    imported = partner.wait_for_event("message_imported")
    assert imported["payload"]["id"] == inbound["id"]

    # A teammate replies in Front: the app gets it signed, sends it, answers with its ids.
    conversation = front.conversation_id_of(inbound)
    reply = front.reply(conversation, "<p>It left this morning.</p>")
    (delivery,) = front.wait_for_deliveries(1, channel_id=channel["id"])
    assert delivery["outcome"] == "sent", delivery
    (external_id,) = partner.sent
    assert partner.sent[external_id]["id"] == reply["id"]
    assert front.message(reply["id"])["metadata"]["external_id"] == external_id

    # Later the partner's carrier bounces it: the app says so, the teammate sees it failed.
    partner.delivery_failed(channel["id"], "thread-7", external_id, "carrier bounced the message")
    state = front.message_state(reply["id"])
    assert (state["delivery_status"], state["error_reason"]) == ("failed", "carrier bounced the message")

    # The harness's own sync helpers work on the same channel.
    synced = front.wait_for_message(
        front.sync_outbound(channel["id"], "+15550101234", "Sent from the partner app")
    )
    assert synced["is_inbound"] is False
    assert front.conversation_id_of(synced) != conversation  # another thread: conversation-1

    # Removing the channel tells the app.
    front.call("DELETE", f"/_emulator/channels/{channel['id']}")
    assert channel["id"] not in partner.channels
    assert [event["type"] for event in front.app_events(channel_id=channel["id"])][-1] == "delete"
