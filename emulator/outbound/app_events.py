"""Events to apps of application channels, signed as Front signs them: `X-Front-Request-Timestamp` (ms)
and `X-Front-Signature` = base64 HMAC-SHA256 with the App secret over `"<timestamp>:" + body`, the body
as JSON.stringify prints it. Every event is journalled (emulator/domain/app_events.py).

Sent events: `authorization` (an admin adds a channel of the app), `delete` (the channel is removed) and
`message_imported` (a synced message was created), on the background for the last one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from emulator.domain.app_events import AppEvent
from emulator.domain.deliveries import UNRECORDED
from emulator.domain.messages import Message
from emulator.domain.store import Store
from emulator.domain.workspace import Application
from emulator.outbound.javascript_json import stringify_bytes
from emulator.signing import signature_headers
from emulator.wire.app_events import autoreply_event, message_imported_event
from emulator.wire.serialise import message_json

logger = logging.getLogger("emulator.outbound")

# Front's documented answer time for channel requests.
EVENT_TIMEOUT_SECONDS = 7.0
MAX_EVENT_ANSWER_BYTES = 64 * 1024
# What Front's security doc says GET and DELETE requests are signed over (the per-application setting).
UNDEFINED_BODY = b"undefined"


def signed_for_app(
    body: bytes, application: Application, now: float, over_undefined: bool = False
) -> tuple[dict[str, str], dict[str, Any]]:
    """The headers of a request to an app (JSON, signed with its App secret over `"<ms>:" + body`, or over
    `"<ms>:undefined"`), and what was signed, for the journals."""
    signed = UNDEFINED_BODY if over_undefined else body
    headers = {"content-type": "application/json"}
    headers.update(signature_headers(signed, application.secret, "sha256-timestamp", now=now))
    signature_input = {
        "scheme": "sha256-timestamp",
        "key": f"the App secret of application {application.uid}",
        "timestamp": headers["x-front-request-timestamp"],
        "signed": "'<timestamp>:undefined'"
        if over_undefined
        else "'<timestamp>:' followed by the request body, exactly as sent",
        "body_bytes": len(body),
    }
    return headers, signature_input


class AppEventSender:
    def __init__(
        self, store: Store, base_url: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.store = store
        self.base_url = base_url.rstrip("/")
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self._client = httpx.AsyncClient(transport=self._transport, follow_redirects=False, timeout=None)
        self._loop = asyncio.get_running_loop()
        self.store.listeners.append(self._on_change)

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            self.store.listeners.remove(self._on_change)
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=2.0)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def send(
        self,
        application: Application,
        url: str,
        event: dict[str, Any],
        channel_id: str | None,
        method: str = "POST",
        message_id: str | None = None,
        judge: Callable[[Any], str] | None = None,
    ) -> tuple[AppEvent, Any]:
        """POST (or DELETE) `event` to `url`, journalled; the event and the app's parsed JSON answer.

        A 2xx answer is accepted unless `judge`, given the parsed answer, names a problem with it."""
        assert self._client is not None, "the sender runs inside the app's lifespan"
        body = stringify_bytes(event)
        signed_over_undefined = method == "DELETE" and application.delete_signature == "undefined"
        now = self.store.clock.now()
        headers, signature_input = signed_for_app(body, application, now, signed_over_undefined)
        status: int | None = None
        answer_body = b""
        reason: str | None = None
        try:
            async with asyncio.timeout(EVENT_TIMEOUT_SECONDS):
                answer = await self._client.request(method, url, content=body, headers=headers)
            status = answer.status_code
            answer_body = answer.content[:MAX_EVENT_ANSWER_BYTES]
        except TimeoutError:
            reason = f"No answer from {url} within {EVENT_TIMEOUT_SECONDS:g} s."
        except httpx.HTTPError as error:
            reason = f"Could not reach {url}: {type(error).__name__}: {error or 'connection failed'}."
        document: Any = None
        if status is not None:
            with contextlib.suppress(orjson.JSONDecodeError):
                document = orjson.loads(answer_body) if answer_body.strip() else None
            if not 200 <= status < 300:
                reason = f"The app answered HTTP {status}: {answer_body[:200].decode('utf-8', 'replace')!r}."
            elif judge is not None:
                reason = judge(document) or None
        recorded = self.store.record_app_event(
            AppEvent(
                id=UNRECORDED,
                type=event["type"],
                application_uid=application.uid,
                channel_id=channel_id,
                method=method,
                url=url,
                request_headers=headers,
                request_body=body.decode("utf-8"),
                signature_input=signature_input,
                started_at=now,
                outcome="failed" if status is None else ("accepted" if reason is None else "refused"),
                reason=reason,
                answer_status=status,
                answer_body=answer_body.decode("utf-8", "replace") if status is not None else None,
                message_id=message_id,
            )
        )
        return recorded, document

    # -- message_imported --------------------------------------------------------------------------

    def _on_change(self, kind: str, ids: dict[str, str]) -> None:
        """Called synchronously by the store: a synced message was created, tell its app (soon)."""
        if kind != "message_created" or self._loop is None:
            return
        channel = self.store.channel(ids.get("channel_id", ""))
        if channel is None or channel.application is None or not channel.settings.message_imported_events:
            return
        # The message itself is read in the task: the store may be inside settle() now.
        self._loop.call_soon_threadsafe(self._spawn, ids["message_id"])

    def _spawn(self, message_id: str) -> None:
        task = asyncio.ensure_future(self._message_imported(message_id))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _message_imported(self, message_id: str) -> None:
        store = self.store
        message = store.message(message_id)
        # Teammates' messages (slice 5) go through the delivery engine instead, not as message_imported.
        if message is None or message.external is None or message.send_at is not None:
            return
        channel = store.channel(message.channel_id)
        application = store.application(channel.application) if channel and channel.application else None
        url = channel.settings.webhook_url if channel else None
        if application is None or url is None:
            return
        await self._send_after_sync(application, url, message, message_imported_event)
        if message.is_inbound and channel is not None and channel.settings.message_autoreply:
            await self._send_after_sync(application, url, message, autoreply_event)

    async def _send_after_sync(
        self,
        application: Application,
        url: str,
        message: Message,
        event_of: Callable[[dict[str, Any], str], dict[str, Any]],
    ) -> None:
        """One background event about a synced message (`message_imported`, `message_autoreply`)."""
        external = message.external
        assert external is not None
        event = event_of(message_json(self.base_url, message, self.store), external.external_conversation_id)
        try:
            await self.send(application, url, event, message.channel_id, message_id=message.id)
        except Exception:  # a background event must never take the emulator down
            logger.exception("%s for %s failed inside the emulator", event["type"], message.id)
