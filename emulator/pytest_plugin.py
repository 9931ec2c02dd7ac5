"""pytest fixtures for testing a Front integration against the emulator (registered as a pytest11 plugin).

- `front_emulator`: in-process, no socket, fresh state for every test.
- `front_server`: a real uvicorn server on 127.0.0.1 and a free port, started once per run (per settings)
  and reset before each test, for integrations that need a URL.
- `--front-emulator-url URL` (or FRONT_EMULATOR_URL): both fixtures talk to that emulator instead, reset
  before each test, like moto's server mode.

Per-test settings: `@pytest.mark.front_emulator(creation_delay="0.5..2", seed=7, clock="frozen",
workspace="path/to/workspace.yaml", faults=[{"route": "/channels/{channel_id}/incoming_messages",
"status": 503, "times": 1}])`, or override the `front_emulator_settings` fixture. A workspace is
named as everywhere else: a packaged fixture's name (`multi-channel-workspace.json`) or a path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

import pytest

# Loading the plugin costs every pytest run of a project that installs the package, used or not: only
# pytest and the standard library here; the app, Starlette and the HTTP client load with a fixture.
if TYPE_CHECKING:
    import httpx2
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from emulator.config import Config
    from emulator.harness import EmulatorClient, LiveServer

__all__ = ["front_emulator", "front_emulator_settings", "front_server"]

URL_OPTION = "--front-emulator-url"
URL_VARIABLE = "FRONT_EMULATOR_URL"
IN_PROCESS_URL = "http://emulator.test"
_SETTINGS = ("creation_delay", "seed", "clock", "workspace", "rate_limit_per_minute", "burst_limit", "faults")
# Settings applied to the emulator after its reset (through its API), not fixed when it is built.
_PER_TEST = frozenset({"clock", "faults"})


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
        "rate_limit_per_minute=N, burst_limit=bool, faults=[{…POST /_emulator/faults…}]): emulator settings "
        "for this test",
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
    from emulator.config import Config, parse_creation_delay
    from emulator.workspace_files import resolve_workspace_file

    delay = settings.get("creation_delay", 0)
    workspace = settings.get("workspace")
    return Config(
        creation_delay=parse_creation_delay(str(delay)),
        seed=settings.get("seed"),
        workspace_path=resolve_workspace_file(workspace) if workspace else None,
        rate_limit_per_minute=settings.get("rate_limit_per_minute"),
        burst_limit=bool(settings.get("burst_limit", False)),
        # Integrations' tests also catch the emulator answering outside its own schemas.
        validate_responses=True,
    )


def _settings_key(settings: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((key, repr(value)) for key, value in settings.items() if key not in _PER_TEST))


class _InProcess(NamedTuple):
    app: Starlette
    client: TestClient
    emulator: EmulatorClient


class _Pool:
    """Apps, servers and HTTP clients built once per distinct settings, then reset between tests: fixtures
    then cost a reset, not an app start (and not an SSL context per HTTP client)."""

    def __init__(self) -> None:
        self.in_process: dict[tuple[tuple[str, str], ...], _InProcess] = {}
        self.live: dict[tuple[tuple[str, str], ...], tuple[LiveServer, httpx2.Client, EmulatorClient]] = {}
        self.external: dict[str, tuple[httpx2.Client, EmulatorClient]] = {}

    def in_process_emulator(self, settings: dict[str, Any]) -> _InProcess:
        # Starlette's TestClient runs on httpx2: with httpx alone it warns that httpx is deprecated for it.
        from starlette.testclient import TestClient

        from emulator.app import create_app, create_store
        from emulator.control.state import reset_emulator

        key = _settings_key(settings)
        if key not in self.in_process:
            config = replace(_config(settings), public_url=IN_PROCESS_URL)
            app = create_app(config, create_store(config))
            client = TestClient(app, base_url=IN_PROCESS_URL)
            client.__enter__()  # runs the lifespan: the delivery engine
            self.in_process[key] = _InProcess(app, client, _authorised(client, IN_PROCESS_URL))
        entry = self.in_process[key]
        assert entry.client.portal is not None
        # Reset on the app's own event loop, without an HTTP round trip through the test client's portal.
        entry.client.portal.call(reset_emulator, entry.app.state)
        entry.emulator.forget_workspace()
        return entry

    def live_emulator(self, settings: dict[str, Any]) -> EmulatorClient:
        import httpx2

        from emulator.harness import LiveServer

        key = _settings_key(settings)
        if key not in self.live:
            config = _config(settings)
            server = LiveServer.emulator(config)
            url = server.start()
            client = httpx2.Client(base_url=url, timeout=30)
            self.live[key] = (server, client, _authorised(client, url))
        emulator = self.live[key][2]
        emulator.reset()
        return emulator

    def external_emulator(self, url: str) -> EmulatorClient:
        import httpx2

        from emulator.harness import EmulatorError

        if url not in self.external:
            client = httpx2.Client(base_url=url, timeout=30)
            self.external[url] = (client, _unauthorised(client, url))
        client, emulator = self.external[url]
        try:
            emulator.reset()
            # The token is read after the reset: a test before may have seeded another workspace.
            client.headers["Authorization"] = f"Bearer {emulator.token}"
        except httpx2.TransportError as error:
            pytest.fail(_no_emulator_at(url, f"{type(error).__name__}: {error}"), pytrace=False)
        except EmulatorError as error:
            problem = f"something answers, but not as a front-emulator does ({error})"
            pytest.fail(_no_emulator_at(url, problem), pytrace=False)
        return emulator

    def close(self) -> None:
        for entry in self.in_process.values():
            entry.client.__exit__(None, None, None)
        for server, client, _ in self.live.values():
            client.close()
            server.stop()
        for client, _ in self.external.values():
            client.close()


def _unauthorised(client: httpx2.Client, url: str) -> EmulatorClient:
    from emulator.harness import EmulatorClient

    return EmulatorClient(client, url)


def _authorised(client: httpx2.Client, url: str) -> EmulatorClient:
    """Tests call Front's API through `emulator.client` as their integration would, with its token."""
    emulator = _unauthorised(client, url)
    client.headers["Authorization"] = f"Bearer {emulator.token}"
    return emulator


def _no_emulator_at(url: str, problem: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (
        f"no front-emulator at {url} ({URL_OPTION} / {URL_VARIABLE}): {problem}\n"
        f"Start one there first, e.g.: front-emulator serve --host {host} --port {port} &\n"
        f"and wait until it answers: front-emulator readyz --url {url} --wait 10"
    )


@pytest.fixture(scope="session")
def _front_emulator_pool() -> Iterator[_Pool]:
    pool = _Pool()
    yield pool
    pool.close()


def _with_per_test_settings(emulator: EmulatorClient, settings: dict[str, Any]) -> EmulatorClient:
    clock = settings.get("clock", "real")
    if clock == "frozen":
        emulator.freeze()
    elif clock != "real":
        raise pytest.UsageError(f"front_emulator clock must be 'real' or 'frozen', not {clock!r}")
    for fault in settings.get("faults", ()):
        emulator.inject_fault(**fault)
    return emulator


def _external(
    request: pytest.FixtureRequest, pool: _Pool, url: str, settings: dict[str, Any]
) -> EmulatorClient:
    fixed = sorted(set(settings) - _PER_TEST)
    if fixed:
        raise pytest.UsageError(
            f"{request.node.nodeid}: {', '.join(fixed)} cannot change per test against an external emulator "
            f"({url}); start it with the matching `front-emulator serve` flags instead"
        )
    return _with_per_test_settings(pool.external_emulator(url), settings)


@pytest.fixture
def front_emulator(
    request: pytest.FixtureRequest, front_emulator_settings: dict[str, Any], _front_emulator_pool: _Pool
) -> Iterator[EmulatorClient]:
    """The emulator in-process (no socket), fresh for this test."""
    url = _external_url(request.config)
    if url:
        yield _external(request, _front_emulator_pool, url, front_emulator_settings)
        return
    entry = _front_emulator_pool.in_process_emulator(front_emulator_settings)
    yield _with_per_test_settings(entry.emulator, front_emulator_settings)
    bugs = entry.app.state.engine.bugs
    if bugs:
        found = list(bugs)
        bugs.clear()
        pytest.fail(f"front-emulator sent payloads that break its own schemas: {found}")


@pytest.fixture
def front_server(
    request: pytest.FixtureRequest, front_emulator_settings: dict[str, Any], _front_emulator_pool: _Pool
) -> EmulatorClient:
    """A real emulator server on 127.0.0.1 (started once per run), reset before this test."""
    url = _external_url(request.config)
    if url:
        return _external(request, _front_emulator_pool, url, front_emulator_settings)
    emulator = _front_emulator_pool.live_emulator(front_emulator_settings)
    return _with_per_test_settings(emulator, front_emulator_settings)
