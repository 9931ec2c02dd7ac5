"""The Hypothesis driver: runs one check as a ``@given`` test, so a failing payload is shrunk to a minimal
one, within a budget of requests and seconds, and the same seed sends the same payloads."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st

from emulator.contract.probes import Failure, Outcome
from emulator.contract.report import CheckResult, Violation
from emulator.outbound.javascript_json import stringify_bytes

__all__ = ["Driver", "Probe"]

# After a failure, shrinking may send this many more requests: against a hanging integration each one
# costs the whole timeout.
SHRINK_REQUESTS = 150

# (the Message, its body as Front serialises it) -> the verdict on the integration's answer
Probe = Callable[[dict[str, Any], bytes], Outcome]


class _Falsified(Exception):
    """Raised inside the Hypothesis test so that Hypothesis shrinks the payload that caused it."""

    def __init__(self, failure: Failure, document: dict[str, Any]) -> None:
        super().__init__(failure.explanation)
        self.failure = failure
        self.document = document


@dataclass
class _Shrinking:
    """Where shrinking stands once the first failure is found."""

    found_bytes: int = 0
    started: float = 0.0

    @property
    def begun(self) -> bool:
        return self.started > 0


@dataclass
class Driver:
    seed: int
    shrink_seconds: float
    progress: Callable[[int, int], None] | None
    total: int
    done: int = 0
    # SHA-256 over every payload sent, in order: equal for two runs that sent the same payloads.
    digest: Any = field(default_factory=hashlib.sha256)

    def check(
        self,
        name: str,
        description: str,
        strategy: st.SearchStrategy[dict[str, Any]],
        examples: int,
        probe: Probe,
    ) -> CheckResult:
        result = CheckResult(name=name, description=description)
        # Results by payload: Hypothesis replays the minimal example at the end, and shrinking revisits
        # payloads; the cache keeps both from sending twice and from seeing a flaky integration as a bug.
        seen: dict[bytes, Outcome] = {}
        shrinking = _Shrinking()
        started = time.perf_counter()
        progress_start = self.done

        def budget_spent() -> bool:
            return (
                result.requests - result.examples >= SHRINK_REQUESTS
                or time.perf_counter() - shrinking.started >= self.shrink_seconds
            )

        @seed(self.seed)
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            derandomize=False,
            # No time to shrink: the first failing payload is the one reported.
            phases=(Phase.generate, Phase.shrink) if self.shrink_seconds > 0 else (Phase.generate,),
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
                if shrinking.begun and budget_spent():
                    # An unseen payload counts as passing, so the smallest failure already seen is the
                    # one reported, and Hypothesis runs out of shrinks that could succeed.
                    return
                outcome = probe(document, body)
                seen[body] = outcome
                self.digest.update(body)
                result.requests += 1
                if not shrinking.begun:
                    self._count(result, outcome)
                    if outcome.failure is not None:
                        shrinking.found_bytes, shrinking.started = len(body), time.perf_counter()
            if outcome.failure is not None:
                raise _Falsified(outcome.failure, document)

        try:
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
                # Nothing was shrunk when there was no time to.
                found_bytes=shrinking.found_bytes if self.shrink_seconds > 0 else 0,
            )
        # The check may end early (first failure): the progress bar still reaches its share.
        self.done = progress_start + examples
        self._advance(0)
        result.seconds = time.perf_counter() - started
        return result

    def _count(self, result: CheckResult, outcome: Outcome) -> None:
        result.examples += 1
        result.answers[outcome.answer] += 1
        if outcome.note and outcome.note not in result.notes:
            result.notes.append(outcome.note)
        self._advance()

    def _advance(self, step: int = 1) -> None:
        self.done += step
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)
