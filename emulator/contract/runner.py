"""Contract runner for an integration's Outgoing endpoint: what Front will send it, and what it must answer.

:func:`run_outgoing_contract` plays Front against a running integration:

1. **Signed messages.** It POSTs ``examples`` generated Messages (:func:`~emulator.contract.strategies.
   outgoing_messages`: replies and new messages, Unicode, attachments, long bodies), serialised byte for
   byte as Front serialises them and correctly signed, and checks every answer is ``{"type": "success"}``
   with a 2xx status or one of Front's error answers (schemas/outgoing-answer.json), within the timeout.
2. **Forged requests.** For each way a request can be forged (wrong secret, body altered after signing,
   no signature; with ``sha256-timestamp`` also a stale, an altered and a missing timestamp) it POSTs a
   few messages and reports every one the integration accepted: a 2xx answer that is not a Front error.

The jobs live in their own modules: :mod:`~emulator.contract.report` (what was found, as text or JUnit),
:mod:`~emulator.contract.driver` (Hypothesis), :mod:`~emulator.contract.probes` (one request and its
verdict) and :mod:`~emulator.contract.forgeries` (the table of forgeries); this one runs the checks.

Generation runs through Hypothesis (``@given`` with a fixed ``seed`` and no example database), so the same
seed sends the same payloads, and a failure is shrunk to a minimal payload before it is reported.
Hypothesis stops at the first failure of each check: fix it and run again to look for the next one.

>>> report = run_outgoing_contract("http://127.0.0.1:9000/front", "my-api-secret")  # doctest: +SKIP
>>> print(report.format())  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from emulator.contract.driver import Driver
from emulator.contract.forgeries import FORGERIES, forgeries_for
from emulator.contract.probes import Exchange, Prober
from emulator.contract.report import CheckResult, ContractReport, Violation
from emulator.contract.strategies import DEFAULT_BASE_URL, DEFAULT_CHANNEL_ADDRESS, outgoing_messages
from emulator.signing import SCHEMES

__all__ = [
    "SIGNED_CHECK",
    "assert_outgoing_contract",
    "check_budget",
    "flag_refusing_everything",
    "passed",
    "per_check",
    "run_outgoing_contract",
]

SIGNED_CHECK = "signed messages"


def run_outgoing_contract(
    url: str,
    secret: str,
    scheme: str = "sha1-body",
    examples: int = 100,
    seed: int = 0,
    timeout: float = 7.0,
    *,
    forged_examples: int | None = None,
    links_base: str = DEFAULT_BASE_URL,
    channel_address: str = DEFAULT_CHANNEL_ADDRESS,
    progress: Callable[[int, int], None] | None = None,
    shrink_seconds: float = 5.0,
) -> ContractReport:
    """Check the integration at ``url`` against Front's outgoing contract; never raises for violations.

    ``forged_examples`` is per kind of forgery (default: a tenth of ``examples``, at least 2 and at most
    10). ``links_base`` and ``channel_address`` shape the payloads as the emulator (or Front) would fill
    them. ``progress(done, total)`` is called after each generated example. Shrinking a failure stops
    after ``shrink_seconds`` (per check) with the smallest failing payload found by then.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown signing scheme {scheme!r}; known schemes: {', '.join(SCHEMES)}")
    check_budget(examples, timeout)
    per_forgery = per_check(examples, forged_examples)
    forgeries = forgeries_for(scheme)
    driver = Driver(seed, shrink_seconds, progress, total=examples + per_forgery * len(forgeries))
    prober = Prober(url, secret, scheme, timeout)
    strategy = outgoing_messages(base_url=links_base, channel_address=channel_address)
    report = ContractReport(url=url, scheme=scheme, seed=seed, examples=examples, timeout=timeout)
    started = time.perf_counter()
    try:
        report.checks.append(
            driver.check(
                SIGNED_CHECK,
                "correctly signed Messages get a Front answer in time",
                strategy,
                examples,
                prober.signed,
            )
        )
        flag_refusing_everything(report.checks[0], prober.smallest_signed)
        for name in forgeries:
            report.checks.append(
                driver.check(
                    f"forged: {name}",
                    f"rejects a request {FORGERIES[name].description}",
                    strategy,
                    per_forgery,
                    partial(prober.forged, forgery=name),
                )
            )
    finally:
        prober.close()
    report.seconds = time.perf_counter() - started
    report.payload_digest = driver.digest.hexdigest()
    return report


def check_budget(examples: int, timeout: float) -> None:
    if examples < 1:
        raise ValueError("examples must be at least 1")
    if timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")


def per_check(examples: int, chosen: int | None) -> int:
    """Examples for a secondary check (a kind of forgery, an event): a tenth of ``examples``, at least 2
    and at most 10, unless ``chosen``."""
    return chosen if chosen is not None else max(2, min(10, examples // 10))


def flag_refusing_everything(check: CheckResult, smallest: tuple[dict[str, Any], Exchange] | None) -> None:
    """An integration that refuses every genuine request passes the forgery checks trivially: flag it."""
    refusals = check.answers["authentication_required"] + check.answers["forbidden"]
    if check.violation is None and smallest is not None and check.examples and refusals == check.examples:
        document, exchange = smallest
        check.violation = Violation(
            check=check.name,
            kind="rejects_genuine_requests",
            explanation=(
                f"refused every one of {check.examples} correctly signed messages as unauthenticated: the "
                "signature check rejects what Front really sends (wrong secret or scheme, or it verifies "
                "something other than the raw body)"
            ),
            payload=document,
            request_headers=exchange.headers,
            answer_status=exchange.status,
            answer_body=exchange.body.decode("utf-8", "replace"),
        )


def assert_outgoing_contract(url: str, secret: str, **options: Any) -> ContractReport:
    """:func:`run_outgoing_contract` for a pytest test: raises AssertionError with the formatted report.

    >>> assert_outgoing_contract(bridge_url, secret, examples=25)  # doctest: +SKIP
    """
    return passed(run_outgoing_contract(url, secret, **options))


def passed(report: ContractReport) -> ContractReport:
    """``report`` when every check passed; else an AssertionError with the report, for pytest to show."""
    if not report.ok:
        raise AssertionError("\n" + report.format())
    return report
