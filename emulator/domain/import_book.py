"""Which message_uid each external id of an inbox was imported under (emulator/domain/imports.py)."""

from __future__ import annotations


class ImportBook:
    """Which message_uid each (inbox, external id) was imported under, from the moment it is accepted."""

    def __init__(self) -> None:
        self._uids: dict[tuple[str, str], str] = {}

    def uid(self, inbox_id: str, external_id: str) -> str | None:
        return self._uids.get((inbox_id, external_id))

    def record(self, inbox_id: str, external_id: str, message_uid: str) -> None:
        self._uids[(inbox_id, external_id)] = message_uid
