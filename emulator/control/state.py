"""Whole-state control: reset, seed a workspace, snapshot and restore."""

from __future__ import annotations

import ctypes
from typing import Any

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response

from emulator.config import Config
from emulator.domain.snapshots import MAX_SNAPSHOTS, Snapshot
from emulator.domain.store import Store
from emulator.domain.workspace import Workspace
from emulator.wire.documents import control_document
from emulator.wire.errors import FrontError
from emulator.wire.responses import front_json
from emulator.workspace_files import (
    WorkspaceFileError,
    load_workspace_file,
    packaged_fixture_names,
    seed_directories,
    seedable_workspace_file,
    workspace_from_checked_document,
)


async def reset(request: Request) -> Response:
    """Back to how the emulator started: the workspace it loaded (not a seeded one), no messages,
    conversations or deliveries, ids from the seed again, fresh rate budgets, the clock as it started,
    an empty request journal, no faults and no snapshots. Every test of the pytest plugin starts from here."""
    reset_emulator(request.app.state)
    return Response(status_code=204)


def reset_emulator(state: State) -> None:
    """The reset itself, shared with the pytest plugin's in-process fixture (which skips the HTTP hop)."""
    released = state.journal.retained_bytes + state.store.outbox.retained_bytes
    state.store.reset()
    state.journal.clear()
    state.faults.clear()
    state.engine.wake()
    if released > _TRIM_AFTER_BYTES:
        _return_freed_memory()


# Freed memory stays in the C allocator's heap (RSS did not fall after a reset that let go of hundreds of
# MB); after a reset that released this much, ask glibc to hand it back. Small resets (every test of the
# pytest plugin) skip it: it walks the heap.
_TRIM_AFTER_BYTES = 8 * 1024 * 1024


def _return_freed_memory() -> None:
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to ask
        return
    trim(0)


async def seed(request: Request) -> Response:
    """Load a workspace (inline or from a fixture file) and start afresh on it; the clock and the
    request journal are left as they are."""
    document = await control_document(request, "seed-request")
    if "workspace" in document:
        workspace = _inline_workspace(document["workspace"])
    else:
        workspace = _workspace_file(document["path"], request.app.state.config)
    store: Store = request.app.state.store
    store.load_workspace(workspace)
    request.app.state.engine.wake()
    return front_json(request, store.workspace.as_document(), "workspace")


def _inline_workspace(document: dict[str, Any]) -> Workspace:
    try:
        return workspace_from_checked_document(document, source="workspace")
    except WorkspaceFileError as error:
        # The schema was checked with the request; what is left are duplicate ids and addresses.
        lines = _lines(error)[1:]
        raise FrontError(400, "Invalid workspace", ["/workspace" + line.strip() for line in lines]) from None


def _lines(error: WorkspaceFileError) -> list[str]:
    """The error's title and detail lines: split on newlines only, as they were joined. `splitlines` would
    also cut at U+2028, U+2029, \x0b, \x1c… inside a file name or a value the message quotes."""
    return str(error).split("\n")


def _workspace_file(given: str, config: Config) -> Workspace:
    """Only the packaged fixtures and the folders named when the server started can be read: anything
    else gets the same answer whatever is there, so the control plane tells nothing about other files."""
    directories = seed_directories(config.workspace_path, config.fixtures_dirs)
    path = seedable_workspace_file(given, directories)
    if path is None:
        raise FrontError(
            400,
            "Workspace file refused",
            [
                "/path: seed reads a packaged fixture by name ("
                + ", ".join(packaged_fixture_names())
                + ") or a file under a folder named when the server started (--workspace's folder, "
                "--fixtures-dir): " + ", ".join(str(directory) for directory in directories)
            ],
        )
    try:
        return load_workspace_file(path)
    except WorkspaceFileError as error:
        first, *rest = _lines(error)
        raise FrontError(400, first, [line.strip() for line in rest] or None) from None


def _snapshot_document(snapshot: Snapshot, store: Store) -> dict[str, Any]:
    return {
        "snapshot_id": snapshot.id,
        "taken_at": snapshot.taken_at,
        "messages": store.message_count,
        "pending_messages": store.awaiting_creation_count,
        "deliveries": len(store.deliveries),
    }


async def take_snapshot(request: Request) -> Response:
    """The store's state to come back to with /_emulator/snapshots/{id}/restore; the newest
    MAX_SNAPSHOTS are kept, and `evicted` names the oldest one this snapshot pushed out."""
    store: Store = request.app.state.store
    snapshot = store.snapshots.take()
    document = {**_snapshot_document(snapshot, store), "evicted": store.snapshots.evicted}
    return front_json(request, document, "snapshot", 201)


async def restore_snapshot(request: Request) -> Response:
    snapshot_id = request.path_params["snapshot_id"]
    snapshots = request.app.state.store.snapshots
    snapshot = snapshots.get(snapshot_id)
    if snapshot is None:
        raise FrontError(
            404,
            f"Snapshot {snapshot_id} not found (only the newest {MAX_SNAPSHOTS} snapshots are kept, "
            "and a reset or seed forgets them)",
        )
    snapshots.restore(snapshot)
    request.app.state.engine.wake()
    return front_json(request, _snapshot_document(snapshot, request.app.state.store), "snapshot")
