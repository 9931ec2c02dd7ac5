"""What the inspector's tests share: one Chromium for every browser test (launching it is the costly
part), one app on loopback for the application pages, and the API tests' emulator shared by a module
(`fresh_client`) for the pages of what apps report through the Channel API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

# The API tests' shared emulator, reset per test: the calls pages' tests report to it with channel JWTs.
from tests.api.conftest import fresh_client, shared_client  # noqa: F401
from tests.app_receiver import AppReceiver, running_app
from tests.ui.browsing import CHROMIUM, CHROMIUM_ARGS
from tests.ui.inspector import APP_SECRET


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="package")
def app() -> Iterator[AppReceiver]:
    """A real app of application channels on loopback, checking signatures with APP_SECRET. Tests share
    it: each sets how it answers (`answer`) and clears `received` before counting."""
    with running_app(APP_SECRET) as receiver:
        yield receiver
