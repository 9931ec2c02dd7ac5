"""One request to the integration and the verdict on its answer: a correctly signed Message must get a
Front answer in time; a forged one must not be accepted."""

from __future__ import annotations

import http.client
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

import orjson

from emulator.contract.forgeries import FORGERIES
from emulator.contract.report import preview
from emulator.outbound.answers import ERROR_TYPES
from emulator.schemas import validator
from emulator.signing import signature_headers

__all__ = ["Exchange", "Failure", "Outcome", "Prober"]


@dataclass(frozen=True)
class Exchange:
    """One request and what came back (``status`` None: no answer, see ``transport_error``)."""

    headers: dict[str, str]
    status: int | None
    body: bytes
    seconds: float
    transport_error: str | None


@dataclass(frozen=True)
class Failure:
    kind: str
    explanation: str
    exchange: Exchange


@dataclass
class Outcome:
    failure: Failure | None
    # The answer's type ("success", an error type) or what stood for one ("timeout", "malformed", ...).
    answer: str
    note: str | None = None


class Prober:
    """Sends payloads to the integration over one connection pool and judges each answer."""

    # What the integration verifies signatures with, as findings name it.
    secret_name = "company API secret"

    def __init__(self, url: str, secret: str, scheme: str, timeout: float) -> None:
        self.url = url
        self.secret = secret
        self.scheme = scheme
        self.timeout = timeout
        # The smallest correctly signed payload sent and its exchange, to illustrate whole-run findings.
        self.smallest_signed: tuple[dict[str, Any], Exchange] | None = None
        self._smallest_size = 0
        self._connection = _KeptAlive(url, timeout)

    def close(self) -> None:
        self._connection.close()

    def retarget(self, url: str) -> None:
        """Send the next requests to ``url``: an app's authorization answer names where its events go."""
        self._connection.close()
        self.url = url
        self._connection = _KeptAlive(url, self.timeout)

    def send(self, body: bytes, signature: dict[str, str], method: str = "POST") -> Exchange:
        headers = {"content-type": "application/json", **signature}
        started = time.perf_counter()
        try:
            status, answer = self._connection.send(method, body, headers)
        except TimeoutError:
            return Exchange(signature, None, b"", time.perf_counter() - started, "timeout")
        except (OSError, http.client.HTTPException) as error:
            problem = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            return Exchange(signature, None, b"", time.perf_counter() - started, problem)
        return Exchange(signature, status, answer, time.perf_counter() - started, None)

    def unanswered(self, exchange: Exchange) -> Outcome | None:
        """The failure of an exchange that got no complete answer in time, else None."""
        if exchange.transport_error == "timeout" or exchange.seconds > self.timeout:
            explanation = (
                f"no complete answer within {self.timeout:g} s; Front gives up and marks the message failed "
                "to send (request_timeout): answer first, then do the slow work"
            )
            return Outcome(Failure("timeout", explanation, exchange), "timeout")
        if exchange.transport_error is not None:
            explanation = f"the request failed ({exchange.transport_error}); Front marks the message failed"
            return Outcome(Failure("unreachable", explanation, exchange), "unreachable")
        return None

    def signed(self, document: dict[str, Any], body: bytes) -> Outcome:
        """``body`` (``document`` serialised as Front does), correctly signed."""
        exchange = self.send(body, signature_headers(body, self.secret, self.scheme))
        if self.smallest_signed is None or len(body) < self._smallest_size:
            self.smallest_signed, self._smallest_size = (document, exchange), len(body)
        return self.judge(exchange)

    def judge(self, exchange: Exchange) -> Outcome:
        """The verdict on the answer to a correctly signed message."""
        unanswered = self.unanswered(exchange)
        if unanswered is not None:
            return unanswered
        assert exchange.status is not None
        answer, problem = read_answer(exchange)
        if problem is not None:
            return Outcome(Failure("malformed_answer", problem, exchange), "malformed")
        assert answer is not None
        if answer == "success" and not 200 <= exchange.status < 300:
            explanation = (
                f'answered {{"type": "success"}} with HTTP {exchange.status}; Front only counts a 2xx '
                "success as sent, so the teammate sees a failure"
            )
            return Outcome(Failure("success_with_error_status", explanation, exchange), answer)
        note = None
        if answer in ("authentication_required", "forbidden"):
            note = (
                f'answered "{answer}" to a correctly signed message: check the verification uses the raw '
                f"body and the {self.secret_name} ({self.scheme})"
            )
        return Outcome(None, answer, note)

    def forged(self, document: dict[str, Any], body: bytes, forgery: str) -> Outcome:
        """``body`` sent as the forgery named ``forgery`` (a key of FORGERIES) would send it."""
        sent_body, headers = FORGERIES[forgery].forge(document, body, self.secret, self.scheme)
        exchange = self.send(sent_body, headers)
        if exchange.status is None:
            return Outcome(None, "no answer", f"no answer to a forged request ({exchange.transport_error})")
        answer, problem = read_answer(exchange)
        if 200 <= exchange.status < 300 and answer not in ERROR_TYPES:
            explanation = (
                f"accepted a request {FORGERIES[forgery].description} (HTTP {exchange.status} "
                f"{preview(exchange.body)}): anyone who finds the URL can post as Front. Verify "
                f"X-Front-Signature ({scheme_rule(self.scheme)}) over the raw body and answer 401 "
                '{"type": "authentication_required"}'
            )
            return Outcome(Failure("accepted_forgery", explanation, exchange), answer or "malformed")
        note = None if problem is None else f"rejected, but not with a Front error answer: {problem}"
        return Outcome(None, answer or "malformed", note)


class _KeptAlive:
    """One kept-alive HTTP/1.1 connection to the integration, redirects not followed.

    http.client rather than httpx: the runner sends thousands of small POSTs one after the other, and
    httpx's layers cost about as much CPU per request as generating the payload's leaves.
    """

    def __init__(self, url: str, timeout: float) -> None:
        parts = urllib.parse.urlsplit(url)
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        # Every socket operation gets the contract's timeout.
        self._connection = kind(parts.hostname or "", parts.port, timeout=timeout)
        self._connected = False

    def send(self, method: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        reused = self._connected
        try:
            return self._exchange(method, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            # The integration closed the kept-alive connection while it was idle: once more on a fresh
            # one, as HTTP clients do for a reused connection.
            return self._exchange(method, body, headers)

    def _exchange(self, method: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            self._connection.request(method, self._path, body=body, headers=headers)
            self._connected = True
            response = self._connection.getresponse()
            answer = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, answer

    def close(self) -> None:
        self._connection.close()
        self._connected = False


def read_answer(exchange: Exchange) -> tuple[str | None, str | None]:
    """The answer's type, or why the answer is not one Front understands."""
    status = exchange.status
    if not exchange.body.strip():
        return None, (
            f'answered HTTP {status} with an empty body; Front expects {{"type": "success"}} or '
            '{"type": "<error type>", "message": "<reason>"}'
        )
    try:
        document = orjson.loads(exchange.body)
    except orjson.JSONDecodeError:
        return None, (
            f"answered HTTP {status} with a body that is not JSON: {preview(exchange.body)}; Front marks "
            "the message failed (internal_error) with no reason for the teammate: answer "
            '{"type": "internal_error", "message": "<reason>"}'
        )
    answers = validator("outgoing-answer")
    # The compiled check first: explaining runs the slower validator, only worth it for a bad answer.
    if not answers.is_valid(document):
        details = answers.details(document)
        return None, (
            f"answered HTTP {status} with JSON that is not a Front answer: {preview(exchange.body)} "
            f"({'; '.join(details)}); the type must be success or one of {', '.join(ERROR_TYPES)}"
        )
    return str(document["type"]), None


def scheme_rule(scheme: str) -> str:
    if scheme == "sha1-body":
        return "base64 HMAC-SHA1 of the body with the API secret"
    return "base64 HMAC-SHA256 of '<X-Front-Request-Timestamp>:' + body, timestamp under 5 minutes old"
