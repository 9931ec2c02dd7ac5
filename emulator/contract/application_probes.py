"""One event to an application channel's app and the verdict on its answer, judged as Front (and the
emulator) judge it: the authorization answer names a usable webhook URL, a message's success names both
external ids, the other events get a 2xx, and a forged request is refused.

Requests are signed by the emulator's own code (:func:`emulator.outbound.app_events.signed_for_app`, over
:mod:`emulator.signing`); answers are judged by the rules in :mod:`emulator.wire.app_events`.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from emulator.contract.probes import Exchange, Failure, Outcome, Prober
from emulator.contract.report import preview
from emulator.domain.workspace import Application, DeleteSignature
from emulator.outbound.app_events import signed_for_app
from emulator.wire.app_events import authorization_problem, missing_external_ids

__all__ = ["SCHEME", "ApplicationProber"]

# Everything Front sends an app is signed this way.
SCHEME = "sha256-timestamp"

# Why Front sends each event that only needs a 2xx, for the finding when the app refuses it.
_WHY_ACCEPT = {
    "message_autoreply": (
        "an auto-reply's payload has type auto_reply and no id, as Front documents: read payload.type "
        "before anything a teammate's message has"
    ),
    "message_imported": "Front sends it after each message the app synced is created ({} is enough)",
    "delete": "Front sends it (method DELETE) when an admin removes the channel",
}


class ApplicationProber(Prober):
    """Sends events to the app: ``authorization`` to its URL, then the others to the webhook URL it named."""

    secret_name = "App secret"

    def __init__(self, url: str, secret: str, timeout: float, delete_signature: DeleteSignature) -> None:
        super().__init__(url, secret, SCHEME, timeout)
        # The app under test as the emulator's signer sees one: only the secret and delete_signature count.
        self.application = Application("app-under-test", secret, "app under test", url, delete_signature)
        # From the authorization answer: the channel the app authorized and where its events go.
        self.channel_id: str | None = None
        self.webhook_url: str | None = None

    def _signed_send(self, body: bytes, method: str = "POST") -> Exchange:
        over_undefined = method == "DELETE" and self.application.delete_signature == "undefined"
        headers, _ = signed_for_app(body, self.application, time.time(), over_undefined)
        del headers["content-type"]
        return self.send(body, headers, method)

    def authorization(self, document: dict[str, Any], body: bytes) -> Outcome:
        exchange = self._signed_send(body)
        unanswered = self.unanswered(exchange)
        if unanswered is not None:
            return unanswered
        answer = _parsed(exchange.body)
        problem = authorization_problem(answer) if 200 <= (exchange.status or 0) < 300 else "it is not a 2xx"
        if problem:
            explanation = (
                f"answered HTTP {exchange.status} {preview(exchange.body)} to authorization, and {problem}: "
                "Front adds no channel. Answer 200 "
                '{"type": "success", "webhook_url": "<absolute http(s) URL for this channel\'s events>"}'
            )
            return Outcome(Failure("authorization_failed", explanation, exchange), _label(exchange, answer))
        self.channel_id = document["payload"]["channel_id"]
        self.webhook_url = answer["webhook_url"]
        return Outcome(None, "success")

    def judge(self, exchange: Exchange) -> Outcome:
        outcome = super().judge(exchange)
        if outcome.failure is not None or outcome.answer != "success":
            return outcome
        missing = missing_external_ids(_parsed(exchange.body))
        if not missing:
            return outcome
        explanation = (
            f"answered success without {' and '.join(missing)} ({preview(exchange.body)}): Front marks the "
            'message failed and can thread nothing later. Answer {"type": "success", "external_id": '
            '"<your message id>", "external_conversation_id": "<your thread id>"}'
        )
        return Outcome(Failure("success_without_external_ids", explanation, exchange), "success")

    def accepted(self, document: dict[str, Any], body: bytes) -> Outcome:
        """An event that only needs a 2xx in time (auto-reply, message_imported, delete)."""
        method = "DELETE" if document["type"] == "delete" else "POST"
        exchange = self._signed_send(body, method)
        unanswered = self.unanswered(exchange)
        if unanswered is not None:
            return unanswered
        label = _label(exchange, _parsed(exchange.body))
        if 200 <= (exchange.status or 0) < 300:
            return Outcome(None, label)
        explanation = (
            f"answered HTTP {exchange.status} {preview(exchange.body)} to a correctly signed "
            f"{document['type']} event; Front expects a 2xx: {_WHY_ACCEPT[document['type']]}"
        )
        return Outcome(Failure("event_not_accepted", explanation, exchange), label)


def _parsed(body: bytes) -> Any:
    try:
        return orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError:
        return None


def _label(exchange: Exchange, answer: Any) -> str:
    """How the report counts an answer: its Front type, else its status."""
    if isinstance(answer, dict) and isinstance(answer.get("type"), str):
        return str(answer["type"])
    return f"HTTP {exchange.status}"
