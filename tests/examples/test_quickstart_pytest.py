"""The README's pytest how-to, run as a test: keep the two in step."""

import pytest


def test_my_integration_posts_into_front(front_emulator):
    # Your integration would make this call; here the harness stands in for it.
    uid = front_emulator.send_incoming("Where is my order?", sender="+1 555 010 1234")
    message = front_emulator.wait_for_message(uid)
    assert message["recipients"][0]["handle"] == "+15550101234"  # normalised as Front does


@pytest.mark.front_emulator(creation_delay=2, clock="frozen")
def test_creation_is_asynchronous(front_emulator):
    uid = front_emulator.send_incoming("Hello")
    assert front_emulator.client.get(f"/messages/alt:uid:{uid}").status_code == 404
    front_emulator.advance(2)  # no sleeping: time moves when the test says so
    assert front_emulator.wait_for_message(uid)["message_uid"] == uid


def test_undo_window_and_cancel(front_emulator):
    front_emulator.configure_channel(webhook_url="http://127.0.0.1:9/never-called", undo_send_time=10)
    uid = front_emulator.send_incoming("Hi", sender="visitor-7")
    conversation_id = front_emulator.conversation_id_of(front_emulator.wait_for_message(uid))
    reply = front_emulator.reply(conversation_id, "<p>On it!</p>")
    assert front_emulator.cancel(reply["id"])["delivery_status"] == "cancelled"
    assert front_emulator.deliveries() == []
