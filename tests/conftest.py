"""Shared fixtures: the emulator in-process (Starlette's httpx-based TestClient) and as a live server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings
from starlette.testclient import TestClient

from emulator.app import create_app, create_store
from emulator.config import Config
from emulator.domain.clock import FrozenClock
from emulator.harness import LiveServer
from emulator.ui import live
from tests.receiver import Receiver, start_receiver

# How long an example takes says how loaded the machine is, not whether the code is right: no deadline and
# no too-slow health check anywhere in the suite (a test's own @settings still sets its example counts).
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

# pytester runs the front_emulator plugin on generated test files (tests/test_pytest_plugin.py).
pytest_plugins = ["pytester"]

TOKEN = "front-emulator-token"
READ_ONLY_TOKEN = "front-emulator-read-only"
CHANNEL = "cha_1a01"
SMS_CHANNEL = "cha_1a02"
EMAIL_CHANNEL = "cha_1a03"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# The in-process emulator's address, as its payloads' links show it.
IN_PROCESS_URL = "http://emulator.test"


def make_config(**settings: Any) -> Config:
    # The suite checks every answer the emulator writes against schemas/.
    settings.setdefault("validate_responses", True)
    settings.setdefault("seed", 1)
    # The in-process clients' Host (emulator/guard.py serves only names it knows).
    settings.setdefault("allowed_hosts", ("emulator.test",))
    return Config(**settings)


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """Build an in-process client for an emulator with the given Config settings (and optional clock)."""
    clients: list[TestClient] = []

    def build(clock: FrozenClock | None = None, **settings: Any) -> TestClient:
        config = make_config(public_url=IN_PROCESS_URL, **settings)
        app = create_app(config, create_store(config, clock))
        client = TestClient(app, base_url=IN_PROCESS_URL, headers=AUTH)
        # Entering the client runs the app's lifespan, which starts the delivery engine.
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)
    for client in clients:
        bugs = client.app.state.engine.bugs  # type: ignore[attr-defined]
        assert not bugs, f"the emulator sent payloads that break schemas/: {bugs}"


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def post_message(client: TestClient | httpx.Client, document: dict[str, Any], channel: str = CHANNEL) -> str:
    answer = client.post(f"/channels/{channel}/incoming_messages", json=document)
    assert answer.status_code == 202, answer.text
    return answer.json()["message_uid"]


def read_message(client: TestClient | httpx.Client, uid: str) -> dict[str, Any]:
    answer = client.get(f"/messages/alt:uid:{uid}")
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(scope="session")
def live_url() -> Iterator[str]:
    server = LiveServer.emulator(make_config())
    url = server.start()
    yield url
    server.stop()


@pytest.fixture
def live_client(live_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_url, headers=AUTH, timeout=10) as client:
        client.post("/_emulator/reset").raise_for_status()
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real integration on loopback, verifying signatures with the default workspace's secret."""
    receiver, server = start_receiver("front-emulator-api-secret")
    yield receiver
    receiver.released.set()
    server.stop()


@pytest.fixture
def lasting_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inspector event streams that outlast the test. A stream ends after a few seconds on purpose and the
    next one catches up on what it missed; one that never ends can only learn of a change by being told, so
    a test tells a push from a catch-up without a clock, however slow the machine."""
    monkeypatch.setattr(live, "STREAM_SECONDS", 300.0)
