"""The request journal (every Front API request received) and the report of what Front would refuse."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.journal import JournalEntry, RequestJournal, rejection_report
from emulator.wire.documents import refuse_unknown_parameters
from emulator.wire.errors import FrontError
from emulator.wire.responses import front_json

_FILTERS = ("status", "method", "path_prefix", "rejected")
_STATUS = re.compile(r"^[1-5](?:[0-9]{2}|xx)$")


def _selected(request: Request) -> list[JournalEntry]:
    refuse_unknown_parameters(request, _FILTERS)
    query = request.query_params
    status = query.get("status")
    if status is not None and not _STATUS.match(status.lower()):
        raise FrontError(
            400, "Invalid filter", ["status: an HTTP status such as 400, or a class such as 4xx"]
        )
    _check_path_prefix(request)
    rejected = query.get("rejected")
    if rejected is not None and rejected not in ("true", "false"):
        raise FrontError(400, "Invalid filter", ["rejected: true or false"])
    journal: RequestJournal = request.app.state.journal
    return journal.select(
        status=int(status) if status is not None and status.isdigit() else None,
        status_class=int(status[0]) if status is not None and not status.isdigit() else None,
        method=query.get("method"),
        path_prefix=query.get("path_prefix"),
        rejected=None if rejected is None else rejected == "true",
    )


def _check_path_prefix(request: Request) -> None:
    """Every journalled path starts with `/`: a prefix without one would select nothing, silently."""
    prefix = request.query_params.get("path_prefix")
    if prefix is not None and not prefix.startswith("/"):
        detail = f"path_prefix: {prefix!r} must start with / (e.g. /channels/)"
        raise FrontError(400, "Invalid filter", [detail])


async def list_requests(request: Request) -> Response:
    """Oldest first; only the newest entries are kept (10,000 within 32 MiB), and `dropped` says how many
    were pushed out."""
    entries = _selected(request)
    document = {
        "_results": [entry.as_document() for entry in entries],
        "dropped": request.app.state.journal.dropped,
        "retained_bytes": request.app.state.journal.retained_bytes,
    }
    return front_json(request, document, "request-list")


async def clear_requests(request: Request) -> Response:
    request.app.state.journal.clear()
    return Response(status_code=204)


async def report(request: Request) -> Response:
    """What the integration sent that Front would refuse, by reason, with one example request each."""
    refuse_unknown_parameters(request, ("path_prefix",))
    _check_path_prefix(request)
    prefix = request.query_params.get("path_prefix")
    journal: RequestJournal = request.app.state.journal
    document = rejection_report(journal.select(path_prefix=prefix))
    return front_json(request, document, "request-report")
