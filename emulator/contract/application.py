"""Contract runner for the app of an application channel: what Front will send its webhook, and what it
must answer.

:func:`run_application_contract` plays Front against a running app, in the order Front would:

1. **authorization** to ``url``: the app must answer ``{"type": "success", "webhook_url": URL}`` with an
   absolute http(s) URL. Every later event goes to that URL, as in Front (to ``url`` itself, with a note,
   when the authorization failed, so the rest of the app is still checked).
2. **message events**: ``examples`` teammates' messages (the Messages of the outgoing runner in Front's
   ``message`` event), each answered within the timeout by a success naming ``external_id`` and
   ``external_conversation_id``, or one of Front's error answers.
3. **auto-replies** (payload ``type: auto_reply``, no ``id``) and **message_imported** events: a 2xx.
4. **forged requests** (every forgery of ``sha256-timestamp``: wrong secret, body altered after signing,
   no signature, stale, altered or missing timestamp), as message events: each refused.
5. **delete** of the authorized channel (method DELETE): a 2xx.

The report, its JUnit XML, seeds and shrinking are the outgoing runner's (:mod:`~emulator.contract.runner`).

>>> report = run_application_contract("http://127.0.0.1:9000/front/app", "my-app-secret")  # doctest: +SKIP
>>> print(report.format())  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from hypothesis import strategies as st

from emulator.contract.application_probes import SCHEME, ApplicationProber
from emulator.contract.application_strategies import (
    authorization_events,
    autoreply_events,
    imported_events,
    message_events,
)
from emulator.contract.driver import Driver, Probe
from emulator.contract.forgeries import FORGERIES, forgeries_for
from emulator.contract.report import CheckResult, ContractReport
from emulator.contract.runner import check_budget, flag_refusing_everything, passed, per_check
from emulator.contract.strategies import DEFAULT_BASE_URL, DEFAULT_CHANNEL_ADDRESS
from emulator.domain.workspace import DeleteSignature
from emulator.wire.app_events import delete_event

__all__ = ["assert_application_contract", "run_application_contract"]

# The channel named in delete when the app authorized none (its authorization check failed).
_UNAUTHORIZED_CHANNEL = "cha_0"


def run_application_contract(
    url: str,
    secret: str,
    examples: int = 100,
    seed: int = 0,
    timeout: float = 7.0,
    *,
    event_examples: int | None = None,
    forged_examples: int | None = None,
    delete_signature: DeleteSignature = "body",
    links_base: str = DEFAULT_BASE_URL,
    channel_address: str = DEFAULT_CHANNEL_ADDRESS,
    progress: Callable[[int, int], None] | None = None,
    shrink_seconds: float = 5.0,
) -> ContractReport:
    """Check the app whose authorization webhook is ``url`` (App secret ``secret``) against Front's
    application-channel contract; never raises for violations.

    ``event_examples`` is per kind of auto-reply and message_imported event, ``forged_examples`` per kind
    of forgery (default for both: a tenth of ``examples``, at least 2 and at most 10). ``delete_signature``
    is what the app verifies a DELETE over, as the emulator's per-application setting says: its body or
    the string ``undefined``. The other options are :func:`~emulator.contract.runner.run_outgoing_contract`'s.
    """
    check_budget(examples, timeout)
    if delete_signature not in ("body", "undefined"):
        raise ValueError(f"delete_signature must be 'body' or 'undefined', not {delete_signature!r}")
    per_event, per_forgery = per_check(examples, event_examples), per_check(examples, forged_examples)
    forgeries = forgeries_for(SCHEME)
    total = 1 + examples + 2 * per_event + per_forgery * len(forgeries) + 1
    driver = Driver(seed, shrink_seconds, progress, total=total)
    prober = ApplicationProber(url, secret, timeout, delete_signature)
    shape = {"base_url": links_base, "channel_address": channel_address}
    messages = message_events(**shape)
    report = ContractReport(
        url=url, scheme=SCHEME, seed=seed, examples=examples, timeout=timeout, kind="application"
    )
    started = time.perf_counter()

    def check(
        name: str, description: str, events: st.SearchStrategy[dict[str, Any]], count: int, probe: Probe
    ) -> CheckResult:
        result = driver.check(name, description, events, count, probe)
        report.checks.append(result)
        return result

    try:
        authorization = check(
            "authorization",
            "answers authorization with a usable webhook_url",
            authorization_events(),
            1,
            prober.authorization,
        )
        if prober.webhook_url is not None:
            prober.retarget(prober.webhook_url)
        else:
            authorization.notes.append(f"no webhook_url to send the later events to: they went to {url}")
        signed = check(
            "message events",
            "answers a teammate's message with both external ids, or a Front error, in time",
            messages,
            examples,
            prober.signed,
        )
        flag_refusing_everything(signed, prober.smallest_signed)
        check(
            "auto-replies",
            "accepts message_autoreply (payload type auto_reply, no id)",
            autoreply_events(**shape),
            per_event,
            prober.accepted,
        )
        check("imported", "accepts message_imported", imported_events(**shape), per_event, prober.accepted)
        for name in forgeries:
            check(
                f"forged: {name}",
                f"rejects a request {FORGERIES[name].description}",
                messages,
                per_forgery,
                partial(prober.forged, forgery=name),
            )
        channel_id = prober.channel_id or _UNAUTHORIZED_CHANNEL
        check(
            "delete", "accepts delete of its channel", st.just(delete_event(channel_id)), 1, prober.accepted
        )
    finally:
        prober.close()
    report.seconds = time.perf_counter() - started
    report.payload_digest = driver.digest.hexdigest()
    return report


def assert_application_contract(url: str, secret: str, **options: Any) -> ContractReport:
    """:func:`run_application_contract` for a pytest test: raises AssertionError with the formatted report.

    >>> assert_application_contract(app_url + "/front", app_secret, examples=25)  # doctest: +SKIP
    """
    return passed(run_application_contract(url, secret, **options))
