"""What a contract run found: one result per check, the violations with their minimal payloads, and the
report's two outputs, text for humans and JUnit XML for CI."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from emulator.outbound.javascript_json import stringify, stringify_bytes

__all__ = ["CheckResult", "ContractReport", "Violation", "preview"]

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
            else f"HTTP {self.answer_status} {preview(self.answer_body or '')}"
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
    # Which contract: "outgoing" (a custom channel's Outgoing URL) or "application" (an app's webhook).
    kind: str = "outgoing"
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
            f"{self.kind.capitalize()} contract of {self.url} ({self.scheme}, seed {self.seed}, "
            f"{self.examples} examples, timeout {self.timeout:g} s)"
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
            name=f"front-emulator contract {self.kind}",
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
                classname=f"front_emulator.contract.{self.kind}",
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


def preview(text: bytes | str) -> str:
    """A quoted excerpt of an answer, short enough for one line of the report."""
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return repr(value if len(value) <= _PREVIEW else value[:_PREVIEW] + "…")
