"""emulator.contract end to end: the runner tells a correct integration from a broken one, reproducibly,
with shrunk payloads, JUnit output and CLI exit codes. Unit tests of its parts are in tests/contract/."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from emulator.contract import run_outgoing_contract
from emulator.outbound.javascript_json import stringify_bytes
from emulator.schemas import validator
from tests.conftest import CHANNEL, LiveServer
from tests.examples.broken_integration import create_broken_integration
from tests.examples.livechat_bridge import create_bridge

SECRET = "contract-secret"


@pytest.fixture(scope="module")
def bridge_url():
    server = LiveServer(create_bridge("http://127.0.0.1:9", "token-unused", CHANNEL, SECRET))
    yield server.start() + "/front/outgoing"
    server.stop()


@pytest.fixture(scope="module")
def broken_url():
    server = LiveServer(create_broken_integration())
    yield server.start() + "/front/outgoing"
    server.stop()


@pytest.fixture(scope="module")
def broken_report(broken_url):
    return run_outgoing_contract(broken_url, SECRET, examples=20, seed=3, shrink_seconds=4)


# -- runner -------------------------------------------------------------------------------------------


def test_correct_integration_passes_both_schemes(bridge_url):
    report = run_outgoing_contract(bridge_url, SECRET, examples=15, seed=1)
    assert report.ok, report.format()
    assert [c.name for c in report.checks] == [
        "signed messages",
        "forged: wrong_secret",
        "forged: altered_body",
        "forged: missing_signature",
    ]
    assert "PASSED" in report.format()


def test_broken_integration_is_caught(broken_report):
    assert not broken_report.ok
    by_check = {v.check: v for v in broken_report.violations}
    assert by_check["signed messages"].kind == "malformed_answer"
    assert "not a Front answer" in by_check["signed messages"].explanation
    assert by_check["forged: wrong_secret"].kind == "accepted_forgery"
    assert by_check["forged: altered_body"].kind == "accepted_forgery"
    # Refused, but in its own format: a note, not a violation.
    missing = next(c for c in broken_report.checks if c.name == "forged: missing_signature")
    assert missing.ok and any("not with a Front error answer" in note for note in missing.notes)
    assert "FAILED: 3 violation(s)" in broken_report.format()


def test_shrinking_gives_a_small_payload(broken_report):
    violation = broken_report.violations[0]
    payload = violation.payload
    # The integration crashes on non-ASCII text; shrinking is bounded in time (4 s here), so how far it
    # gets depends on the machine: smaller than found, non-ASCII text kept, still a valid Message.
    assert not payload["text"].isascii()
    assert len(stringify_bytes(payload)) <= violation.found_bytes
    assert "shrunk from" in violation.format()
    validator("message").check(payload)


def test_same_seed_same_payloads(bridge_url):
    first = run_outgoing_contract(bridge_url, SECRET, examples=10, seed=7)
    again = run_outgoing_contract(bridge_url, SECRET, examples=10, seed=7)
    other = run_outgoing_contract(bridge_url, SECRET, examples=10, seed=8)
    assert first.payload_digest == again.payload_digest
    assert first.payload_digest != other.payload_digest


def test_an_integration_refusing_everything_is_flagged(bridge_url):
    report = run_outgoing_contract(bridge_url, "another-secret", examples=5, seed=1, forged_examples=1)
    assert [v.kind for v in report.violations] == ["rejects_genuine_requests"]


def test_junit_xml_parses(broken_report):
    suite = ElementTree.fromstring(broken_report.to_junit_xml()).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("4", "3")
    failures = [case.find("failure") for case in suite.findall("testcase")]
    assert [f is not None for f in failures] == [True, True, True, False]


def test_cli_exit_codes(bridge_url, broken_url, tmp_path):
    def run(*args):
        command = [str(Path(sys.executable).parent / "front-emulator"), "contract", "outgoing", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    junit = tmp_path / "report.xml"
    passed = run("--url", bridge_url, "--secret", SECRET, "--examples", "8", "--junit", str(junit))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "8/" in passed.stderr and "[####" in passed.stderr
    assert "PASSED" in passed.stdout
    ElementTree.parse(junit)
    failed = run(
        *("--url", broken_url, "--secret", SECRET, "--examples", "5", "--scheme", "sha256-timestamp"),
        *("--shrink-seconds", "0.5"),
    )
    assert failed.returncode == 1 and "accepted_forgery" in failed.stdout
    assert run("--url", "localhost:1", "--secret", SECRET).returncode == 2
    assert run("--url", bridge_url).returncode == 2
    assert run("--url", bridge_url, "--secret", SECRET, "--scheme", "md5").returncode == 2


def test_readme_quotes_the_example_files_verbatim():
    root = Path(__file__).resolve().parents[1]
    readme = (root / "docs/contract-testing.md").read_text("utf-8")
    bridge = (root / "tests/examples/livechat_bridge.py").read_text("utf-8")
    broken = (root / "tests/examples/broken_integration.py").read_text("utf-8")
    test = (root / "tests/examples/test_livechat_bridge.py").read_text("utf-8")
    excerpts = [
        bridge[bridge.index("def signature_is_valid") : bridge.index("def front_error")].rstrip(),
        broken[broken.index("async def outgoing") : broken.index("def create_broken_integration")].rstrip(),
        test[test.index("def test_the_bridge_passes") : test.index("def test_multi_channel_cannot")].rstrip(),
    ]
    for excerpt in excerpts:
        assert excerpt in readme, f"README.md no longer quotes:\n{excerpt[:200]}"
