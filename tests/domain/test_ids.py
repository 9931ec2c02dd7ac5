"""IdSource: Front-looking ids and uids, reproducible from a seed, replayed by reset and restore."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from emulator.domain.ids import IdSource

PREFIXES = st.sampled_from(["msg", "cnv", "dlv", "fil", "crd"])
# One draw from the source: an id with a prefix, a uid, or a random fraction.
DRAWS = st.lists(st.one_of(PREFIXES, st.just("uid"), st.just("fraction")), max_size=30)


def draw(ids: IdSource, what: str) -> object:
    if what == "uid":
        return ids.new_uid()
    if what == "fraction":
        return ids.random_fraction()
    return ids.new_id(what)


@given(seed=st.integers(min_value=0, max_value=2**63), draws=DRAWS)
def test_the_same_seed_hands_out_the_same_series(seed: int, draws: list[str]) -> None:
    first, second = IdSource(seed), IdSource(seed)
    assert [draw(first, what) for what in draws] == [draw(second, what) for what in draws]


@given(seed=st.integers(min_value=0, max_value=2**63), before=DRAWS, after=DRAWS)
def test_reset_replays_the_series_from_the_seed(seed: int, before: list[str], after: list[str]) -> None:
    ids = IdSource(seed)
    replayed = [draw(ids, what) for what in after]
    for what in before:
        draw(ids, what)
    ids.reset()
    assert [draw(ids, what) for what in after] == replayed


@given(seed=st.integers(min_value=0, max_value=2**63), before=DRAWS, after=DRAWS)
def test_restore_continues_from_the_saved_state(seed: int, before: list[str], after: list[str]) -> None:
    ids = IdSource(seed)
    for what in before:
        draw(ids, what)
    saved = ids.state()
    continued = [draw(ids, what) for what in after]
    ids.restore(saved)
    assert [draw(ids, what) for what in after] == continued


@given(seed=st.integers(min_value=0, max_value=2**63), prefix=PREFIXES, count=st.integers(1, 50))
def test_ids_are_front_shaped_and_count_up_per_prefix(seed: int, prefix: str, count: int) -> None:
    ids = IdSource(seed)
    drawn = [ids.new_id(prefix) for _ in range(count)]
    assert all(re.fullmatch(rf"{prefix}_[0-9a-z]{{6,8}}", item) for item in drawn)
    numbers = [int(item.split("_", 1)[1], 36) for item in drawn]
    assert numbers == list(range(numbers[0], numbers[0] + count))


@given(seed=st.integers(min_value=0, max_value=2**63))
def test_uids_are_32_hex_digits_and_fractions_lie_in_0_1(seed: int) -> None:
    ids = IdSource(seed)
    assert re.fullmatch(r"[0-9a-f]{32}", ids.new_uid())
    assert 0 <= ids.random_fraction() < 1


def test_without_a_seed_one_is_drawn_and_reset_replays_it() -> None:
    ids = IdSource(None)
    first = ids.new_id("msg")
    ids.reset()
    assert ids.new_id("msg") == first
    assert IdSource(ids.seed).new_id("msg") == first
