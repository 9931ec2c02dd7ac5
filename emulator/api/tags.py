"""Front's tag routes: the company's tags, and tagging conversations (emulator/domain/assignment.py)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.api.auth import authorise
from emulator.domain.assignment import create_tag, tag, tags_named, untag
from emulator.domain.tags import Tag
from emulator.wire.conversation_lists import conversation_list
from emulator.wire.documents import json_document
from emulator.wire.errors import FrontError
from emulator.wire.lookups import conversation_or_404
from emulator.wire.responses import base_url, front_json, whole_list
from emulator.wire.serialise import tag_json


def _tag(request: Request) -> Tag:
    tag_id = request.path_params["tag_id"]
    found: Tag | None = request.app.state.store.tags.tag(tag_id)
    if found is None:
        raise FrontError(404, f"Tag {tag_id} not found")
    return found


async def list_tags(request: Request) -> Response:
    authorise(request, "tags:read")
    base = base_url(request)
    tags = request.app.state.store.tags.all()
    return whole_list(request, f"{base}/tags", [tag_json(base, item) for item in tags], "tag-list")


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
    return front_json(request, tag_json(base_url(request), created), "tag", 201)


async def get_tag(request: Request) -> Response:
    authorise(request, "tags:read")
    return front_json(request, tag_json(base_url(request), _tag(request)), "tag")


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
