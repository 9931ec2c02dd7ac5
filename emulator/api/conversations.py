"""Front's routes around one conversation: its events, comments, followers and inboxes; seen receipts."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain.assignment import add_comment, assign_by_reference
from emulator.domain.comments import Comment, mentioned
from emulator.domain.inboxes import inbox_of_channel
from emulator.domain.messages import Conversation
from emulator.wire.conversation_lists import conversation_list
from emulator.wire.documents import json_document
from emulator.wire.lookups import comment_or_404, conversation_or_404, event_or_404, message_or_404
from emulator.wire.pagination import page
from emulator.wire.resources import comment_json, event_json, inbox_json
from emulator.wire.responses import base_url, front_json, whole_list
from emulator.wire.serialise import teammate_json

EVENTS_SCOPE = "events:*:read"


def _conversation(request: Request) -> Conversation:
    return conversation_or_404(request.app.state.store, request.path_params["conversation_id"])


def _comment(request: Request) -> Comment:
    return comment_or_404(request.app.state.store, request.path_params["comment_id"])


async def list_conversations(request: Request) -> Response:
    authorise(request, "conversations:read")
    return conversation_list(request, request.app.state.store.conversations(), "/conversations")


async def list_conversation_events(request: Request) -> Response:
    authorise(request, EVENTS_SCOPE)
    conversation = _conversation(request)
    store = request.app.state.store
    base = base_url(request)
    events = store.events.of_conversation(conversation.id)
    results, document = page(request, events, f"{base}/conversations/{conversation.id}/events")
    document["_results"] = [event_json(base, event, store) for event in results]
    return front_json(request, document, "event-list")


async def get_event(request: Request) -> Response:
    authorise(request, EVENTS_SCOPE)
    store = request.app.state.store
    event = event_or_404(store, request.path_params["event_id"])
    return front_json(request, event_json(base_url(request), event, store), "event")


async def list_conversation_comments(request: Request) -> Response:
    authorise(request, "comments:read")
    conversation = _conversation(request)
    store = request.app.state.store
    comments = store.comments.of_conversation(conversation.id)
    path = f"/conversations/{conversation.id}/comments"
    return whole_list(request, path, comments, partial(comment_json, store=store), "comment-list")


async def add_conversation_comment(request: Request) -> Response:
    authorise(request, "comments:write")
    conversation = _conversation(request)
    store = request.app.state.store
    document = await json_document(request, "create-comment", what="the comment")
    comment = add_comment(
        store, conversation, document["body"], document.get("author_id"), document.get("is_pinned", False)
    )
    return front_json(request, comment_json(base_url(request), comment, store), "comment", 201)


async def get_comment(request: Request) -> Response:
    authorise(request, "comments:read")
    store = request.app.state.store
    return front_json(request, comment_json(base_url(request), _comment(request), store), "comment")


async def list_comment_mentions(request: Request) -> Response:
    authorise(request, "teammates:read")
    comment = _comment(request)
    mentions = mentioned(request.app.state.store.workspace, comment)
    return whole_list(request, f"/comments/{comment.id}/mentions", mentions, teammate_json, "teammate-list")


async def list_conversation_followers(request: Request) -> Response:
    authorise(request, "teammates:read")
    conversation = _conversation(request)
    # Nobody follows a conversation until a teammate is made a follower, which the emulator cannot do yet.
    path = f"/conversations/{conversation.id}/followers"
    return whole_list(request, path, [], teammate_json, "teammate-list")


async def list_conversation_inboxes(request: Request) -> Response:
    authorise(request, "inboxes:read")
    conversation = _conversation(request)
    inbox = inbox_of_channel(request.app.state.store.workspace, conversation.channel_id)
    # A removed channel's conversations stay readable, in no inbox.
    inboxes = [inbox] if inbox else []
    return whole_list(request, f"/conversations/{conversation.id}/inboxes", inboxes, inbox_json, "inbox-list")


async def get_message_seen(request: Request) -> Response:
    authorise(request, "messages:read")
    message = message_or_404(request.app.state.store, request.path_params["message_id"])
    # A custom channel reports no reading to Front: no receipt, for inbound and outbound messages alike.
    document = {
        "_pagination": {"next": None},
        "_links": {"self": f"{base_url(request)}/messages/{message.id}/seen"},
        "_results": [],
    }
    return front_json(request, document, "seen-receipt-list")


async def update_assignee(request: Request) -> Response:
    authorise(request, "conversations:write")
    conversation = _conversation(request)
    document = await json_document(request, "update-conversation-assignee", what="the assignee")
    assign_by_reference(request.app.state.store, conversation, document["assignee_id"])
    return Response(status_code=204)
