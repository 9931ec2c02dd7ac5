"""One in-process emulator per test module for the Channel API's calls and templates tests, reset before
each test: building an app per test costs more than most of these tests themselves."""

from __future__ import annotations

from collections.abc import Iterator

from starlette.testclient import TestClient

from emulator.app import create_app, create_store
from tests.conftest import AUTH, IN_PROCESS_URL, make_config


def module_emulator() -> Iterator[TestClient]:
    """The body of a module-scoped fixture: the emulator, checked at the end for payloads that break
    schemas/ as conftest's make_client checks its own."""
    config = make_config(public_url=IN_PROCESS_URL)
    app = create_app(config, create_store(config))
    with TestClient(app, base_url=IN_PROCESS_URL, headers=AUTH) as client:
        yield client
        bugs = app.state.engine.bugs
        assert not bugs, f"the emulator sent payloads that break schemas/: {bugs}"


def as_started(client: TestClient) -> TestClient:
    """The module's emulator back as it started, for the next test."""
    assert client.post("/_emulator/reset").status_code == 204
    return client
