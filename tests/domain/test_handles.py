"""Phone handle normalisation (emulator/domain/handles.py), property-based: idempotent, and only
phone-like handles change."""

from __future__ import annotations

import string

from hypothesis import example, given
from hypothesis import strategies as st

from emulator.domain.handles import normalise_handle

# The characters a handle with letters is drawn from here.
_KEY_ALPHABET = string.ascii_letters + string.digits + "-_."

_separators = st.sampled_from([" ", "-", ".", "(", ")", ""])
_phone_like = st.builds(
    lambda plus, groups, separators: plus + "".join(g + s for g, s in zip(groups, separators, strict=False)),
    st.sampled_from(["", "+"]),
    st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=3, max_size=5).filter(
        lambda groups: sum(map(len, groups)) >= 7
    ),
    st.lists(_separators, min_size=5, max_size=5),
)


_no_digits = st.text(max_size=30).filter(lambda text: not any(c.isdigit() for c in text))
_separators_only = st.text(" ().-+", min_size=7, max_size=20)
_short_numbers = st.text("0123456789", min_size=1, max_size=6)
_unicode_digits = st.text(st.characters(categories=["Nd"]) | st.sampled_from(" -"), min_size=7, max_size=20)


@example("-------")
@example("\u0663" * 10)
@given(handle=st.text(max_size=30) | _phone_like | st.emails() | _separators_only | _unicode_digits)
def test_normalise_handle_is_idempotent_and_yields_the_input_or_a_plus_phone(handle: str) -> None:
    once = normalise_handle(handle)
    assert normalise_handle(once) == once
    assert once == handle or (once.startswith("+") and once[1:].isascii() and once[1:].isdigit())


@example("(((())))")
@example(". . . .")
@given(handle=st.emails() | _no_digits | _separators_only)
def test_normalise_handle_leaves_emails_and_handles_without_digits_alone(handle: str) -> None:
    assert normalise_handle(handle) == handle


@example("12345")
@example("+1 234")
@example("12-34-5")
@example("(123) 45")
@given(handle=_short_numbers | st.builds("+".__add__, _short_numbers))
def test_normalise_handle_leaves_short_codes_alone(handle: str) -> None:
    """Fewer than 7 digits is no phone number (SMS short codes are 5 or 6 digits)."""
    assert normalise_handle(handle) == handle


@given(
    handle=st.text(_KEY_ALPHABET, min_size=1, max_size=30).filter(lambda text: any(c.isalpha() for c in text))
)
def test_normalise_handle_leaves_handles_with_letters_alone(handle: str) -> None:
    assert normalise_handle(handle) == handle


@given(phone=_phone_like)
def test_phone_like_handles_become_plus_and_digits(phone: str) -> None:
    normalised = normalise_handle(phone)
    digits = "".join(c for c in phone if c.isdigit())
    assert normalised.startswith("+")
    assert normalised[1:].isdigit()
    if phone.startswith("+"):
        assert normalised == "+" + digits
    else:
        # No country code: Front assumes the USA.
        assert normalised in ("+1" + digits, "+" + digits)
        assert normalised[1:].startswith("1")
