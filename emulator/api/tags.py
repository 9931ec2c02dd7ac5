"""Front's tag routes: the company's tags, and tagging conversations (emulator/domain/assignment.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain.assignment import create_tag, tag, tags_named, untag
from emulator.domain.tags import Tag
from emulator.wire.conversation_lists import conversation_list
from emulator.wire.documents import json_document
from emulator.wire.lookups import conversation_or_404, tag_or_404
from emulator.wire.responses import resource, whole_list
from emulator.wire.serialise import tag_json


def _tag(request: Request) -> Tag:
    return tag_or_404(request.app.state.store, request.path_params["tag_id"])


async def list_tags(request: Request) -> Response:
    authorise(request, "tags:read")
    return whole_list(request, "/tags", request.app.state.store.tags.all(), tag_json, "tag-list")


async def add_tag(request: Request) -> Response:
    authorise(request, "tags:write")
    document = await json_document(request, "create-tag", what="the tag")
    created = create_tag(
        request.app.state.store,
        document["name"],
        document.get("description"),
        document.get("highlight"),
        document.get("is_visible_in_conversation_lists", False),
    )
    return resource(request, created, tag_json, "tag", 201)


async def get_tag(request: Request) -> Response:
    authorise(request, "tags:read")
    return resource(request, _tag(request), tag_json, "tag")


async def list_tag_conversations(request: Request) -> Response:
    authorise(request, "conversations:read")
    found = _tag(request)
    store = request.app.state.store
    tagged = [item for item in store.conversations() if store.tags.has(item.id, found.id)]
    return conversation_list(request, tagged, f"/tags/{found.id}/conversations")


async def tag_conversation(request: Request) -> Response:
    authorise(request, "conversations:write")
    store = request.app.state.store
    conversation = conversation_or_404(store, request.path_params["conversation_id"])
    document = await json_document(request, "tag-ids", what="the tags")
    wanted = tags_named(store, document["tag_ids"])
    if request.method == "DELETE":
        untag(store, conversation, wanted)
    else:
        tag(store, conversation, wanted)
    return Response(status_code=204)
