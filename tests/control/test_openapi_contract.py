"""GET /_emulator/openapi.json is a complete contract: Schemathesis loads it, generates requests for every
operation (valid ones and, in its coverage phase, invalid ones) and runs all its default checks on the
answers: no server error, only declared statuses, content types and headers, answers valid against their
schemas, invalid requests refused, valid ones accepted, undeclared methods answered 405 with `Allow`.

The app runs in-process through Schemathesis' own ASGI transport; every operation is one test here."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from emulator.app import create_app
from emulator.control.openapi import OPERATIONS, openapi_document
from tests.conftest import make_config

APP = create_app(make_config())
# Schemathesis leaves out the operation that served the document unless a filter names it: this one names
# every path, so GET /_emulator/openapi.json is tested like the others.
# Requests name the server by its loopback address, as a local client does (a Host the emulator does not
# answer to would be refused before reaching the control plane).
BASE_URL = "http://127.0.0.1"
SCHEMA = schemathesis.openapi.from_asgi(
    "/_emulator/openapi.json", APP, headers={"Host": "127.0.0.1"}
).include(path_regex="^/_emulator/")
# POST /_emulator/wait holds each request for `timeout` seconds of real time (5 when not given, up to
# 60) when the condition never comes true, as with the random uids generated here. A valid timeout is
# shortened to at most this: the request stays exactly as valid or invalid as generated (the schema
# allows 0..60 and the key is optional), and the run stays within seconds.
WAIT_TIMEOUT = 0.01


def _with_short_wait(case: Any) -> None:
    body = case.body
    if case.path != "/_emulator/wait" or not isinstance(body, dict):
        return
    timeout = body.get("timeout", WAIT_TIMEOUT)
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and 0 <= timeout <= 60:
        body["timeout"] = min(timeout, WAIT_TIMEOUT)


def _excluded_checks(case: Any) -> list[Any]:
    """The checks left out for one case, each for a reason given here and reported upstream."""
    excluded = []
    if case.path == "/_emulator/seed":
        # A seed request can be valid against its schema and still be refused with the documented 400
        # for rules JSON Schema cannot state: `path` must name a workspace file that exists (and may be
        # read), every `history` entry must name a custom channel of the workspace, channel ids and
        # addresses must be unique. So "valid means accepted" does not hold here; every other check
        # (invalid requests refused, statuses, answers against their schemas) still runs.
        excluded.append(positive_data_acceptance)
    if case.path in ("/_emulator/channels", "/_emulator/applications"):
        # The same for a new channel (and a new application's webhook_url): settings.webhook_url must be a
        # URL the delivery engine's HTTP client can send to (httpx's parser: a host, a valid port, no
        # control characters), which the schema's `^https?://` cannot state; such a URL is refused with
        # the documented 400.
        excluded.append(positive_data_acceptance)
    if case.path == "/_emulator/faults":
        # A latency range's min must not be above its max, which JSON Schema cannot state: refused with
        # the documented 400 (tests/control/test_faults.py).
        excluded.append(positive_data_acceptance)
    return excluded


@SCHEMA.parametrize()
# Bounded examples per operation on top of the coverage phase's cases; no deadline (a loaded machine).
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_control_plane_answers_as_its_openapi_document_says(case: Any) -> None:
    _with_short_wait(case)
    case.call_and_validate(base_url=BASE_URL, excluded_checks=_excluded_checks(case))


def test_allow_header_of_requests_names_both_methods() -> None:
    """Two routes serve the path (control/routes.py); the 405 names the methods of both."""

    async def options() -> httpx.Response:
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            return await client.request("OPTIONS", "/_emulator/requests")

    answer = asyncio.run(options())
    assert answer.status_code == 405
    assert sorted(method.strip() for method in answer.headers["allow"].split(",")) == [
        "DELETE",
        "GET",
        "HEAD",
    ]


def test_document_is_valid_openapi_3_1_and_every_ref_resolves() -> None:
    SCHEMA.validate()
    document = openapi_document(APP.routes)

    def references(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return found + [ref for value in node.values() for ref in references(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in references(value)]
        return []

    found = references(document)
    assert any("/$defs/" in ref for ref in found) and any("/workspace" in ref for ref in found)
    for ref in found:
        assert ref.startswith("#/"), ref
        node: Any = document
        for part in ref[2:].split("/"):
            assert isinstance(node, dict) and part in node, f"{ref} does not resolve"
            node = node[part]


def test_every_control_route_is_described_and_the_inspector_is_left_out() -> None:
    document = openapi_document(APP.routes)
    listed = {
        (method.upper(), path) for path, operations in document["paths"].items() for method in operations
    }
    assert listed == set(OPERATIONS)
    tested = {tuple(result.ok().label.split(" ", 1)) for result in SCHEMA.get_all_operations()}
    assert tested == set(OPERATIONS)
    assert not any(path.startswith("/_emulator/ui") for path in document["paths"])
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "default" not in operation["responses"], f"{method} {path}"
