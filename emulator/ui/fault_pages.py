"""The inspector's faults page: the faults set through /_emulator/faults (emulator/domain/faults.py), the
requests each fired on (from the request journal), and a form that clears them all."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from emulator.ui.error_pages import page
from emulator.ui.state import faults_of, journal_of
from emulator.ui.templating import PREFIX, render

# The page lists at most this many faulted requests, newest first.
MAX_HIT_ROWS = 200


def faulted_requests(request: Request) -> list[dict[str, Any]] | None:
    """Requests a fault fired on, newest first (None without a request journal)."""
    journal = journal_of(request)
    if journal is None:
        return None
    return [entry.as_document() for entry in reversed(journal.entries) if entry.injected_by is not None]


@page
async def faults_page(request: Request) -> Response:
    faults = faults_of(request)
    hits = faulted_requests(request)
    context = {
        "faults": None if faults is None else [fault.as_document() for fault in faults.faults],
        "hits": None if hits is None else hits[:MAX_HIT_ROWS],
        "matching": len(hits or ()),
        # Faults are not in the store: the page learns of them from the request journal (live.py).
        "live_scope": {"kinds": "request_faulted reset"},
    }
    return render(request, "faults.html", context)


@page
async def clear_faults(request: Request) -> Response:
    """What DELETE /_emulator/faults does, as a form (the guard refuses posts from other sites)."""
    faults = faults_of(request)
    if faults is not None:
        faults.clear()
    return RedirectResponse(f"{PREFIX}/faults?notice=faults_cleared", status_code=303)
