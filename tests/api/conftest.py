"""Fixtures of the API tests: one in-process emulator a whole module shares (see `shared_client`), reset for
each test that asks for `fresh_client`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from emulator.app import create_app, create_store
from tests.conftest import AUTH, IN_PROCESS_URL, make_config


@pytest.fixture(scope="module")
def shared_client() -> Iterator[TestClient]:
    """The default emulator for every test of a module: building an app per test costs more than the
    test. A module using it resets it for each test (POST /_emulator/reset), so none sees another's state."""
    config = make_config(public_url=IN_PROCESS_URL)
    with TestClient(
        create_app(config, create_store(config)), base_url=IN_PROCESS_URL, headers=AUTH
    ) as client:
        yield client
        bugs = client.app.state.engine.bugs  # type: ignore[attr-defined]
        assert not bugs, f"the emulator sent payloads that break schemas/: {bugs}"


@pytest.fixture
def fresh_client(shared_client: TestClient) -> TestClient:
    """The module's emulator, as the default workspace starts."""
    assert shared_client.post("/_emulator/reset").status_code == 204
    return shared_client
