"""The events Front sends to the app of an application channel, and what the app's answers must say.

One home for each shape and rule: the emulator sends these events (control/applications.py,
outbound/app_events.py, outbound/delivery.py) and the contract runner (emulator/contract/application*.py)
sends the same ones to an app under test, so both judge an answer alike.
"""

from __future__ import annotations

from typing import Any

from emulator.wire.outgoing_urls import outgoing_url_problem

__all__ = [
    "AUTO_REPLY_TEXT",
    "authorization_event",
    "authorization_problem",
    "autoreply_event",
    "delete_event",
    "message_event",
    "message_imported_event",
    "missing_external_ids",
]

AUTO_REPLY_TEXT = "Thanks for your message: we will get back to you soon."
# What a success answer to a `message` event must name: without them Front can thread nothing later.
EXTERNAL_IDS = ("external_id", "external_conversation_id")


def authorization_event(channel_id: str) -> dict[str, Any]:
    """Sent to the app's webhook URL when an admin adds a channel of the app to an inbox."""
    return {"type": "authorization", "payload": {"channel_id": channel_id}}


def delete_event(channel_id: str) -> dict[str, Any]:
    """Sent (method DELETE) to the channel's webhook URL when the channel is removed."""
    return {"type": "delete", "payload": {"channel_id": channel_id}}


def message_event(payload: dict[str, Any], external_conversation_ids: list[str]) -> dict[str, Any]:
    """A teammate's message: the Message as Front shows it and the conversation's external ids (none
    for a new conversation)."""
    return {
        "type": "message",
        "payload": payload,
        "metadata": {"external_conversation_ids": external_conversation_ids},
    }


def message_imported_event(payload: dict[str, Any], external_conversation_id: str) -> dict[str, Any]:
    """A message the app synced was created: the Message, and the ids of its conversation."""
    return {
        "type": "message_imported",
        "payload": payload,
        "metadata": {
            "external_conversation_id": external_conversation_id,
            "external_conversation_ids": [external_conversation_id],
        },
    }


def autoreply_event(inbound: dict[str, Any], external_conversation_id: str) -> dict[str, Any]:
    """Front's auto-reply to the inbound message ``inbound`` (as Front shows it): shaped like a message
    event, but its payload's `type` is `auto_reply` and it has no `id` (apps that assume one have broken
    on it)."""
    contact, channel_recipient = inbound["recipients"][0], inbound["recipients"][1]
    payload = {key: value for key, value in inbound.items() if key not in ("id", "message_uid", "_links")}
    payload.update(
        type="auto_reply",
        is_inbound=False,
        body=f"<p>{AUTO_REPLY_TEXT}</p>",
        text=AUTO_REPLY_TEXT,
        blurb=AUTO_REPLY_TEXT,
        attachments=[],
        recipients=[{**channel_recipient, "role": "from"}, {**contact, "role": "to"}],
    )
    return {
        "type": "message_autoreply",
        "payload": payload,
        "metadata": {"external_conversation_ids": [external_conversation_id]},
    }


def authorization_problem(answer: Any) -> str:
    """What is wrong with an app's (parsed) answer to `authorization` ("" when nothing)."""
    if not isinstance(answer, dict) or answer.get("type") != "success":
        return 'its answer is not {"type": "success", "webhook_url": …}'
    webhook_url = answer.get("webhook_url")
    if not isinstance(webhook_url, str):
        return "its success answer has no webhook_url"
    problem = outgoing_url_problem(webhook_url)
    return f"its webhook_url is {problem}" if problem else ""


def missing_external_ids(answer: Any) -> list[str]:
    """The ids a success answer to a `message` event lacks (absent, empty or not a string)."""
    document = answer if isinstance(answer, dict) else {}
    return [key for key in EXTERNAL_IDS if not (isinstance(document.get(key), str) and document[key])]
