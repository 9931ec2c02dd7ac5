"""Serialise Python data exactly as JavaScript's ``JSON.stringify`` prints it.

Front signs the bytes of the outgoing request, and Node receivers verify by re-serialising the parsed
body (``JSON.stringify(req.body)``). Signatures therefore only verify if the bytes we send are a fixed
point of ``JSON.stringify(JSON.parse(...))``. Python's ``json.dumps`` is not: it adds spaces, escapes
non-ASCII, prints ``1.0`` and ``1e-05``, and keeps keys in insertion order where JavaScript moves
array-index keys first.

>>> stringify({"b": 1.0, "a": [1e21, 1e-7, -0.0, "é\\n"], "10": None, "2": True})
'{"2":true,"10":null,"b":1,"a":[1e+21,1e-7,0,"é\\\\n"]}'

The rules reproduced (ECMAScript ``JSON.stringify`` / ``QuoteJSONString`` / ``Number::toString``,
as implemented by Node >= 12):

- compact separators, no whitespace;
- strings: ``"`` and ``\\`` escaped, control characters below U+0020 as ``\\b \\f \\n \\r \\t`` or
  ``\\u00xx`` (lowercase hex); everything else, including non-ASCII, DEL and U+2028/U+2029, unescaped;
  lone surrogates as ``\\udxxx`` (lowercase); a high surrogate followed by a low one is one character
  in JavaScript's UTF-16 strings, so it is printed as that character;
- numbers: shortest round-trip digits, integer-valued floats without ``.0``, exponent form from
  ``1e+21`` up and from ``1e-7`` down, ``-0`` as ``0``, NaN and infinities as ``null``; Python ints
  outside +-2**53 are printed as the double JavaScript would parse them into (``null`` when that
  overflows to Infinity);
- object keys in JavaScript property order: array-index keys (``"0"`` ... ``"4294967294"``) ascending,
  then the others in insertion order;
- ``None`` -> ``null``, ``bool`` -> ``true``/``false``, lists and tuples -> arrays, dicts -> objects.

Anything else (other types, non-string keys, circular references) raises ``TypeError``, as
``JSON.stringify`` does for BigInt and cycles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sized
from json.encoder import encode_basestring  # C-accelerated; escapes exactly what JavaScript escapes

__all__ = ["stringify", "stringify_bytes"]

# Python ints in this range are exact doubles, and for them the shortest round-trip digits are the
# integer's own digits, so str() already prints what JavaScript prints.
_SAFE_INT = 2**53
# Array indices are integers 0 .. 2**32 - 2 (ECMAScript "array index"); larger integer-looking keys are
# ordinary named properties and keep their insertion order.
_MAX_ARRAY_INDEX = 2**32 - 2
_DIGITS = frozenset("0123456789")
# A surrogate pair (two Python code points) or a lone surrogate. Only ever found inside string literals.
_SURROGATES = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")


def stringify(value: object) -> str:
    """Return what Node's ``JSON.stringify(JSON.parse(x))`` prints for data equal to ``value``.

    >>> stringify({"n": 1453770984.0, "s": "naïve \\u2028"})
    '{"n":1453770984,"s":"naïve \\u2028"}'
    """
    chunks: list[str] = []
    _encode(value, chunks, set())
    text = "".join(chunks)
    # One scan of the whole output is cheaper than one per string, and surrogates are rare.
    if _SURROGATES.search(text) is not None:
        text = _SURROGATES.sub(_fix_surrogates, text)
    return text


def stringify_bytes(value: object) -> bytes:
    """``stringify(value)`` encoded as UTF-8: the exact bytes to send and sign.

    Never fails on lone surrogates, since ``stringify`` escapes them.

    >>> stringify_bytes(["€", "\\ud800"])
    b'["\\xe2\\x82\\xac","\\\\ud800"]'
    """
    return stringify(value).encode("utf-8")


def _fix_surrogates(match: re.Match[str]) -> str:
    found = match.group()
    if len(found) == 2:
        # JavaScript strings are UTF-16: a high surrogate followed by a low one is a single character.
        return chr(0x10000 + ((ord(found[0]) - 0xD800) << 10) + (ord(found[1]) - 0xDC00))
    return f"\\u{ord(found):04x}"


def _encode(value: object, out: list[str], active: set[int]) -> None:
    # Exact-type checks first: they are the common case and cheaper than isinstance chains. mypy does not
    # narrow `value` through `kind`, hence the three ignores.
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))  # type: ignore[arg-type]
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(_int_to_js(value))  # type: ignore[arg-type]
    elif kind is float:
        out.append(_float_to_js(value))  # type: ignore[arg-type]
    elif isinstance(value, dict):
        _encode_object(value, out, active)
    elif isinstance(value, list | tuple):
        _encode_array(value, out, active)
    elif isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, int):
        # int.__repr__, not str(): IntEnum and friends would print their names.
        out.append(_int_to_js(int(value)))
    elif isinstance(value, float):
        out.append(_float_to_js(float(value)))
    else:
        raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


def _encode_array(items: list[object] | tuple[object, ...], out: list[str], active: set[int]) -> None:
    _encode_container(items, "[]", ((None, item) for item in items), out, active)


def _encode_object(obj: dict[object, object], out: list[str], active: set[int]) -> None:
    _encode_container(obj, "{}", _javascript_order(obj), out, active)


def _encode_container(
    container: Sized,
    brackets: str,
    entries: Iterable[tuple[str | None, object]],
    out: list[str],
    active: set[int],
) -> None:
    """An array (entries without keys) or an object, refusing a cycle as JSON.stringify does."""
    if not container:
        out.append(brackets)
        return
    marker = id(container)
    if marker in active:
        raise TypeError("Converting circular structure to JSON")
    active.add(marker)
    out.append(brackets[0])
    for index, (key, item) in enumerate(entries):
        if index:
            out.append(",")
        if key is not None:
            out.append(encode_basestring(key))
            out.append(":")
        _encode(item, out, active)
    out.append(brackets[1])
    active.discard(marker)


def _javascript_order(obj: dict[object, object]) -> list[tuple[str, object]]:
    """Items in the order a JavaScript object built from them would enumerate its keys."""
    indices: list[tuple[int, str, object]] = []
    named: list[tuple[str, object]] = []
    for key, item in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"keys must be str, not {type(key).__name__}")
        index = _array_index(key)
        if index is None:
            named.append((key, item))
        else:
            indices.append((index, key, item))
    if not indices:
        return named
    indices.sort(key=lambda entry: entry[0])
    return [(key, item) for _, key, item in indices] + named


def _array_index(key: str) -> int | None:
    # Canonical decimal only: "01", "+1", "1.0", "-0" and non-ASCII digits are ordinary names.
    if not key or key[0] not in _DIGITS or len(key) > 10:
        return None
    if not (key.isascii() and key.isdigit()) or (key[0] == "0" and len(key) > 1):
        return None
    index = int(key)
    return index if index <= _MAX_ARRAY_INDEX else None


def _int_to_js(number: int) -> str:
    if -_SAFE_INT <= number <= _SAFE_INT:
        return int.__repr__(number)
    try:
        # JSON.parse reads a long integer literal as the nearest double; float() rounds the same way.
        as_double = float(number)
    except OverflowError:
        return "null"  # JavaScript's Infinity, which JSON.stringify prints as null
    return _float_to_js(as_double)


def _float_to_js(number: float) -> str:
    """Number.prototype.toString(10) for a finite float; ``null`` for NaN and the infinities."""
    if number != number or number in (float("inf"), float("-inf")):
        return "null"
    if number == 0.0:
        return "0"  # also for -0.0: JavaScript prints -0 as "0"
    text = float.__repr__(number)
    if "e" not in text:
        # Python and JavaScript both print shortest round-trip digits positionally in 1e-4 <= |x| < 1e16,
        # the only difference being Python's ".0" on integral values.
        return text[:-2] if text.endswith(".0") else text
    sign = ""
    if text[0] == "-":
        sign = "-"
        text = text[1:]
    mantissa, _, exponent_text = text.partition("e")
    digits = mantissa.replace(".", "")
    k = len(digits)
    n = int(exponent_text) + 1  # value = 0.d1d2...dk * 10**n, the n of ECMAScript's Number::toString
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    exponent = n - 1
    exponent_part = f"e+{exponent}" if exponent >= 0 else f"e-{-exponent}"
    if k == 1:
        return sign + digits + exponent_part
    return sign + digits[0] + "." + digits[1:] + exponent_part
