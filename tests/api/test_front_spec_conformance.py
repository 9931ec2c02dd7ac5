"""Front's own OpenAPI files (spec/*.extract.json) against the emulator, through Schemathesis.

The run (scripts/front_spec_runner.py, the same as scripts/front_spec_conformance.py prints) sends a few
derandomized examples to every operation of Front's spec the app serves: no server error, and no schema
violation except the known differences of spec/known-differences.json, each of which must still show."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def _load(name: str) -> ModuleType:
    """scripts/ is not a package: load its files as modules (registered first, as dataclasses look their
    module up, and the runner imports the emulator module by name)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_load("front_spec_emulator")
runner = _load("front_spec_runner")


@pytest.fixture(scope="module")
def report():
    # A few valid and invalid examples per operation: every operation is reached, within seconds.
    return runner.run(examples=3, invalid_examples=2)


def test_no_operation_answers_a_server_error(report):
    assert report.server_errors == []


def test_answers_conform_to_fronts_spec_except_the_known_differences(report):
    # Schema, status and content-type violations, and tokens answered against x-required-scopes.
    assert report.violations == []


def test_every_known_difference_still_shows(report):
    assert report.stale == []


def test_every_operation_the_app_serves_is_run(report):
    implemented = {label for labels in report.implemented.values() for label in labels}
    assert "GET /contacts" in implemented and "POST /channels/{channel_id}/incoming_messages" in implemented
    assert (
        "PUT /channels/{channel_id}/conversations/{conv_ext_id}/messages/{message_ext_id}/status"
        in (report.implemented["channel"])
    )
    # Matched by path template, not by regex: /contacts/{contact_id} does not serve /contacts/custom_fields.
    assert "GET /contacts/custom_fields" in report.not_implemented["core"]
    # Each token of the default workspace was sent to each Core API operation (its scopes checked).
    assert report.scope_checks == 2 * len(report.implemented["core"])
    run = {label.removesuffix(" (Channel API)") for label in report.examples}
    assert run == implemented
    # Path parameters name what exists: every read answered a success (and its schema was checked).
    reads = {label for label in report.examples if label.startswith("GET ")}
    assert {label for label in reads if any(status < 300 for status in report.statuses[label])} == reads


def _with_differences(monkeypatch, tmp_path: Path, differences: list[dict[str, str]]) -> None:
    known = tmp_path / "known-differences.json"
    known.write_text(json.dumps({"differences": differences}), "utf-8")
    monkeypatch.setattr(runner, "KNOWN_DIFFERENCES", known)


def test_a_known_difference_no_answer_shows_is_reported(monkeypatch, tmp_path):
    unseen = {
        "spec": "core",
        "schema": "TagResponse",
        "property": "description",
        "change": "nullable",
        "reason": "never observed",
    }
    _with_differences(monkeypatch, tmp_path, [unseen])
    small = runner.run(examples=2, invalid_examples=0, only=lambda label: label == "GET /tags")
    assert small.stale == [unseen]
    assert not small.passed


def test_a_known_difference_that_no_longer_applies_to_the_spec_stops_the_run(monkeypatch, tmp_path):
    gone = {"spec": "core", "schema": "TagResponse", "property": "no_such_field", "change": "nullable"}
    _with_differences(monkeypatch, tmp_path, [gone])
    with pytest.raises(ValueError, match="does not apply to Front's schema"):
        runner.run(examples=1, invalid_examples=0, only=lambda label: False)


def test_every_known_difference_is_written_in_the_fidelity_notes():
    notes = (ROOT / "docs" / "fidelity.md").read_text("utf-8")
    for difference in runner.known_differences():
        assert difference["reason"]
        assert f"`{difference['schema']}.{difference['property']}`" in notes, difference
