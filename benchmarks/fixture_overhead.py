"""Overhead of the pytest fixtures: setup + teardown per test, median over many generated tests.

Runs pytest in a subprocess on a generated file of N trivial tests per fixture (`front_emulator`,
`front_server`, and none as the baseline), reads each test's setup and teardown durations from pytest's
own reports, and prints medians. Target: `front_emulator` <= 5 ms median.

    .venv/bin/python benchmarks/fixture_overhead.py [--tests 1000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from _common import project

CONFTEST = """
import json

durations = {}


def pytest_runtest_logreport(report):
    if report.when in ("setup", "teardown"):
        durations.setdefault(report.nodeid, 0.0)
        durations[report.nodeid] += report.duration


def pytest_sessionfinish(session):
    with open("durations.json", "w") as out:
        json.dump(durations, out)
"""

TESTS = """
import pytest


@pytest.mark.parametrize("n", range({count}))
def test_front_emulator(front_emulator, n):
    assert front_emulator.url


@pytest.mark.parametrize("n", range({count}))
def test_front_server(front_server, n):
    assert front_server.url


@pytest.mark.parametrize("n", range({count}))
def test_baseline(n):
    assert n >= 0
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000, help="tests per fixture")
    args = parser.parse_args()
    with project({"conftest.py": CONFTEST, "test_overhead.py": TESTS.format(count=args.tests)}) as folder:
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_overhead.py"],
            cwd=folder,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        durations: dict[str, float] = json.loads((folder / "durations.json").read_text())
    medians = {}
    for name in ("front_emulator", "front_server", "baseline"):
        # The first test of each kind builds the app or starts the server: report it apart.
        values = [seconds * 1000 for node, seconds in durations.items() if f"test_{name}[" in node]
        medians[name] = (statistics.median(values[1:]), values[0])
    baseline = medians["baseline"][0]
    for name in ("front_emulator", "front_server"):
        median, first = medians[name]
        print(
            f"fixture {name}: setup+teardown median {median:.2f} ms over {args.tests - 1} tests "
            f"({median - baseline:.2f} ms above a test without fixtures; first test {first:.0f} ms)"
            + (" (target <= 5 ms)" if name == "front_emulator" else "")
        )


if __name__ == "__main__":
    main()
