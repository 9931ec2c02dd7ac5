"""Front's read routes: messages, attachments, conversations, channels."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.api.channel_jwt import check_grant, reader_grant
from emulator.domain.assignment import update_conversation as change_conversation
from emulator.domain.messages import Conversation, Message
from emulator.wire.documents import json_document
from emulator.wire.errors import FrontError
from emulator.wire.lookups import channel_or_404, conversation_or_404, message_or_404
from emulator.wire.pagination import page, page_limit, page_token, page_token_position, self_link, sort_order
from emulator.wire.responses import attachment_response, base_url, front_json, whole_list
from emulator.wire.serialise import channel_json, conversation_json, message_json

# More than any conversation holds: the whole conversation, for a list in ascending order.
_EVERY_MESSAGE = 2**62
_PAGE_TOKEN_PREFIX = b"before:"


def _message(request: Request) -> Message:
    return message_or_404(request.app.state.store, request.path_params["message_id"])


def _conversation(request: Request) -> Conversation:
    return conversation_or_404(request.app.state.store, request.path_params["conversation_id"])


async def get_message(request: Request) -> Response:
    grant = reader_grant(request, "messages:read")
    message = _message(request)
    check_grant(grant, message.channel_id, f"message {message.id}")
    return front_json(request, message_json(base_url(request), message, request.app.state.store), "message")


async def download_attachment(request: Request) -> Response:
    authorise(request, "attachments:read")
    message = _message(request)
    attachment_id = request.path_params["attachment_id"]
    # A call's recordings are its message's attachments (emulator/domain/calls.py).
    attachment = request.app.state.store.calls.shown(message).attachment(attachment_id)
    if attachment is None:
        raise FrontError(404, f"Attachment {attachment_id} not found on message {message.id}")
    return attachment_response(attachment)


async def get_conversation(request: Request) -> Response:
    grant = reader_grant(request, "conversations:read")
    conversation = _conversation(request)
    check_grant(grant, conversation.channel_id, f"conversation {conversation.id}")
    document = conversation_json(base_url(request), conversation, request.app.state.store)
    return front_json(request, document, "conversation")


async def update_conversation(request: Request) -> Response:
    authorise(request, "conversations:write")
    conversation = _conversation(request)
    document = await json_document(request, "update-conversation", what="the update")
    change_conversation(request.app.state.store, conversation, document)
    return Response(status_code=204)


async def list_conversation_messages(request: Request) -> Response:
    grant = reader_grant(request, "messages:read")
    conversation = _conversation(request)
    check_grant(grant, conversation.channel_id, f"conversation {conversation.id}")
    store = request.app.state.store
    base = base_url(request)
    link = f"{base}/conversations/{conversation.id}/messages"
    if sort_order(request) == "asc":
        # Oldest first, paged by position: the newest-first cursor below cannot walk forwards.
        newest_first, _ = store.conversation_messages(conversation, _EVERY_MESSAGE, None)
        results, listing = page(request, newest_first[::-1], link)
        listing["_results"] = [message_json(base, message, store) for message in results]
        return front_json(request, listing, "message-list")
    limit = page_limit(request)
    before = page_token_position(request, _PAGE_TOKEN_PREFIX)
    page_messages, next_cursor = store.conversation_messages(conversation, limit, before)
    next_link = None
    if next_cursor is not None:
        token = page_token(_PAGE_TOKEN_PREFIX, next_cursor)
        next_link = f"{link}?limit={limit}&page_token={token}"
    document = {
        "_pagination": {"next": next_link},
        "_links": {"self": self_link(request, link)},
        "_results": [message_json(base, message, store) for message in page_messages],
    }
    return front_json(request, document, "message-list")


async def list_channels(request: Request) -> Response:
    authorise(request, "channels:read")
    store = request.app.state.store
    channels = store.workspace.channels
    return whole_list(request, "/channels", channels, partial(channel_json, store=store), "channel-list")


async def get_channel(request: Request) -> Response:
    authorise(request, "channels:read")
    channel = channel_or_404(request.app.state.store, request.path_params["channel_id"])
    return front_json(request, channel_json(base_url(request), channel, request.app.state.store), "channel")
