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
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from emulator.domain.deliveries import MAX_JOURNALLED_DELIVERY_ANSWER_BYTES, UNRECORDED, Delivery
from emulator.domain.messages import Message
from emulator.domain.outbox import Send
from emulator.domain.rules import Refusal
from emulator.domain.store import Store
from emulator.domain.workspace import Channel
from emulator.outbound.answers import interpret_answer
from emulator.outbound.app_events import signed_for_app
from emulator.outbound.application_answers import application_verdict, external_ids_of, message_event_of
from emulator.outbound.javascript_json import stringify_bytes
from emulator.schemas import SchemaViolation, validator
from emulator.signing import signature_headers
from emulator.wire.errors import FrontError
from emulator.wire.serialise import message_json

logger = logging.getLogger("emulator.outbound")

PER_CHANNEL_CONCURRENCY = 8
# The most of an integration's answer that is read and interpreted (the journal keeps less of it).
MAX_DELIVERY_ANSWER_BYTES = 1024 * 1024
# On shutdown, deliveries in flight get this long to finish before they are recorded as interrupted.
SHUTDOWN_GRACE_SECONDS = 0.5
SHUTDOWN_REASON = "The emulator shut down before the integration answered."


class DeliveryEngine:
    """Runs the store's due delivery attempts; every outcome is written back through the store."""

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
        # Set by `stop`: an attempt cancelled from then on is journalled as interrupted by the shutdown.
        self._stopping = False

    async def start(self) -> None:
        self._stopping = False
        self._wake = asyncio.Event()
        # No httpx timeout (its default 5 s would cut the channel's outgoing_timeout short: asyncio.timeout
        # in _post governs) and no shared pool cap (it would let hanging channels starve the others:
        # PER_CHANNEL_CONCURRENCY is the bound).
        self._client = httpx.AsyncClient(
            transport=self._transport,
            follow_redirects=False,
            timeout=None,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=20),
        )
        self._loop_task = asyncio.create_task(self._run(), name="front-emulator deliveries")

    async def stop(self) -> None:
        """Let in-flight deliveries finish for a moment, then cancel them: each is journalled as a failed
        attempt saying the emulator shut down, and its message fails with that reason."""
        self._stopping = True
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
        """Something changed (a new reply, a cancel, time advanced): look for due attempts now."""
        self._wake.set()

    @property
    def in_flight(self) -> int:
        """Attempt tasks running, including those of a state a reset has since replaced."""
        return len(self._in_flight)

    async def _run(self) -> None:
        store = self.store
        while True:
            generation = store.generation
            for send in store.outbox.due_sends():
                self._spawn(self._deliver(send, generation))
            next_at = store.outbox.next_at()
            # A frozen clock moves only through the control plane, which wakes this loop.
            frozen = getattr(store.clock, "mode", "real") == "frozen"
            timeout = None if next_at is None or frozen else max(0.0, next_at - store.clock.now())
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
        """One fresh attempt at the message of `delivery`, freshly signed; its outcome, once journalled.
        Retries, if any, follow on the clock like a first send's."""
        generation = self.store.generation
        send = self.store.outbox.redeliver(delivery)
        task = self._spawn(self._deliver(send, generation))
        try:
            result: Delivery | None = await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.cancelled():
                raise
            # The attempt was cancelled before it could POST anything (the emulator is shutting down).
            raise FrontError(503, SHUTDOWN_REASON) from None
        if result is None:
            raise Refusal("conflict", "The emulator was reset while redelivering: the attempt was dropped")
        return result

    async def _deliver(self, send: Send, generation: int) -> Delivery | None:
        """One attempt, journalled through the store, which also plans the retry or ends the message."""
        store = self.store
        message = send.message
        channel = store.channel(message.channel_id)
        if channel is None:
            store.outbox.abandon(generation, send, f"Channel {message.channel_id} no longer exists.")
            return None
        slots = self._channel_slots.setdefault(channel.id, asyncio.Semaphore(PER_CHANNEL_CONCURRENCY))
        try:
            async with slots:
                try:
                    request = self._request(message, channel)
                except SchemaViolation as violation:
                    store.outbox.abandon(
                        generation,
                        send,
                        f"The emulator built an invalid payload, a front-emulator bug: {violation}.",
                    )
                    raise
                except Exception as error:  # whatever fails, the message must not stay sending
                    logger.exception("could not build the outgoing request of %s", message.id)
                    store.outbox.abandon(
                        generation, send, f"The emulator could not build the request: {type(error).__name__}."
                    )
                    return None
                attempt, retryable = await self._post(send, channel, request)
        except asyncio.CancelledError:
            store.outbox.abandon(generation, send, SHUTDOWN_REASON)
            raise
        if channel.is_application and attempt.outcome == "sent" and generation == store.generation:
            # The app's ids: later syncs and status updates find the message by them.
            ids = external_ids_of(attempt.answer_body)
            if ids is not None:
                store.keep_external_ids(message, ids)
        delivery = store.outbox.record(
            generation, send, attempt, channel.settings.retries if retryable else 0
        )
        # A retry may now be planned: the loop recomputes when to look next.
        self.wake()
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

    def _request(self, message: Message, channel: Channel) -> _Request:
        if channel.is_application:
            return self._application_request(message, channel)
        settings = channel.settings
        body = self.outgoing_payload(message)
        now = self.store.clock.now()
        headers = {"content-type": "application/json"}
        secret = self.store.workspace.api_secret
        headers.update(signature_headers(body, secret, settings.signing_scheme, now=now))
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
        return _Request(settings.webhook_url or "", body, headers, signature_input)

    def _application_request(self, message: Message, channel: Channel) -> _Request:
        """A `message` event to the app, signed with its App secret over `"<ms>:" + body`."""
        application = self.store.application(channel.application or "")
        if application is None:
            raise ValueError(f"channel {channel.id} names no known application")
        payload = orjson.loads(self.outgoing_payload(message))
        body = stringify_bytes(message_event_of(payload, message, self.store))
        headers, signature_input = signed_for_app(body, application, self.store.clock.now())
        return _Request(channel.settings.webhook_url or "", body, headers, signature_input)

    async def _post(self, send: Send, channel: Channel, request: _Request) -> tuple[Delivery, bool]:
        """The attempt as a journal entry (its id is given when it is recorded) and whether a failure may
        be retried. Whatever goes wrong becomes a failed attempt with a reason, never an exception."""
        assert self._client is not None
        settings = channel.settings
        url = request.url
        started_at = self.store.clock.now()
        started = time.perf_counter()
        status: int | None = None
        answer_headers: dict[str, str] | None = None
        answer_body = bytearray()
        conforms: bool | None = None
        error_type: str | None
        reason: str | None
        retryable = True
        try:
            async with asyncio.timeout(settings.outgoing_timeout):
                async with self._client.stream(
                    "POST", url, content=request.body, headers=request.headers
                ) as answer:
                    status = answer.status_code
                    answer_headers = dict(answer.headers)
                    async for chunk in answer.aiter_bytes():
                        answer_body += chunk
                        if len(answer_body) > MAX_DELIVERY_ANSWER_BYTES:
                            del answer_body[MAX_DELIVERY_ANSWER_BYTES:]
                            break
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # Cancelled by `stop`: journalled as an interrupted attempt, never retried.
            error_type, reason, retryable = "internal_error", SHUTDOWN_REASON, False
        except TimeoutError:
            error_type, reason = (
                "request_timeout",
                f"No answer from {url} within {settings.outgoing_timeout:g} s.",
            )
        except httpx.HTTPError as error:
            error_type, reason = "internal_error", _transport_failure(url, error)
        except httpx.InvalidURL as error:
            # The same URL would fail the same way: no retry.
            error_type, reason = "internal_error", f"The Outgoing URL {url!r} is invalid: {error}."
            retryable = False
        except Exception as error:  # the message must end failed, not stay sending
            logger.exception("delivery to %s failed inside the emulator", url)
            error_type = "internal_error"
            reason = f"Delivery to {url} failed inside the emulator: {type(error).__name__}: {error}."
            status = None
        else:
            answered = bytes(answer_body)
            verdict = interpret_answer(status, answered)
            if channel.is_application:
                verdict = application_verdict(verdict, answered)
            error_type, reason, conforms = verdict.error_type, verdict.reason, verdict.conforms
        message = send.message
        # The journal keeps the beginning of a large answer; the verdict above read up to 1 MiB of it.
        kept_answer = bytes(answer_body[:MAX_JOURNALLED_DELIVERY_ANSWER_BYTES])
        attempt = Delivery(
            id=UNRECORDED,
            message_id=message.id,
            channel_id=channel.id,
            conversation_id=message.conversation_id,
            attempt=send.attempt,
            url=url,
            request_headers=request.headers,
            request_body=request.body.decode("utf-8"),
            signature_input=request.signature_input,
            started_at=started_at,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            outcome="failed" if error_type else "sent",
            error_type=error_type,
            reason=reason,
            answer_status=status,
            answer_headers=answer_headers,
            answer_body=kept_answer.decode("utf-8", "replace") if status is not None else None,
            answer_truncated=len(answer_body) > len(kept_answer),
            answer_conforms=conforms,
            redelivery_of=send.redelivery_of,
        )
        return attempt, retryable


@dataclass(frozen=True, slots=True)
class _Request:
    url: str
    body: bytes
    headers: dict[str, str]
    signature_input: dict[str, Any]


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
