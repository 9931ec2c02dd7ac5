"""emulator.contract.report: the text report and the JUnit XML say the same thing about the checks."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections import Counter

from emulator.contract.report import CheckResult, ContractReport, Violation, preview


def a_report() -> ContractReport:
    violation = Violation(
        check="forged: wrong_secret",
        kind="accepted_forgery",
        explanation="accepted a request signed with a secret other than the API secret",
        payload={"id": "msg_1", "text": "é"},
        request_headers={"x-front-signature": "AAAA"},
        answer_status=200,
        answer_body='{"type": "success"}',
        found_bytes=120,
    )
    report = ContractReport(url="http://127.0.0.1:9/front", scheme="sha1-body", seed=3, examples=2, timeout=7)
    report.checks = [
        CheckResult("signed messages", "correctly signed", 2, 2, answers=Counter(success=2)),
        CheckResult("forged: wrong_secret", "rejects", examples=1, requests=4, violation=violation),
    ]
    return report


def test_format_summarises_each_check_then_each_violation():
    text = a_report().format()
    lines = text.splitlines()
    assert lines[0] == (
        "Outgoing contract of http://127.0.0.1:9/front (sha1-body, seed 3, 2 examples, timeout 7 s)"
    )
    assert lines[1] == "  ok   signed messages: correctly signed -- 2 sent (success 2)"
    assert lines[2] == "  FAIL forged: wrong_secret: rejects -- 1 sent"
    assert "Violation 1 of 1" in text
    assert "[forged: wrong_secret] accepted_forgery: accepted a request signed" in text
    assert "request headers: x-front-signature: AAAA" in text
    assert "shrunk from 120" in text and '"text": "é"' in text
    assert lines[-1].startswith("FAILED: 1 violation(s) -- 6 requests in ")
    assert lines[-1].endswith("reproduce with --seed 3 --examples 2")


def test_junit_has_one_case_per_check_and_a_failure_per_violation():
    report = a_report()
    suite = ElementTree.fromstring(report.to_junit_xml()).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = suite.findall("testcase")
    assert [case.find("failure") is not None for case in cases] == [False, True]
    failure = cases[1].find("failure")
    assert failure is not None and failure.get("type") == "accepted_forgery"
    assert failure.text == report.violations[0].format()


def test_ok_and_violations_follow_the_checks():
    report = a_report()
    assert not report.ok and [v.kind for v in report.violations] == ["accepted_forgery"]
    report.checks[1].violation = None
    assert report.ok and report.violations == []
    assert report.format().splitlines()[-1].startswith("PASSED -- 6 requests")


def test_preview_cuts_long_answers():
    assert preview(b"short") == "'short'"
    assert preview("x" * 400) == repr("x" * 300 + "…")
