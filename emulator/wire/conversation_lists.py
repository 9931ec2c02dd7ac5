"""Front's lists of conversations: the `q` filter (`q[statuses][]=…`), newest first, paginated."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.inbox import newest_first
from emulator.domain.messages import Conversation, ConversationStatus
from emulator.wire.errors import FrontError
from emulator.wire.pagination import page
from emulator.wire.responses import base_url, front_json
from emulator.wire.serialise import conversation_json

# Front's query words for statuses; "trashed" is what the API shows as "deleted".
_STATUS_WORDS: dict[str, ConversationStatus] = {
    "assigned": "assigned",
    "unassigned": "unassigned",
    "archived": "archived",
    "trashed": "deleted",
}
_STATUS_KEYS = ("q[statuses][]", "q[statuses]")


def wanted_statuses(request: Request) -> frozenset[ConversationStatus]:
    """The statuses `q` asks for; without one, every conversation that is not in the trash."""
    words = [word for key in _STATUS_KEYS for word in request.query_params.getlist(key)]
    if not words:
        return frozenset({"assigned", "unassigned", "archived"})
    unknown = sorted({word for word in words if word not in _STATUS_WORDS})
    if unknown:
        raise FrontError(
            400,
            "Invalid query parameter",
            [f"/q/statuses: {word!r} is not one of {', '.join(_STATUS_WORDS)}" for word in unknown],
        )
    return frozenset(_STATUS_WORDS[word] for word in words)


def conversation_list(request: Request, conversations: Iterable[Conversation], path: str) -> Response:
    """The answer of a conversation list at `path` (after the base URL)."""
    statuses = wanted_statuses(request)
    store = request.app.state.store
    base = base_url(request)
    chosen = newest_first(item for item in conversations if item.status in statuses)
    results, document = page(request, chosen, base + path)
    document["_results"] = [conversation_json(base, item, store) for item in results]
    return front_json(request, document, "conversation-list")
