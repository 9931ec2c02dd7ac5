"""What the inspector reads from the app: the store, and the request journal and faults beside it."""

from __future__ import annotations

from starlette.requests import Request

from emulator.domain.faults import Faults
from emulator.domain.journal import RequestJournal
from emulator.domain.store import Store


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def journal_of(request: Request) -> RequestJournal | None:
    """The request journal; None for an app built without one (an embedding that skips the middleware)."""
    journal: RequestJournal | None = getattr(request.app.state, "journal", None)
    return journal


def faults_of(request: Request) -> Faults | None:
    faults: Faults | None = getattr(request.app.state, "faults", None)
    return faults
