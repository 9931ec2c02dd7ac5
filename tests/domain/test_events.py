"""EventLog (emulator/domain/events.py): events by id and by conversation."""

from __future__ import annotations

import gc

import pytest

from emulator.domain.events import Event, EventLog


def test_events_are_found_by_id_and_listed_newest_first() -> None:
    log = EventLog()
    log.record("inbound", "cnv_1", 1.0, "recipient", None, "message", "msg_1")
    log.record("assign", "cnv_2", 2.0, "teammate", "tea_1", "teammate", "tea_1")
    log.record("archive", "cnv_1", 3.0)
    first = Event("evt_1", "inbound", "cnv_1", 1.0, "recipient", None, "message", "msg_1")
    second = Event("evt_2", "assign", "cnv_2", 2.0, "teammate", "tea_1", "teammate", "tea_1")
    third = Event("evt_3", "archive", "cnv_1", 3.0, "api")
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


def test_kept_events_leave_the_garbage_collector_alone() -> None:
    """One event per message created: the collector must not walk each of them at every collection."""
    log = EventLog()
    log.record("inbound", "cnv_1", 1.0, "recipient", None, "message", "msg_1")
    gc.collect()
    assert not gc.is_tracked(log._in_order[0])
