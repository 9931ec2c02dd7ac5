"""Schemathesis with Front's own OpenAPI files over every operation the emulator implements.

Loads spec/front-core-api.extract.json and spec/front-channel-api.extract.json, keeps the operations the
app serves (matched against the routes of create_app, so the list follows the app), seeds a few
conversations through the API, and sends Schemathesis' generated requests (valid ones, and invalid ones
for the server-error check) to the app in-process. Each answer gets Schemathesis' checks: no server
error, a documented status, a documented content type, a body valid against Front's response schema.
Differences Front's files and the emulator are known to have are data (spec/known-differences.json,
each with its reason); everything else found is a violation.

    python scripts/front_spec_conformance.py                 # the figures for the closing note
    python scripts/front_spec_conformance.py --examples 50   # more examples per operation

It exits 1 when it finds a server error, an undocumented violation, or a known difference no longer seen.
tests/api/test_front_spec_conformance.py runs the same with a few examples per operation.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

# Run as a script, the runner beside this file is importable; loaded by the tests, they put it there.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from front_spec_runner import Report, known_differences, run


def print_report(report: Report) -> None:
    for spec, labels in report.implemented.items():
        missing = len(report.not_implemented[spec])
        print(f"{spec}: {len(labels)} operations covered, {missing} not implemented")
    print("\nnot implemented (in Front's spec, not served by the emulator):")
    for spec, labels in report.not_implemented.items():
        for label in labels:
            print(f"  {spec:7} {label}")
    print("\nserved by the emulator, not in Front's spec:")
    for label in report.outside_the_spec:
        print(f"  {label}")
    print(f"\nexamples run: {sum(report.examples.values())} ({len(report.examples)} operations)")
    if report.unsendable:
        print(f"  (not sent, httpx cannot build them: {dict(report.unsendable)})")
    print(f"  {'operation':76} {'examples':>8}  statuses")
    for label, count in sorted(report.examples.items()):
        statuses = ", ".join(f"{status} x{n}" for status, n in sorted(report.statuses[label].items()))
        print(f"  {label:76} {count:>8}  {statuses}")
    print("\nrefusals (4xx; Front's spec is silent on why), the most frequent of each operation:")
    for label, refusals in sorted(report.refusals.items()):
        for refusal, count in refusals.most_common(3):
            print(f"  {label}: x{count} {refusal[:140]}")
    scope_findings = [finding for finding in report.findings if finding.check == "required_scopes"]
    print(f"\nscope checks (each token against x-required-scopes): {report.scope_checks}")
    print(f"scope mismatches: {len(scope_findings)}")
    print(f"\nserver errors: {sum(finding.count for finding in report.server_errors)}")
    by_operation = Counter()
    for finding in report.violations:
        if finding.check == "required_scopes":
            continue
        by_operation[finding.operation] += finding.count
    print(f"schema violations: {sum(by_operation.values())}")
    for label, count in sorted(by_operation.items()):
        print(f"  {label}: {count}")
    for finding in report.findings:
        print(f"\n{finding.operation} [{finding.check}] at {finding.where} x{finding.count}")
        print(f"  {finding.message}")
    differences = known_differences()
    print(f"\nknown differences (spec/known-differences.json): {len(differences)}")
    print(f"known differences no longer seen: {len(report.stale)}")
    for difference in differences:
        stale = " (NO LONGER SEEN)" if difference in report.stale else ""
        print(f"  {difference['schema']}.{difference['property']}: {difference['change']}{stale}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=25, help="valid examples per operation (default: 25)")
    parser.add_argument(
        "--invalid-examples", type=int, default=10, help="invalid examples per operation (default: 10)"
    )
    arguments = parser.parse_args(argv)
    report = run(arguments.examples, arguments.invalid_examples)
    print_report(report)
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
