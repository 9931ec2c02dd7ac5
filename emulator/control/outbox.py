"""Control plane for outbound messages: channels to send through, the outbox (a message's delivery status,
cancelling in the undo window) and the delivery journal."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.domain.messages import Message
from emulator.domain.sending import cancel_pending, check_new_channel, check_redeliverable
from emulator.wire.documents import channel_from_document, json_document, list_filters, schema_choices
from emulator.wire.lookups import delivery_or_404, message_or_404
from emulator.wire.outgoing_urls import check_settings_urls
from emulator.wire.responses import base_url, front_json
from emulator.wire.serialise import channel_json

DELIVERY_FILTERS: dict[str, tuple[str, ...] | None] = {
    "channel_id": None,
    "conversation_id": None,
    "message_id": None,
    "outcome": schema_choices("delivery", "outcome"),
}


async def create_channel(request: Request) -> Response:
    store = request.app.state.store
    document = await json_document(request, "create-channel")
    check_settings_urls(document.get("settings") or {})
    channel = channel_from_document(document, store.ids.new_id("cha"))
    check_new_channel(store, channel)
    store.replace_channel(channel)
    document = channel.as_document()
    links = channel_json(base_url(request), channel, store)["_links"]
    document["_links"] = {"self": links["self"]}
    return front_json(request, document, "workspace-channel", 201)


def _message(request: Request) -> Message:
    return message_or_404(request.app.state.store, request.path_params["message_id"])


def _delivery_status(message: Message) -> dict[str, object]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "is_inbound": message.is_inbound,
        "delivery_status": message.delivery_status,
        "error_type": message.error_type,
        "error_reason": message.error_reason,
        "send_at": message.send_at,
    }


async def message_delivery_status(request: Request) -> Response:
    return front_json(request, _delivery_status(_message(request)), "message-state")


async def cancel_message(request: Request) -> Response:
    message = _message(request)
    cancel_pending(request.app.state.store, message)
    request.app.state.engine.wake()
    return front_json(request, _delivery_status(message), "message-state")


async def list_deliveries(request: Request) -> Response:
    wanted = list_filters(request, DELIVERY_FILTERS)
    outbox = request.app.state.store.outbox
    results = [
        delivery.as_document()
        for delivery in outbox.deliveries
        if all(getattr(delivery, key) == value for key, value in wanted.items())
    ]
    document = {"_results": results, "dropped": outbox.dropped, "retained_bytes": outbox.retained_bytes}
    return front_json(request, document, "delivery-list")


async def redeliver(request: Request) -> Response:
    delivery = delivery_or_404(request.app.state.store, request.path_params["delivery_id"])
    check_redeliverable(request.app.state.store, delivery)
    new_delivery = await request.app.state.engine.redeliver(delivery)
    return front_json(request, new_delivery.as_document(), "delivery")


routes = [
    Route("/_emulator/channels", create_channel, methods=["POST"]),
    Route("/_emulator/messages/{message_id}", message_delivery_status, methods=["GET"]),
    Route("/_emulator/messages/{message_id}/cancel", cancel_message, methods=["POST"]),
    Route("/_emulator/deliveries", list_deliveries, methods=["GET"]),
    Route("/_emulator/deliveries/{delivery_id}/redeliver", redeliver, methods=["POST"]),
]
