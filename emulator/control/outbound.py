"""Control plane for the outbound path: channels, cancelling in the undo window, the delivery journal."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.api.errors import FrontError
from emulator.api.lookups import delivery_or_404, message_or_404
from emulator.api.responses import base_url, front_json
from emulator.api.sending import cancel_pending, channel_from_document, json_document, redeliver_finished
from emulator.api.serialise import channel_json
from emulator.domain.messages import Message

_DELIVERY_FILTERS = ("channel_id", "conversation_id", "message_id", "outcome")


async def create_channel(request: Request) -> Response:
    store = request.app.state.store
    document = await json_document(request, "create-channel")
    channel = channel_from_document(document, store.ids.new_id("cha"))
    if store.channel(channel.id) is not None:
        raise FrontError(409, f"Channel {channel.id} already exists")
    if store.channel("alt:address:" + channel.address) is not None:
        raise FrontError(409, f"A channel with address {channel.address} already exists")
    store.replace_channel(channel)
    document = channel.as_document()
    document["_links"] = {"self": channel_json(base_url(request), channel)["_links"]["self"]}
    return front_json(request, document, "workspace-channel", 201)


def _message(request: Request) -> Message:
    return message_or_404(request.app.state.store, request.path_params["message_id"])


def _state(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "is_inbound": message.is_inbound,
        "delivery_status": message.delivery_status,
        "error_type": message.error_type,
        "error_reason": message.error_reason,
        "send_at": message.send_at,
    }


async def message_state(request: Request) -> Response:
    return front_json(request, _state(_message(request)), "message-state")


async def cancel_message(request: Request) -> Response:
    message = _message(request)
    cancel_pending(request, message)
    return front_json(request, _state(message), "message-state")


async def list_deliveries(request: Request) -> Response:
    unknown = sorted(set(request.query_params) - set(_DELIVERY_FILTERS))
    if unknown:
        raise FrontError(
            400,
            "Unknown filter",
            [f"{name}: filter by one of {', '.join(_DELIVERY_FILTERS)}" for name in unknown],
        )
    wanted = {key: request.query_params[key] for key in _DELIVERY_FILTERS if key in request.query_params}
    results = [
        delivery.as_document()
        for delivery in request.app.state.store.deliveries
        if all(getattr(delivery, key) == value for key, value in wanted.items())
    ]
    return front_json(request, {"_results": results}, "delivery-list")


async def redeliver(request: Request) -> Response:
    delivery = delivery_or_404(request.app.state.store, request.path_params["delivery_id"])
    new_delivery = await redeliver_finished(request, delivery)
    return front_json(request, new_delivery.as_document(), "delivery")


routes = [
    Route("/_emulator/channels", create_channel, methods=["POST"]),
    Route("/_emulator/messages/{message_id}", message_state, methods=["GET"]),
    Route("/_emulator/messages/{message_id}/cancel", cancel_message, methods=["POST"]),
    Route("/_emulator/deliveries", list_deliveries, methods=["GET"]),
    Route("/_emulator/deliveries/{delivery_id}/redeliver", redeliver, methods=["POST"]),
]
