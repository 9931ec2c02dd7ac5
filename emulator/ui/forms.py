"""The inspector's forms, acting as a teammate: each POSTs, calls the same domain functions as Front's
API routes, and redirects back to a page (POST-redirect-GET)."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from emulator.domain.messages import AttachmentUpload, Message, TeammateMessage
from emulator.domain.sending import cancel_pending, check_redeliverable, send_new_message, send_reply
from emulator.domain.store import Store
from emulator.ui.error_pages import page
from emulator.ui.state import store_of
from emulator.ui.templating import PREFIX
from emulator.wire.documents import checked, teammate_message
from emulator.wire.errors import FrontError
from emulator.wire.lookups import channel_or_404, conversation_or_404, delivery_or_404, message_or_404


def _html_body(text: str) -> str:
    """What Front's composer sends for typed text: escaped paragraphs, line breaks kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [part.strip("\n") for part in re.split(r"\n[ \t]*\n", text) if part.strip()]
    return "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)


async def _uploads(request: Request, form: FormData) -> list[AttachmentUpload]:
    limit = request.app.state.config.max_attachments_bytes
    uploads = []
    total = 0
    for value in form.getlist("attachments"):
        # A file input left empty still submits a part, without a file name.
        if not isinstance(value, UploadFile) or not value.filename:
            continue
        data = await value.read()
        total += len(data)
        if total > limit:
            raise FrontError(
                413, f"Attachments are larger than the {limit // (1024 * 1024)} MB Front accepts"
            )
        uploads.append(
            AttachmentUpload(value.filename, value.content_type or "application/octet-stream", data)
        )
    return uploads


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _teammate_message(request: Request, schema_name: str) -> TeammateMessage:
    """The composer's form as the document Front's API would take (checked against `schema_name`).

    Both composers send the teammate, the typed text as Front's HTML and options.archive; the new-message
    composer also recipients (comma- or line-separated) and a subject.
    """
    async with request.form(max_files=50) as form:
        document: dict[str, Any] = {}
        if schema_name == "outbound-message":
            document["to"] = [part.strip() for part in re.split(r"[,\n]", _text(form, "to")) if part.strip()]
        document |= {
            "author_id": _text(form, "author_id") or None,
            "body": _html_body(_text(form, "body")),
            "options": {"archive": _text(form, "archive") == "on"},
        }
        if schema_name == "outbound-message" and _text(form, "subject").strip():
            document["subject"] = _text(form, "subject").strip()
        checked(document, schema_name)
        uploads = await _uploads(request, form)
    return teammate_message(document, uploads)


def _back_to(request: Request, message: Message, notice: str) -> Response:
    """The engine looks at the outbox again, and the browser goes back to the message, with a notice."""
    request.app.state.engine.wake()
    return RedirectResponse(
        f"{PREFIX}/conversations/{message.conversation_id}?notice={notice}#{message.id}", status_code=303
    )


MessageAction = Callable[[Store, Request], Awaitable[Message]]


def _message_form(action: MessageAction, notice: str) -> Callable[[Request], Awaitable[Response]]:
    """A form that does something to one message, then shows that message with `notice`."""

    @page
    async def endpoint(request: Request) -> Response:
        message = await action(store_of(request), request)
        return _back_to(request, message, notice)

    return endpoint


async def _reply(store: Store, request: Request) -> Message:
    conversation = conversation_or_404(store, request.path_params["conversation_id"])
    return send_reply(store, conversation, await _teammate_message(request, "outbound-reply"))


async def _compose(store: Store, request: Request) -> Message:
    channel = channel_or_404(store, request.path_params["channel_id"])
    return send_new_message(store, channel, await _teammate_message(request, "outbound-message"))


async def _cancel(store: Store, request: Request) -> Message:
    message = message_or_404(store, request.path_params["message_id"])
    cancel_pending(store, message)
    return message


reply = _message_form(_reply, "queued")
compose = _message_form(_compose, "queued")
cancel = _message_form(_cancel, "cancelled")


@page
async def redeliver(request: Request) -> Response:
    store = store_of(request)
    delivery = delivery_or_404(store, request.path_params["delivery_id"])
    check_redeliverable(store, delivery)
    # The engine's own redelivery: freshly signed, journalled, and the message ends sent or failed.
    new_delivery = await request.app.state.engine.redeliver(delivery)
    return RedirectResponse(f"{PREFIX}/deliveries/{new_delivery.id}?notice=redelivered", status_code=303)
