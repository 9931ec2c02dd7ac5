"""`front-emulator contract application` end to end: the example partner app passes (CLI in a subprocess,
and the pytest one-liner through pytester); each broken variant fails with the finding that names its
mistake. One server on loopback serves every app under its own path."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from emulator.cli import main
from emulator.contract import run_application_contract
from emulator.harness import LiveServer
from tests.examples import broken_partner_apps as broken
from tests.examples.partner_app import PartnerApp

SECRET = "application-contract-secret"
# Small runs: every broken app fails its check on the first example or two; shrinking is not the point here.
SMALL = {"examples": 2, "event_examples": 1, "forged_examples": 1, "shrink_seconds": 0, "seed": 5}
VARIANTS: dict[str, type[PartnerApp]] = {
    "partner": PartnerApp,
    "no_webhook_url": broken.AuthorizesWithoutWebhookUrl,
    "no_external_ids": broken.SucceedsWithoutExternalIds,
    "crashes_on_autoreply": broken.CrashesOnAutoreply,
    "accepts_any_signature": broken.AcceptsAnySignature,
    "answers_late": broken.AnswersLate,
}


@pytest.fixture(scope="module")
def apps() -> Iterator[dict[str, PartnerApp]]:
    """Each variant's app, served at /<variant>/front (its authorization URL)."""
    built = {name: kind("http://127.0.0.1:9", "app-uid-unused", SECRET) for name, kind in VARIANTS.items()}
    server = LiveServer(Starlette(routes=[Mount(f"/{name}", app.asgi()) for name, app in built.items()]))
    base = server.start()
    for name, app in built.items():
        app.public_url = f"{base}/{name}"
    yield built
    late = built["answers_late"]
    assert isinstance(late, broken.AnswersLate)
    late.released.set()
    server.stop()


def authorization_url(apps: dict[str, PartnerApp], name: str) -> str:
    return f"{apps[name].public_url}/front"


def violations_by_check(apps: dict[str, PartnerApp], name: str, **options: object) -> dict[str, str]:
    report = run_application_contract(authorization_url(apps, name), SECRET, **{**SMALL, **options})  # type: ignore[arg-type]
    assert report.kind == "application" and report.format().startswith("Application contract of")
    return {v.check: f"{v.kind}: {v.explanation}" for v in report.violations}


# -- the example app passes -----------------------------------------------------------------------------


def test_the_partner_app_passes_through_the_cli(apps: dict[str, PartnerApp], tmp_path: Path) -> None:
    junit = tmp_path / "application.xml"
    command = [str(Path(sys.executable).parent / "front-emulator"), "contract", "application"]
    command += ["--url", authorization_url(apps, "partner"), "--secret", SECRET, "--examples", "8"]
    passed = subprocess.run([*command, "--junit", str(junit)], capture_output=True, text=True, timeout=120)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "PASSED" in passed.stdout and "[####" in passed.stderr
    lines = passed.stdout.splitlines()
    assert (
        lines[0].startswith("Application contract of") and "(sha256-timestamp, seed 0, 8 examples" in lines[0]
    )
    assert "ok   message events:" in passed.stdout and "(success 8)" in passed.stdout
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "front-emulator contract application",
        "11",
        "0",
    )
    # The app was told about its channel, then that it was deleted.
    assert [event["type"] for event in apps["partner"].events][:1] == ["authorization"]
    assert apps["partner"].events[-1]["type"] == "delete"


# Quoted in docs/contract-testing.md; `app_url` is the user's fixture starting their app.
ONE_LINER = """
from emulator.contract import assert_application_contract


def test_my_app_passes_the_application_contract(app_url):
    assert_application_contract(app_url + "/front", "application-contract-secret", examples=3)
"""


def test_the_pytest_one_liner_passes_the_app_and_fails_a_broken_one(
    apps: dict[str, PartnerApp], pytester: pytest.Pytester
) -> None:
    urls = [apps["partner"].public_url, apps["no_external_ids"].public_url]
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.fixture(params={urls!r}, ids=["partner", "no_external_ids"])
        def app_url(request):
            return request.param
        """
    )
    pytester.makepyfile(ONE_LINER)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*[[]message events[]] success_without_external_ids: answered success without*",
            "FAILED *test_my_app_passes_the_application_contract[[]no_external_ids[]]*",
        ]
    )


def test_same_seed_same_events(apps: dict[str, PartnerApp]) -> None:
    url = authorization_url(apps, "partner")
    options = {"examples": 3, "event_examples": 1, "forged_examples": 1}
    first, again = (run_application_contract(url, SECRET, seed=11, **options) for _ in range(2))
    other = run_application_contract(url, SECRET, seed=12, **options)
    assert first.ok and first.payload_digest == again.payload_digest != other.payload_digest


# -- each broken app fails, and the finding names its mistake -------------------------------------------


def test_authorization_without_webhook_url(apps: dict[str, PartnerApp]) -> None:
    found = violations_by_check(apps, "no_webhook_url")
    assert found["authorization"].startswith("authorization_failed:")
    assert "its success answer has no webhook_url" in found["authorization"]


def test_success_without_external_ids(apps: dict[str, PartnerApp]) -> None:
    found = violations_by_check(apps, "no_external_ids")
    assert list(found) == ["message events"]
    assert found["message events"].startswith(
        "success_without_external_ids: answered success without external_id and external_conversation_id"
    )


def test_crash_on_an_autoreply_without_id(apps: dict[str, PartnerApp]) -> None:
    found = violations_by_check(apps, "crashes_on_autoreply")
    assert list(found) == ["auto-replies"]
    assert found["auto-replies"].startswith("event_not_accepted: answered HTTP 500 'Internal Server Error'")
    assert "type auto_reply and no id" in found["auto-replies"]


def test_accepting_forged_signatures(apps: dict[str, PartnerApp]) -> None:
    found = violations_by_check(apps, "accepts_any_signature")
    # It refuses only a request without a signature.
    forged = ["wrong_secret", "altered_body", "stale_timestamp", "altered_timestamp", "missing_timestamp"]
    assert list(found) == [f"forged: {name}" for name in forged]
    assert all(finding.startswith("accepted_forgery: accepted a request") for finding in found.values())
    assert "10 minutes ago" in found["forged: stale_timestamp"]


def test_answering_after_the_timeout(apps: dict[str, PartnerApp]) -> None:
    # The app never answers a message event in time; a short timeout keeps the test quick.
    found = violations_by_check(apps, "answers_late", timeout=0.5)
    assert found["message events"].startswith("timeout: no complete answer within 0.5 s")


def test_exit_codes_are_the_outgoing_runners(
    apps: dict[str, PartnerApp], capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [
        "contract",
        "application",
        "--url",
        authorization_url(apps, "no_external_ids"),
        "--secret",
        SECRET,
    ]
    assert main([*arguments, "--examples", "1", "--shrink-seconds", "0"]) == 1
    assert "success_without_external_ids" in capsys.readouterr().out
    assert main(["contract", "application", "--url", "localhost:1", "--secret", SECRET]) == 2
    assert main([*arguments, "--timeout", "0"]) == 2
    with pytest.raises(SystemExit) as usage:
        main([*arguments, "--delete-signature", "md5"])
    assert usage.value.code == 2


def test_delete_is_signed_as_the_app_says(apps: dict[str, PartnerApp]) -> None:
    # The partner app verifies a DELETE over its body: signed over `undefined`, it refuses it.
    report = run_application_contract(
        authorization_url(apps, "partner"),
        SECRET,
        **{**SMALL, "delete_signature": "undefined"},  # type: ignore[arg-type]
    )
    (violation,) = report.violations
    assert (violation.check, violation.kind, violation.answer_status) == ("delete", "event_not_accepted", 401)
    # Not shrunk (shrink_seconds 0), so the report does not pretend it was.
    assert "shrunk from" not in violation.format()
