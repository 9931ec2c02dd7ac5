"""EventLog (emulator/domain/events.py): events by id and by conversation."""

from __future__ import annotations

import pytest

from emulator.domain.events import EventLog


def test_events_are_found_by_id_and_listed_newest_first() -> None:
    log = EventLog()
    first = log.record("inbound", "cnv_1", 1.0, "recipient", None, "message", "msg_1")
    second = log.record("assign", "cnv_2", 2.0, "teammate", "tea_1", "teammate", "tea_1")
    third = log.record("archive", "cnv_1", 3.0)
    assert [first.id, second.id, third.id] == ["evt_1", "evt_2", "evt_3"]
    assert [log.event(f"evt_{number}") for number in (1, 2, 3)] == [first, second, third]
    assert log.of_conversation("cnv_1") == [third, first]
    assert log.of_conversation("cnv_9") == []


@pytest.mark.parametrize(
    "event_id",
    ["evt_0", "evt_01", "evt_2", "evt_-1", "evt_x", "evt_", "1", "evt_\u0661", "evt_" + "9" * 5000],
)
def test_ids_of_no_event_find_none(event_id: str) -> None:
    log = EventLog()
    log.record("inbound", "cnv_1", 1.0)
    assert log.event(event_id) is None
