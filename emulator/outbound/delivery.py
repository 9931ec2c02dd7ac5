"""The delivery engine: after the undo window, POST each outbound message to its channel's Outgoing URL.

Deliveries run as background tasks with a concurrency bound per channel, so a slow, hanging or dead
integration holds only its own channel's slots and never the API or other channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from typing import Any

import httpx

from emulator.domain.deliveries import Delivery
from emulator.domain.messages import Message
from emulator.domain.store import Store
from emulator.outbound.answers import interpret_answer
from emulator.outbound.javascript_json import stringify_bytes
from emulator.schemas import SchemaViolation, validator
from emulator.signing import signature_headers
from emulator.wire.serialise import message_json

logger = logging.getLogger("emulator.outbound")

PER_CHANNEL_CONCURRENCY = 8
MAX_DELIVERY_ANSWER_BYTES = 1024 * 1024
SHUTDOWN_GRACE_SECONDS = 2.0
# Failures the integration stated on purpose are final; anything else may be retried.
_FINAL_ERROR_TYPES = frozenset({"bad_request", "authentication_required", "forbidden", "not_found"})


class DeliveryEngine:
    def __init__(
        self,
        store: Store,
        base_url: str,
        validate_payloads: bool,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        # Where the emulator is reachable: `_links` in the payloads point here.
        self.base_url = base_url.rstrip("/")
        self.validate_payloads = validate_payloads
        # Emulator bugs found while delivering (an outgoing payload that breaks schemas/); tests assert none.
        self.bugs: list[str] = []
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._channel_slots: dict[str, asyncio.Semaphore] = {}

    async def start(self) -> None:
        self._wake = asyncio.Event()
        # No httpx timeout (its default 5 s would cut the channel's outgoing_timeout short: asyncio.timeout
        # in _attempt governs) and no shared pool cap (it would let hanging channels starve the others:
        # PER_CHANNEL_CONCURRENCY is the bound).
        self._client = httpx.AsyncClient(
            transport=self._transport,
            follow_redirects=False,
            timeout=None,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=20),
        )
        self._loop_task = asyncio.create_task(self._run(), name="front-emulator deliveries")

    async def stop(self) -> None:
        """Let in-flight deliveries finish for a moment, then cancel them and mark their messages failed."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self._in_flight:
            _, still_running = await asyncio.wait(self._in_flight, timeout=SHUTDOWN_GRACE_SECONDS)
            for task in still_running:
                task.cancel()
            await asyncio.gather(*still_running, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def wake(self) -> None:
        """Something changed (a new reply, a cancel, time advanced): look for due messages now."""
        self._wake.set()

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def _run(self) -> None:
        while True:
            for message in self.store.due_outbound():
                self._spawn(self.deliver(message))
            next_at = self.store.next_send_at()
            timeout = None if next_at is None else max(0.0, next_at - self.store.clock.now())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()

    def _spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        self._in_flight.add(task)
        task.add_done_callback(self._forget)
        return task

    def _forget(self, task: asyncio.Task[Any]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("delivery failed inside the emulator", exc_info=task.exception())

    async def redeliver(self, delivery: Delivery) -> Delivery:
        """Send the message of `delivery` again, freshly signed, and wait for the outcome."""
        message = self.store.message(delivery.message_id)
        assert message is not None, "a journalled delivery always names a stored message"
        message.delivery_status = "sending"
        return await self._spawn(self.deliver(message, redelivery_of=delivery.id))

    async def deliver(self, message: Message, redelivery_of: str | None = None) -> Delivery:
        """Every attempt is journalled; the message ends sent or failed, never in between."""
        channel = self.store.channel(message.channel_id)
        assert channel is not None, "channels are never removed"
        slots = self._channel_slots.setdefault(channel.id, asyncio.Semaphore(PER_CHANNEL_CONCURRENCY))
        delivery: Delivery | None = None
        try:
            async with slots:
                for attempt in range(1, channel.settings.retries + 2):
                    delivery = await self._attempt(message, attempt, redelivery_of)
                    self.store.record_delivery(delivery)
                    if delivery.outcome == "sent" or delivery.error_type in _FINAL_ERROR_TYPES:
                        break
                    if attempt <= channel.settings.retries:
                        await asyncio.sleep(min(0.2 * 2 ** (attempt - 1), 5.0))
        except asyncio.CancelledError:
            self.store.finish_delivery(
                message, "internal_error", "The emulator shut down before the integration answered."
            )
            raise
        except SchemaViolation as violation:
            # Never leave a message "sending": fail it, and let the violation surface (bugs, logs, tests).
            self.store.finish_delivery(
                message,
                "internal_error",
                f"The emulator built an invalid payload, a front-emulator bug: {violation}.",
            )
            raise
        assert delivery is not None
        self.store.finish_delivery(message, delivery.error_type, delivery.reason)
        return delivery

    def outgoing_payload(self, message: Message) -> bytes:
        payload = message_json(self.base_url, message, self.store)
        if self.validate_payloads or not validator("message").is_valid(payload):
            try:
                validator("message").check(payload)
            except SchemaViolation as violation:
                self.bugs.append(f"outgoing payload of {message.id} breaks schemas/: {violation}")
                raise
        return stringify_bytes(payload)

    async def _attempt(self, message: Message, attempt: int, redelivery_of: str | None) -> Delivery:
        store = self.store
        channel = store.channel(message.channel_id)
        assert channel is not None and self._client is not None
        settings = channel.settings
        url = settings.webhook_url or ""
        body = self.outgoing_payload(message)
        secret = store.workspace.api_secret
        headers = {"content-type": "application/json"}
        headers.update(signature_headers(body, secret, settings.signing_scheme, now=store.clock.now()))
        signature_input = {
            "scheme": settings.signing_scheme,
            "key": "the company API secret (GET /_emulator/workspace: api_secret)",
            "timestamp": headers.get("x-front-request-timestamp"),
            "signed": (
                "the request body, exactly as sent"
                if settings.signing_scheme == "sha1-body"
                else "'<timestamp>:' followed by the request body, exactly as sent"
            ),
            "body_bytes": len(body),
        }
        started_at = store.clock.now()
        started = time.perf_counter()
        status: int | None = None
        answer_headers: dict[str, str] | None = None
        answer_body = b""
        conforms: bool | None = None
        try:
            async with asyncio.timeout(settings.outgoing_timeout):
                async with self._client.stream("POST", url, content=body, headers=headers) as answer:
                    status = answer.status_code
                    answer_headers = dict(answer.headers)
                    async for chunk in answer.aiter_bytes():
                        answer_body += chunk
                        if len(answer_body) > MAX_DELIVERY_ANSWER_BYTES:
                            answer_body = answer_body[:MAX_DELIVERY_ANSWER_BYTES]
                            break
        except TimeoutError:
            error_type, reason = (
                "request_timeout",
                f"No answer from {url} within {settings.outgoing_timeout:g} s.",
            )
        except httpx.HTTPError as error:
            error_type, reason = "internal_error", _transport_failure(url, error)
        else:
            assert status is not None
            verdict = interpret_answer(status, answer_body)
            error_type, reason, conforms = verdict.error_type, verdict.reason, verdict.conforms
        return Delivery(
            id=store.ids.new_id("dlv"),
            message_id=message.id,
            channel_id=channel.id,
            conversation_id=message.conversation_id,
            attempt=attempt,
            url=url,
            request_headers=headers,
            request_body=body.decode("utf-8"),
            signature_input=signature_input,
            started_at=started_at,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            outcome="failed" if error_type else "sent",
            error_type=error_type,
            reason=reason,
            answer_status=status,
            answer_headers=answer_headers,
            answer_body=answer_body.decode("utf-8", "replace") if status is not None else None,
            answer_conforms=conforms,
            redelivery_of=redelivery_of,
        )


def _transport_failure(url: str, error: httpx.HTTPError) -> str:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return f"TLS error talking to {url}: {cause}."
        if isinstance(cause, ConnectionRefusedError):
            return f"Could not connect to {url}: connection refused."
        cause = cause.__cause__ or cause.__context__
    if isinstance(error, httpx.ConnectError):
        return f"Could not connect to {url}: {error or 'connection failed'}."
    if isinstance(error, httpx.RemoteProtocolError):
        return f"The integration at {url} broke the HTTP exchange: {error}."
    return f"Delivery to {url} failed: {type(error).__name__}: {error}."
