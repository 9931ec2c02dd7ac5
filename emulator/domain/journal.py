"""The request journal: every Front API request the emulator received, its status and why it was refused.

Recording sits on every request, the incoming_messages hot path included, so `record` only keeps
references to what already exists (the scope's method, path, query and Content-Type, the body chunks as
they were received, the bytes of a refused answer) and everything is decoded when someone reads the
journal. Only a body or answer over its bound is copied, to cut it.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, NamedTuple, overload

import orjson

from emulator.domain.faults import SCOPE_KEY

# The journal is for looking at what an integration did, not an archive: the newest entries are kept, as
# many as fit both bounds, and `dropped` counts the others.
MAX_ENTRIES = 10_000
MAX_JOURNAL_BYTES = 32 * 1024 * 1024
# At most this much of each request body is kept (multipart uploads can be 25 MB): `body_truncated` then.
MAX_BODY_BYTES = 64 * 1024
# A refused answer is a small `_error` envelope; anything larger is not one of ours and is cut.
MAX_JOURNALLED_ANSWER_BYTES = 64 * 1024


class JournalEntry(NamedTuple):
    id: int
    at: float
    method: str
    path: str
    query: bytes
    content_type: bytes | None
    status: int
    body_chunks: tuple[bytes, ...]
    body_truncated: bool
    answer_chunks: tuple[bytes, ...]
    # What the entry holds (path, query, Content-Type, body and answer kept), counted in the journal's bound.
    retained_bytes: int
    # The fault that fired on this request (emulator/domain/faults.py), if one did.
    injected_by: str | None

    @property
    def rejected(self) -> bool:
        return self.status >= 400

    def error(self) -> tuple[str | None, list[str]]:
        """The `_error` message and details of a refused request; (None, []) for an accepted one."""
        if not self.rejected:
            return None, []
        answer = b"".join(self.answer_chunks)[:MAX_JOURNALLED_ANSWER_BYTES]
        try:
            error = orjson.loads(answer)["_error"]
            details = error.get("details") or []
            return str(error.get("message", "")), [str(line) for line in details]
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            # Not Front's envelope (an emulator bug would be a 500 with one): show what was answered.
            return answer[:500].decode("utf-8", "replace") or f"HTTP {self.status}", []

    def as_document(self) -> dict[str, Any]:
        body = b"".join(self.body_chunks)
        message, details = self.error()
        content_type = self.content_type
        return {
            "id": self.id,
            "at": self.at,
            "method": self.method,
            "path": self.path,
            "query": self.query.decode("latin-1"),
            "content_type": content_type.decode("latin-1") if content_type is not None else None,
            "status": self.status,
            "rejected": self.rejected,
            "body": body.decode("utf-8", "replace"),
            "body_truncated": self.body_truncated,
            "error_message": message,
            "details": details,
            "injected_by": self.injected_by,
        }


# What the journal keeps of an entry: JournalEntry's fields in a plain tuple. One is kept per request for
# the last MAX_ENTRIES requests, and the garbage collector stops tracking a plain tuple of strings, bytes
# and numbers once it has seen it (a JournalEntry, a tuple subclass, or a dataclass with lists it would
# walk at each collection until the entry is dropped): on a busy server that walk cost more than the
# recording itself.
_Row = tuple[
    int,
    float,
    str,
    str,
    bytes,
    bytes | None,
    int,
    tuple[bytes, ...],
    bool,
    tuple[bytes, ...],
    int,
    str | None,
]

# At most this many distinct paths (and Content-Types) are shared between entries; past it, sharing starts
# afresh, so a client sending ever new paths cannot grow the table.
_MAX_SHARED = 1024
# Where a row holds its retained_bytes (a literal, so the type checker knows the item's type).
_RETAINED_BYTES: Final = 10
assert JournalEntry._fields[_RETAINED_BYTES] == "retained_bytes"


class Entries(Sequence[JournalEntry]):
    """The journal's entries, oldest first, each read as a JournalEntry."""

    def __init__(self, rows: deque[_Row]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> JournalEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[JournalEntry]: ...

    def __getitem__(self, index: int | slice) -> JournalEntry | list[JournalEntry]:
        if isinstance(index, slice):
            return list(map(JournalEntry._make, list(self._rows)[index]))
        return JournalEntry._make(self._rows[index])

    def __iter__(self) -> Iterator[JournalEntry]:
        return map(JournalEntry._make, self._rows)

    def __reversed__(self) -> Iterator[JournalEntry]:
        return map(JournalEntry._make, reversed(self._rows))


class RequestJournal:
    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_JOURNAL_BYTES) -> None:
        self._rows: deque[_Row] = deque()
        self.entries = Entries(self._rows)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # Ids of its own, not from the store's IdSource: reading or writing the journal must not change
        # the ids a seeded run hands out.
        self._ids = itertools.count(1)
        self.recorded = 0
        self.retained_bytes = 0
        self._shared: dict[str, str] = {}
        self._shared_bytes: dict[bytes, bytes] = {}

    def record(
        self,
        at: float,
        scope: Mapping[str, Any],
        status: int,
        body_chunks: list[bytes],
        answer_chunks: list[bytes],
    ) -> None:
        self.recorded += 1
        content_type = None
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
                break
        # The same path and Content-Type arrive again and again, each request in a new string: the journal
        # keeps one of each rather than one per entry for the last MAX_ENTRIES requests.
        path = self._shared.setdefault(scope["path"], scope["path"])
        if content_type is not None:
            content_type = self._shared_bytes.setdefault(content_type, content_type)
        if len(self._shared) > _MAX_SHARED or len(self._shared_bytes) > _MAX_SHARED:
            self._shared.clear()
            self._shared_bytes.clear()
        query = scope["query_string"]
        body_bytes = 0
        for chunk in body_chunks:
            body_bytes += len(chunk)
        body_truncated = body_bytes > MAX_BODY_BYTES
        body = (b"".join(body_chunks)[:MAX_BODY_BYTES],) if body_truncated else tuple(body_chunks)
        if body_truncated:
            body_bytes = MAX_BODY_BYTES
        answer_bytes = 0
        answer: tuple[bytes, ...] = ()
        if answer_chunks:
            answer_bytes = sum(len(chunk) for chunk in answer_chunks)
            if answer_bytes > MAX_JOURNALLED_ANSWER_BYTES:
                answer = (b"".join(answer_chunks)[:MAX_JOURNALLED_ANSWER_BYTES],)
                answer_bytes = MAX_JOURNALLED_ANSWER_BYTES
            else:
                answer = tuple(answer_chunks)
        size = len(path) + len(query) + len(content_type or b"") + body_bytes + answer_bytes
        rows = self._rows
        rows.append(
            (
                next(self._ids),
                at,
                scope["method"],
                path,
                query,
                content_type,
                status,
                body,
                body_truncated,
                answer,
                size,
                scope.get(SCOPE_KEY),
            )
        )
        self.retained_bytes += size
        # The newest entry is always kept, however large.
        while len(rows) > self.max_entries or (self.retained_bytes > self.max_bytes and len(rows) > 1):
            self.retained_bytes -= rows.popleft()[_RETAINED_BYTES]

    @property
    def dropped(self) -> int:
        """Entries pushed out by newer ones (only the newest that fit MAX_ENTRIES and MAX_JOURNAL_BYTES)."""
        return self.recorded - len(self._rows)

    def clear(self) -> None:
        self._rows.clear()
        self.recorded = 0
        self.retained_bytes = 0

    def select(
        self,
        status: int | None = None,
        status_class: int | None = None,
        method: str | None = None,
        path_prefix: str | None = None,
        rejected: bool | None = None,
    ) -> list[JournalEntry]:
        """Oldest first; every given filter must match (`status_class` 4 means any 4xx)."""
        method = method.upper() if method else None
        return [
            entry
            for entry in self.entries
            if (status is None or entry.status == status)
            and (status_class is None or entry.status // 100 == status_class)
            and (method is None or entry.method == method)
            and (path_prefix is None or entry.path.startswith(path_prefix))
            and (rejected is None or entry.rejected == rejected)
        ]


def rejection_report(entries: Iterable[JournalEntry]) -> dict[str, Any]:
    """What Front would have refused, grouped by reason: one group per detail line (a request with two
    bad fields counts in both), or per error message when there are no details."""
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    total = rejected = 0
    for entry in entries:
        # An answer a fault injected is not something Front would have refused.
        if entry.injected_by is not None:
            continue
        total += 1
        if not entry.rejected:
            continue
        rejected += 1
        message, details = entry.error()
        for reason in details or [message or f"HTTP {entry.status}"]:
            group = groups.get((entry.status, reason))
            if group is None:
                groups[(entry.status, reason)] = group = {
                    "status": entry.status,
                    "reason": reason,
                    "count": 0,
                    "example": entry.as_document(),
                }
            group["count"] += 1
    reasons = sorted(groups.values(), key=lambda group: (-group["count"], group["status"], group["reason"]))
    return {"requests": total, "rejected": rejected, "reasons": reasons}
