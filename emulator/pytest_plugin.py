"""pytest fixtures for testing a Front integration against the emulator (registered as a pytest11 plugin).

- `front_emulator`: in-process, no socket, fresh state for every test.
- `front_server`: a real uvicorn server on 127.0.0.1 and a free port, started once per run (per settings)
  and reset before each test, for integrations that need a URL.
- `--front-emulator-url URL` (or FRONT_EMULATOR_URL): both fixtures talk to that emulator instead, reset
  before each test, like moto's server mode.

Per-test settings: `@pytest.mark.front_emulator(creation_delay="0.5..2", seed=7, clock="frozen",
workspace="path/to/workspace.yaml")`, or override the `front_emulator_settings` fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from emulator.app import create_app, create_store
from emulator.config import Config, CreationDelay
from emulator.harness import FrontEmulator, LiveServer

URL_OPTION = "--front-emulator-url"
URL_VARIABLE = "FRONT_EMULATOR_URL"
IN_PROCESS_URL = "http://emulator.test"
_SETTINGS = ("creation_delay", "seed", "clock", "workspace", "rate_limit_per_minute", "burst_limit")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("front-emulator")
    group.addoption(
        URL_OPTION,
        default=None,
        help=f"run front_emulator/front_server tests against this running emulator (or set {URL_VARIABLE})",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "front_emulator(creation_delay=S|'MIN..MAX', seed=N, clock='real'|'frozen', workspace=PATH, "
        "rate_limit_per_minute=N, burst_limit=bool): emulator settings for this test",
    )


@pytest.fixture
def front_emulator_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The settings of this test's emulator: the front_emulator marker's keyword arguments."""
    settings: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("front_emulator"))):
        settings.update(marker.kwargs)
    unknown = sorted(set(settings) - set(_SETTINGS))
    if unknown:
        raise pytest.UsageError(f"unknown front_emulator setting(s) {unknown}; known: {', '.join(_SETTINGS)}")
    return settings


def _external_url(config: pytest.Config) -> str | None:
    return config.getoption(URL_OPTION) or os.environ.get(URL_VARIABLE) or None


def _config(settings: dict[str, Any]) -> Config:
    delay = settings.get("creation_delay", 0)
    workspace = settings.get("workspace")
    return Config(
        creation_delay=CreationDelay.parse(str(delay)),
        seed=settings.get("seed"),
        workspace_path=Path(workspace) if workspace else None,
        rate_limit_per_minute=settings.get("rate_limit_per_minute"),
        burst_limit=bool(settings.get("burst_limit", False)),
        # Integrations' tests also catch the emulator answering outside its own schemas.
        validate_responses=True,
    )


def _settings_key(settings: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((key, repr(value)) for key, value in settings.items() if key != "clock"))


class _Pool:
    """Apps and servers built once per distinct settings, then reset between tests: cheap fixtures."""

    def __init__(self) -> None:
        self.clients: dict[tuple[tuple[str, str], ...], TestClient] = {}
        self.servers: dict[tuple[tuple[str, str], ...], tuple[LiveServer, str]] = {}

    def in_process(self, settings: dict[str, Any]) -> TestClient:
        key = _settings_key(settings)
        if key not in self.clients:
            config = _config(settings)
            app = create_app(config, create_store(config))
            client = TestClient(app, base_url=IN_PROCESS_URL)
            client.__enter__()  # runs the lifespan: the delivery engine
            app.state.engine.base_url = IN_PROCESS_URL
            self.clients[key] = client
        return self.clients[key]

    def live(self, settings: dict[str, Any]) -> str:
        key = _settings_key(settings)
        if key not in self.servers:
            config = _config(settings)
            server = LiveServer(create_app(config, create_store(config)))
            self.servers[key] = (server, server.start())
        return self.servers[key][1]

    def close(self) -> None:
        for client in self.clients.values():
            client.__exit__(None, None, None)
        for server, _ in self.servers.values():
            server.stop()


@pytest.fixture(scope="session")
def _front_emulator_pool() -> Iterator[_Pool]:
    pool = _Pool()
    yield pool
    pool.close()


def _prepared(emulator: FrontEmulator, settings: dict[str, Any]) -> FrontEmulator:
    emulator.reset()
    # Tests call Front's API through `emulator.client` as their integration would, authorised.
    emulator.client.headers["Authorization"] = f"Bearer {emulator.token}"  # type: ignore[attr-defined]
    if settings.get("clock", "real") == "frozen":
        emulator.freeze()
    elif settings.get("clock", "real") != "real":
        raise pytest.UsageError(f"front_emulator clock must be 'real' or 'frozen', not {settings['clock']!r}")
    return emulator


def _external(request: pytest.FixtureRequest, url: str, settings: dict[str, Any]) -> Iterator[FrontEmulator]:
    fixed = sorted(set(settings) - {"clock"})
    if fixed:
        raise pytest.UsageError(
            f"{request.node.nodeid}: {', '.join(fixed)} cannot change per test against an external emulator "
            f"({url}); start it with the matching `front-emulator serve` flags instead"
        )
    with httpx.Client(base_url=url, timeout=30) as client:
        yield _prepared(FrontEmulator(client, url), settings)


@pytest.fixture
def front_emulator(
    request: pytest.FixtureRequest, front_emulator_settings: dict[str, Any], _front_emulator_pool: _Pool
) -> Iterator[FrontEmulator]:
    """The emulator in-process (no socket), fresh for this test."""
    url = _external_url(request.config)
    if url:
        yield from _external(request, url, front_emulator_settings)
        return
    client = _front_emulator_pool.in_process(front_emulator_settings)
    emulator = _prepared(FrontEmulator(client, IN_PROCESS_URL), front_emulator_settings)
    yield emulator
    bugs = client.app.state.engine.bugs  # type: ignore[attr-defined]
    if bugs:
        found = list(bugs)
        bugs.clear()
        pytest.fail(f"front-emulator sent payloads that break its own schemas: {found}")


@pytest.fixture
def front_server(
    request: pytest.FixtureRequest, front_emulator_settings: dict[str, Any], _front_emulator_pool: _Pool
) -> Iterator[FrontEmulator]:
    """A real emulator server on 127.0.0.1 (started once per run), reset before this test."""
    url = _external_url(request.config) or None
    if url:
        yield from _external(request, url, front_emulator_settings)
        return
    base = _front_emulator_pool.live(front_emulator_settings)
    with httpx.Client(base_url=base, timeout=30) as client:
        yield _prepared(FrontEmulator(client, base), front_emulator_settings)
