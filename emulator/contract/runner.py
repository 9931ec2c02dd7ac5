"""Contract runner for an integration's Outgoing endpoint: what Front will send it, and what it must answer.

:func:`run_outgoing_contract` plays Front against a running integration:

1. **Signed messages.** It POSTs ``examples`` generated Messages (:func:`~emulator.contract.strategies.
   outgoing_messages`: replies and new messages, Unicode, attachments, long bodies), serialised byte for
   byte as Front serialises them and correctly signed, and checks every answer is ``{"type": "success"}``
   with a 2xx status or one of Front's error answers (schemas/outgoing-answer.json), within the timeout.
2. **Forged requests.** For each way a request can be forged (wrong secret, body altered after signing,
   no signature; with ``sha256-timestamp`` also a stale, an altered and a missing timestamp) it POSTs a
   few messages and reports every one the integration accepted: a 2xx answer that is not a Front error.

Generation runs through Hypothesis (``@given`` with a fixed ``seed`` and no example database), so the same
seed sends the same payloads, and a failure is shrunk to a minimal payload before it is reported.
Hypothesis stops at the first failure of each check: fix it and run again to look for the next one.

>>> report = run_outgoing_contract("http://127.0.0.1:9000/front", "my-api-secret")  # doctest: +SKIP
>>> print(report.format())  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import engine as hypothesis_engine

from emulator.contract.strategies import DEFAULT_BASE_URL, DEFAULT_CHANNEL_ADDRESS, outgoing_messages
from emulator.outbound.answers import ERROR_TYPES
from emulator.outbound.javascript_json import stringify, stringify_bytes
from emulator.schemas import validator
from emulator.signing import SCHEMES, signature_headers

__all__ = [
    "FORGERIES",
    "CheckResult",
    "ContractReport",
    "Violation",
    "assert_outgoing_contract",
    "run_outgoing_contract",
]

# name -> (schemes it applies to, what was done to the request)
FORGERIES: dict[str, tuple[tuple[str, ...], str]] = {
    "wrong_secret": (SCHEMES, "signed with a secret other than the API secret"),
    "altered_body": (SCHEMES, "body changed after it was signed"),
    "missing_signature": (SCHEMES, "no X-Front-Signature header"),
    "stale_timestamp": (("sha256-timestamp",), "correctly signed, but 10 minutes ago"),
    "altered_timestamp": (("sha256-timestamp",), "X-Front-Request-Timestamp changed after signing"),
    "missing_timestamp": (("sha256-timestamp",), "no X-Front-Request-Timestamp header"),
}
SIGNED_CHECK = "signed messages"
# Well past the 5-minute tolerance Front's security guide asks receivers to enforce.
_STALE_SECONDS = 600
# After a failure, shrinking may send this many more requests: against a hanging integration each one
# costs the whole timeout.
_SHRINK_REQUESTS = 150
_PREVIEW = 300


@dataclass(frozen=True)
class Violation:
    """One broken rule, with the smallest payload Hypothesis found that still breaks it."""

    check: str
    kind: str
    explanation: str
    payload: dict[str, Any]
    request_headers: dict[str, str]
    answer_status: int | None
    answer_body: str | None
    # Size of the first failing payload found, before shrinking (0 when not shrunk).
    found_bytes: int = 0

    def format(self) -> str:
        # One line per top-level field: readable, and short for the minimal payloads reported here.
        fields = [f"{stringify(key)}: {stringify(value)}" for key, value in self.payload.items()]
        answer = (
            "no answer"
            if self.answer_status is None
            else f"HTTP {self.answer_status} {_preview(self.answer_body or '')}"
        )
        headers = ", ".join(f"{name}: {value}" for name, value in sorted(self.request_headers.items()))
        return (
            f"[{self.check}] {self.kind}: {self.explanation}\n"
            f"  request headers: {headers or '(none)'}\n"
            f"  answer: {answer}\n"
            f"  minimal payload ({len(stringify_bytes(self.payload))} bytes"
            + (f", shrunk from {self.found_bytes}" if self.found_bytes else "")
            + "):\n"
            + "\n".join("    " + line for line in fields)
        )


@dataclass
class CheckResult:
    """One check: the signed messages, or one kind of forgery."""

    name: str
    description: str
    # Generated payloads sent before the check ended (all of them, or up to the first failure).
    examples: int = 0
    # Every request, shrinking included.
    requests: int = 0
    answers: Counter[str] = field(default_factory=Counter)
    violation: Violation | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.violation is None


@dataclass
class ContractReport:
    url: str
    scheme: str
    seed: int
    examples: int
    timeout: float
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    # SHA-256 over every payload sent, in order: equal for two runs that sent the same payloads.
    payload_digest: str = ""

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def violations(self) -> list[Violation]:
        return [check.violation for check in self.checks if check.violation is not None]

    @property
    def requests(self) -> int:
        return sum(check.requests for check in self.checks)

    def format(self) -> str:
        """The report for humans: a summary line per check, then each violation with its payload."""
        lines = [
            f"Outgoing contract of {self.url} ({self.scheme}, seed {self.seed}, {self.examples} examples, "
            f"timeout {self.timeout:g} s)"
        ]
        for check in self.checks:
            mark = "ok  " if check.ok else "FAIL"
            answers = ", ".join(f"{kind} {count}" for kind, count in sorted(check.answers.items()))
            lines.append(
                f"  {mark} {check.name}: {check.description} -- {check.examples} sent"
                + (f" ({answers})" if answers else "")
            )
            lines += [f"       note: {note}" for note in check.notes]
        lines.append("")
        violations = self.violations
        for number, violation in enumerate(violations, 1):
            lines.append(f"Violation {number} of {len(violations)}")
            lines.append(violation.format())
            lines.append("")
        verdict = "PASSED" if self.ok else f"FAILED: {len(violations)} violation(s)"
        lines.append(
            f"{verdict} -- {self.requests} requests in {self.seconds:.1f} s; "
            f"reproduce with --seed {self.seed} --examples {self.examples}"
        )
        return "\n".join(lines)

    def to_junit_xml(self) -> str:
        """One JUnit test case per check, for CI systems that read JUnit XML."""
        suite = ElementTree.Element(
            "testsuite",
            name="front-emulator contract outgoing",
            tests=str(len(self.checks)),
            failures=str(len(self.violations)),
            errors="0",
            time=f"{self.seconds:.3f}",
        )
        properties = ElementTree.SubElement(suite, "properties")
        for name, value in (("url", self.url), ("scheme", self.scheme), ("seed", str(self.seed))):
            ElementTree.SubElement(properties, "property", name=name, value=value)
        for check in self.checks:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname="front_emulator.contract.outgoing",
                name=f"{check.name}: {check.description}",
                time=f"{check.seconds:.3f}",
            )
            if check.violation is not None:
                failure = ElementTree.SubElement(
                    case, "failure", message=check.violation.explanation, type=check.violation.kind
                )
                failure.text = check.violation.format()
        root = ElementTree.Element("testsuites")
        root.append(suite)
        return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)


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
    if examples < 1:
        raise ValueError("examples must be at least 1")
    if timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")
    per_forgery = forged_examples if forged_examples is not None else max(2, min(10, examples // 10))
    forgeries = [name for name, (schemes, _) in FORGERIES.items() if scheme in schemes]
    total = examples + per_forgery * len(forgeries)
    runner = _Runner(url, secret, scheme, seed, timeout, progress, total, shrink_seconds)
    strategy = outgoing_messages(base_url=links_base, channel_address=channel_address)
    report = ContractReport(url=url, scheme=scheme, seed=seed, examples=examples, timeout=timeout)
    started = time.perf_counter()
    try:
        report.checks.append(
            runner.check(
                SIGNED_CHECK,
                "correctly signed Messages get a Front answer in time",
                strategy,
                examples,
                runner.signed,
            )
        )
        _check_genuine_accepted(report.checks[0], runner.smallest_signed)
        for name in forgeries:
            report.checks.append(
                runner.check(
                    f"forged: {name}",
                    f"rejects a request {FORGERIES[name][1]}",
                    strategy,
                    per_forgery,
                    lambda document, name=name: runner.forged(document, name),
                )
            )
    finally:
        runner.close()
    report.seconds = time.perf_counter() - started
    report.payload_digest = runner.digest.hexdigest()
    return report


def _check_genuine_accepted(check: CheckResult, smallest: tuple[dict[str, Any], _Exchange] | None) -> None:
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
    report = run_outgoing_contract(url, secret, **options)
    if not report.ok:
        raise AssertionError("\n" + report.format())
    return report


# -- internals ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Exchange:
    headers: dict[str, str]
    status: int | None
    body: bytes
    seconds: float
    transport_error: str | None


@dataclass(frozen=True)
class _Failure:
    kind: str
    explanation: str
    exchange: _Exchange


class _Falsified(Exception):
    """Raised inside the Hypothesis test so that Hypothesis shrinks the payload that caused it."""

    def __init__(self, failure: _Failure, document: dict[str, Any]) -> None:
        super().__init__(failure.explanation)
        self.failure = failure
        self.document = document


@dataclass
class _Outcome:
    failure: _Failure | None
    answer: str
    note: str | None = None


class _Runner:
    def __init__(
        self,
        url: str,
        secret: str,
        scheme: str,
        seed: int,
        timeout: float,
        progress: Callable[[int, int], None] | None,
        total: int,
        shrink_seconds: float,
    ) -> None:
        self.url = url
        self.secret = secret
        self.scheme = scheme
        self.seed = seed
        self.timeout = timeout
        self.progress = progress
        self.total = total
        self.shrink_seconds = shrink_seconds
        # The smallest correctly signed payload sent and its exchange, to illustrate whole-run findings.
        self.smallest_signed: tuple[dict[str, Any], _Exchange] | None = None
        self._smallest_size = 0
        self.done = 0
        self.digest = hashlib.sha256()
        # One connection pool for the whole run; every limit is the contract's timeout.
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def check(
        self,
        name: str,
        description: str,
        strategy: st.SearchStrategy[dict[str, Any]],
        examples: int,
        probe: Callable[[dict[str, Any]], _Outcome],
    ) -> CheckResult:
        result = CheckResult(name=name, description=description)
        # Results by payload: Hypothesis replays the minimal example at the end, and shrinking revisits
        # payloads; the cache keeps both from sending twice and from seeing a flaky integration as a bug.
        seen: dict[bytes, _Outcome] = {}
        first_failure: list[int] = []
        started = time.perf_counter()
        progress_start = self.done

        @seed(self.seed)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            derandomize=False,
            phases=(Phase.generate, Phase.shrink),
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
            print_blob=False,
        )
        @given(strategy)
        def contract(document: dict[str, Any]) -> None:
            body = stringify_bytes(document)
            outcome = seen.get(body)
            if outcome is None:
                if first_failure and result.requests - result.examples >= _SHRINK_REQUESTS:
                    # Shrinking budget spent: an unseen payload counts as passing, so the smallest
                    # failure already seen is the one reported.
                    return
                outcome = probe(document)
                seen[body] = outcome
                self.digest.update(body)
                result.requests += 1
                if not first_failure:
                    result.examples += 1
                    result.answers[outcome.answer] += 1
                    if outcome.note and outcome.note not in result.notes:
                        result.notes.append(outcome.note)
                    self._advance()
                if outcome.failure is not None and not first_failure:
                    first_failure.append(len(body))
            if outcome.failure is not None:
                raise _Falsified(outcome.failure, document)

        try:
            with _shrinking_limited_to(self.shrink_seconds):
                contract()
        except _Falsified as falsified:
            exchange = falsified.failure.exchange
            result.violation = Violation(
                check=name,
                kind=falsified.failure.kind,
                explanation=falsified.failure.explanation,
                payload=falsified.document,
                request_headers=exchange.headers,
                answer_status=exchange.status,
                answer_body=None if exchange.status is None else exchange.body.decode("utf-8", "replace"),
                found_bytes=int(first_failure[0]) if first_failure else 0,
            )
        # The check may end early (first failure): the progress bar still reaches its share.
        self.done = progress_start + examples
        self._advance(0)
        result.seconds = time.perf_counter() - started
        return result

    def _advance(self, step: int = 1) -> None:
        self.done += step
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)

    def post(self, body: bytes, signature: dict[str, str]) -> _Exchange:
        headers = {"content-type": "application/json", **signature}
        started = time.perf_counter()
        try:
            answer = self.client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return _Exchange(signature, None, b"", time.perf_counter() - started, "timeout")
        except httpx.HTTPError as error:
            problem = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            return _Exchange(signature, None, b"", time.perf_counter() - started, problem)
        return _Exchange(signature, answer.status_code, answer.content, time.perf_counter() - started, None)

    # -- the two kinds of probes ---------------------------------------------------------------------

    def signed(self, document: dict[str, Any]) -> _Outcome:
        body = stringify_bytes(document)
        exchange = self.post(body, signature_headers(body, self.secret, self.scheme))
        if self.smallest_signed is None or len(body) < self._smallest_size:
            self.smallest_signed, self._smallest_size = (document, exchange), len(body)
        if exchange.transport_error == "timeout" or exchange.seconds > self.timeout:
            return _Outcome(
                _Failure(
                    "timeout",
                    f"no complete answer within {self.timeout:g} s; Front gives up and marks the message "
                    "failed to send (request_timeout): answer first, then do the slow work",
                    exchange,
                ),
                "timeout",
            )
        if exchange.transport_error is not None:
            return _Outcome(
                _Failure(
                    "unreachable",
                    f"the request failed ({exchange.transport_error}); Front marks the message failed",
                    exchange,
                ),
                "unreachable",
            )
        assert exchange.status is not None
        answer, problem = _read_answer(exchange)
        if problem is not None:
            return _Outcome(_Failure("malformed_answer", problem, exchange), "malformed")
        if answer == "success" and not 200 <= exchange.status < 300:
            return _Outcome(
                _Failure(
                    "success_with_error_status",
                    f'answered {{"type": "success"}} with HTTP {exchange.status}; Front only counts a 2xx '
                    "success as sent, so the teammate sees a failure",
                    exchange,
                ),
                answer,
            )
        note = None
        if answer in ("authentication_required", "forbidden"):
            note = (
                f'answered "{answer}" to a correctly signed message: check the verification uses the raw '
                f"body and the company API secret ({self.scheme})"
            )
        return _Outcome(None, answer, note)

    def forged(self, document: dict[str, Any], forgery: str) -> _Outcome:
        body = stringify_bytes(document)
        sent_body = body
        if forgery == "wrong_secret":
            headers = signature_headers(body, self.secret + "-not-the-secret", self.scheme)
        elif forgery == "altered_body":
            headers = signature_headers(body, self.secret, self.scheme)
            altered = dict(document, text=document["text"] + " PS: wire 500 EUR to me")
            sent_body = stringify_bytes(altered)
        elif forgery == "missing_signature":
            headers = signature_headers(body, self.secret, self.scheme)
            del headers["x-front-signature"]
        elif forgery == "stale_timestamp":
            headers = signature_headers(body, self.secret, self.scheme, now=time.time() - _STALE_SECONDS)
        elif forgery == "altered_timestamp":
            headers = signature_headers(body, self.secret, self.scheme, now=time.time() - 1)
            headers["x-front-request-timestamp"] = str(int(headers["x-front-request-timestamp"]) + 1000)
        elif forgery == "missing_timestamp":
            headers = signature_headers(body, self.secret, self.scheme)
            del headers["x-front-request-timestamp"]
        else:  # pragma: no cover - FORGERIES and this chain are kept in step
            raise ValueError(f"unknown forgery {forgery!r}")
        exchange = self.post(sent_body, headers)
        if exchange.status is None:
            return _Outcome(None, "no answer", f"no answer to a forged request ({exchange.transport_error})")
        answer, problem = _read_answer(exchange)
        if 200 <= exchange.status < 300 and answer not in ERROR_TYPES:
            what = FORGERIES[forgery][1]
            return _Outcome(
                _Failure(
                    "accepted_forgery",
                    f"accepted a request {what} (HTTP {exchange.status} {_preview(exchange.body)}): anyone "
                    "who finds the URL can post as Front. Verify X-Front-Signature "
                    f"({_scheme_rule(self.scheme)}) over the raw body and answer 401 "
                    '{"type": "authentication_required"}',
                    exchange,
                ),
                answer or "malformed",
            )
        note = None
        if problem is not None:
            note = f"rejected, but not with a Front error answer: {problem}"
        return _Outcome(None, answer or "malformed", note)


_shrink_lock = threading.Lock()


@contextlib.contextmanager
def _shrinking_limited_to(seconds: float) -> Iterator[None]:
    """Bound Hypothesis' shrinking time, which it otherwise lets run for five minutes.

    Each shrink step regenerates a whole Message (~15 ms) and may POST it, so an unbounded shrink of a
    large payload takes minutes. Hypothesis has no setting for this; its engine reads the module constant
    MAX_SHRINKING_SECONDS when shrinking starts, and stops cleanly with the best example so far once it
    passes. Private, hence the fallback: without the constant, shrinking is merely unbounded in time.
    """
    if not hasattr(hypothesis_engine, "MAX_SHRINKING_SECONDS"):
        yield
        return
    with _shrink_lock:
        saved = hypothesis_engine.MAX_SHRINKING_SECONDS
        hypothesis_engine.MAX_SHRINKING_SECONDS = seconds  # type: ignore[assignment]
        try:
            yield
        finally:
            hypothesis_engine.MAX_SHRINKING_SECONDS = saved


def _read_answer(exchange: _Exchange) -> tuple[str | None, str | None]:
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
            f"answered HTTP {status} with a body that is not JSON: {_preview(exchange.body)}; Front marks "
            "the message failed (internal_error) with no reason for the teammate: answer "
            '{"type": "internal_error", "message": "<reason>"}'
        )
    details = validator("outgoing-answer").details(document)
    if details:
        return None, (
            f"answered HTTP {status} with JSON that is not a Front answer: {_preview(exchange.body)} "
            f"({'; '.join(details)}); the type must be success or one of {', '.join(ERROR_TYPES)}"
        )
    return str(document["type"]), None


def _scheme_rule(scheme: str) -> str:
    if scheme == "sha1-body":
        return "base64 HMAC-SHA1 of the body with the API secret"
    return "base64 HMAC-SHA256 of '<X-Front-Request-Timestamp>:' + body, timestamp under 5 minutes old"


def _preview(text: bytes | str) -> str:
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return repr(value if len(value) <= _PREVIEW else value[:_PREVIEW] + "…")
