"""A test file as it would sit in your project: run it in-process, or against a running emulator with
`pytest --front-emulator-url http://127.0.0.1:8025 docs/examples/test_with_front.py`."""

from emulator.harness import EmulatorClient


def test_an_inbound_message_starts_a_conversation(front_emulator: EmulatorClient) -> None:
    uid = front_emulator.send_incoming("Where is my order?", sender="visitor-42")
    message = front_emulator.wait_for_message(uid)
    conversation = front_emulator.conversation(front_emulator.conversation_id_of(message))
    assert conversation["recipient"]["handle"] == "visitor-42"
