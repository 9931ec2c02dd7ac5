"""Sender handles: Front normalises phone numbers without a country code to the USA (+1)."""

from __future__ import annotations

import re

# ASCII digits with the separators people type; no letters, no @, so user ids and emails are left alone.
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]{7,}$", re.ASCII)
_NOT_DIGITS = re.compile(r"\D", re.ASCII)
# Fewer digits is no phone number (e.g. a 5-digit SMS short code, or separators alone): left as sent.
MIN_PHONE_DIGITS = 7


def normalise_handle(handle: str) -> str:
    """`(555) 010-1234` → `+15550101234`; `+33 6 12…` → `+3361…`; anything that is not a phone stays."""
    if not _PHONE_LIKE.match(handle):
        return handle
    digits = _NOT_DIGITS.sub("", handle)
    if len(digits) < MIN_PHONE_DIGITS:
        return handle
    if handle.startswith("+"):
        return "+" + digits
    if len(digits) == 10:
        return "+1" + digits
    if len(digits) == 11 and digits.startswith("1"):
        return "+" + digits
    # Not a North American number and no country code: Front prefixes +1 all the same.
    return "+1" + digits
