"""Application channels: what a teammate's message event carries, and what the app's success must say."""

from __future__ import annotations

from typing import Any

import orjson

from emulator.domain.messages import ExternalIds, Message
from emulator.domain.store import Store
from emulator.outbound.answers import Verdict
from emulator.wire.app_events import message_event, missing_external_ids


def message_event_of(payload: dict[str, Any], message: Message, store: Store) -> dict[str, Any]:
    """The `message` event of ``message``: its conversation's external ids are known from the app's syncs
    or its earlier answers (none for a new conversation)."""
    return message_event(payload, store.external_conversation_ids(message.conversation_id))


def external_ids_of(answer_body: str | None) -> ExternalIds | None:
    """The ids of a success answer that has both, else None."""
    document = _document(answer_body)
    if missing_external_ids(document):
        return None
    return ExternalIds(document["external_id"], document["external_conversation_id"])


def application_verdict(verdict: Verdict, answer_body: bytes) -> Verdict:
    """A success is a failure unless it names both external ids: Front could thread nothing later."""
    if not verdict.sent:
        return verdict
    document = _document(answer_body.decode("utf-8", "replace"))
    missing = missing_external_ids(document)
    if not missing:
        return verdict
    return Verdict(
        "internal_error",
        f"The app answered success without {' and '.join(missing)}: an application channel's answer must "
        'be {"type": "success", "external_id": …, "external_conversation_id": …}.',
        False,
    )


def _document(body: str | None) -> dict[str, Any]:
    try:
        document = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return {}
    return document if isinstance(document, dict) else {}
