"""emulator.outbound.javascript_json: byte-for-byte what Node's JSON.stringify(JSON.parse(x)) prints."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import os
import select
import shutil
import subprocess
import timeit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.outbound.javascript_json import stringify, stringify_bytes

# -- Node, for the cross-checks --

# Each line on stdin is a JSON string holding one document's text (so the transport is pure ASCII and
# no line-splitting rule can cut a document); each answer line is JSON.stringify(JSON.parse(document)).
STRINGIFY_SCRIPT = r"""
const rl = require('readline').createInterface({input: process.stdin, crlfDelay: Infinity});
rl.on('line', (line) => {
  let out;
  try { out = JSON.stringify(JSON.parse(JSON.parse(line))); } catch (e) { out = 'NODE ERROR ' + e.message; }
  process.stdout.write(out + '\n');
});
"""


def node_executable() -> str:
    """Node is part of the machine image (`make node` installs it); a missing Node fails, never skips."""
    found = shutil.which("node") or ("/usr/bin/node" if os.access("/usr/bin/node", os.X_OK) else None)
    assert found, "Node.js is required for the cross-checks: run `make node` (apt-get install nodejs)"
    return found


class NodeLines:
    """One Node process for a whole test, asked one line at a time so Hypothesis can shrink failures."""

    def __init__(self, script: str) -> None:
        self.process = subprocess.Popen(
            [node_executable(), "-e", script],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def ask(self, line: str) -> str:
        assert "\n" not in line
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(line.encode("ascii") + b"\n")
        stdin.flush()
        # A hung Node must fail the test, not hang the suite.
        readable, _, _ = select.select([stdout], [], [], 30)
        assert readable, "node gave no answer within 30 s"
        answer = stdout.readline()
        if not answer:
            stderr = self.process.stderr.read().decode() if self.process.stderr else ""
            raise AssertionError(f"node exited: {stderr}")
        return answer.decode("utf-8").removesuffix("\n")

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()

    def __enter__(self) -> NodeLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def node_stringify(node: NodeLines, text: str) -> str:
    answer = node.ask(json.dumps(text))
    assert not answer.startswith("NODE ERROR"), f"{answer} for {text!r}"
    return answer


# -- strategies --

TRICKY_CHARACTERS = [
    '"', "\\", "/", "\x00", "\x07", "\b", "\t", "\n", "\x0b", "\f", "\r", "\x1b", "\x1f", " ", "\x7f",
    "\x80", "\xa0", "é", "\u00ad", "\u2028", "\u2029", "\ufeff", "\uffff", "€", "😀", "\U0010ffff",
    "\ud800", "\udbff", "\udc00", "\udfff", "\ud83d", "\ude00",
]  # fmt: skip
characters = st.one_of(
    st.sampled_from(TRICKY_CHARACTERS),
    st.characters(exclude_categories=()),  # every code point, surrogates included
)
# Surrogate pairs spelt as two Python code points: one character for JavaScript.
SPLIT_PAIRS = ["\ud83d\ude00", "\ud800\udc00", "\udbff\udfff"]
texts = st.lists(st.one_of(characters, st.sampled_from(SPLIT_PAIRS)), max_size=20).map("".join)
NUMERIC_KEYS = [
    "0", "1", "2", "9", "10", "01", "00", "-0", "-1", "+1", "1.0", "1e3", " 1", "1 ", "0x1", "\u0661",
    "4294967294", "4294967295", "4294967296", "9007199254740993", "", "__proto__", "length",
]  # fmt: skip
keys = st.one_of(
    texts,
    st.sampled_from(NUMERIC_KEYS),
    st.integers(0, 2**32 + 2).map(str),
    st.integers(0, 300).map(str),
)
SPECIAL_FLOATS = [
    0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e-7, 1e-6, 9.999999999999997e-7, 1.5e-7, 1e16, 1e20, 1e21,
    9.999999999999999e20, 1.2345678901234568e20, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
    2.0**53, 2.0**53 + 2, 1453770984.0, 1453770984.123, 123e-20, 0.000001234, 1e100, 1.5e300,
]  # fmt: skip
finite_floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(SPECIAL_FLOATS),
    st.integers(-(2**70), 2**70).map(float),
    st.integers(-(10**6), 10**6).map(lambda n: n / 1000),  # timestamps with milliseconds
)
integers = st.one_of(
    st.integers(),
    st.integers(-(2**1100), 2**1100),  # beyond the doubles: JavaScript's Infinity, printed null
    st.integers(2**53 - 3, 2**53 + 3).flatmap(lambda n: st.sampled_from([n, -n])),
)


def json_values(scalars: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.lists(children, max_size=3).map(tuple),
            st.dictionaries(keys, children, max_size=6),
        ),
        max_leaves=25,
    )


base_scalars = st.one_of(st.none(), st.booleans(), texts)
# What Node can read back: finite numbers only (Python's json.dumps would write NaN, not JSON).
node_values = json_values(st.one_of(base_scalars, finite_floats, integers))
all_values = json_values(
    st.one_of(base_scalars, finite_floats, integers, st.floats(allow_nan=True, allow_infinity=True))
)
# Values that survive a JSON round trip unchanged (no rounding of big ints, no NaN).
exact_values = json_values(
    st.one_of(base_scalars, st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**53), 2**53))
)


def as_javascript_sees_it(value: object) -> object:
    """Tuples become arrays; strings are UTF-16 in JavaScript, so adjacent surrogates form one character."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    if isinstance(value, list | tuple):
        return [as_javascript_sees_it(item) for item in value]
    if isinstance(value, dict):
        return {as_javascript_sees_it(key): as_javascript_sees_it(item) for key, item in value.items()}
    return value


# -- layout --


def test_compact_separators_and_literals():
    assert stringify({"a": [1, 2, {"b": None}], "c": True, "d": False}) == (
        '{"a":[1,2,{"b":null}],"c":true,"d":false}'
    )
    assert stringify([]) == "[]"
    assert stringify({}) == "{}"
    assert stringify([[], {}, [[]]]) == "[[],{},[[]]]"
    assert stringify(None) == "null"
    assert stringify("x") == '"x"'


def test_tuples_are_arrays():
    assert stringify((1, ("a",), [])) == '[1,["a"],[]]'


def test_shared_but_not_circular_references_are_fine():
    shared = {"x": [1]}
    assert stringify([shared, shared]) == '[{"x":[1]},{"x":[1]}]'


# -- strings --


@pytest.mark.parametrize(
    ("character", "escaped"),
    [
        ('"', '\\"'),
        ("\\", "\\\\"),
        ("\b", "\\b"),
        ("\f", "\\f"),
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\x00", "\\u0000"),
        ("\x01", "\\u0001"),
        ("\x0b", "\\u000b"),
        ("\x1a", "\\u001a"),
        ("\x1f", "\\u001f"),
    ],
)
def test_escapes_like_javascript(character, escaped):
    assert stringify(f"a{character}b") == f'"a{escaped}b"'


def test_every_control_character_is_escaped_with_lowercase_hex():
    short = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    for code in range(0x20):
        character = chr(code)
        assert stringify(character) == '"' + short.get(character, f"\\u{code:04x}") + '"'


@pytest.mark.parametrize(
    "character", [" ", "/", "'", "<", "\x7f", "\x80", "é", "\u2028", "\u2029", "\ufeff", "€"]
)
def test_characters_javascript_leaves_alone(character):
    assert stringify(character) == f'"{character}"'


def test_non_ascii_is_utf8_not_escaped():
    assert stringify_bytes({"text": "héllo 😀 日本"}) == '{"text":"héllo 😀 日本"}'.encode()


def test_lone_surrogates_are_escaped_lowercase():
    assert stringify("\ud800") == '"\\ud800"'
    assert stringify("a\udfffb") == '"a\\udfffb"'
    assert stringify("\udbff\udbff") == '"\\udbff\\udbff"'
    # low before high is not a pair
    assert stringify("\udc00\ud800") == '"\\udc00\\ud800"'
    assert stringify({"\udead": "\ud83d"}) == '{"\\udead":"\\ud83d"}'


def test_adjacent_surrogates_are_one_character_as_in_utf16():
    assert stringify("\ud83d\ude00") == '"😀"'
    assert stringify("\ud800\ud83d\ude00\udc00") == '"\\ud800😀\\udc00"'


def test_stringify_bytes_encodes_utf8_even_with_lone_surrogates():
    assert stringify_bytes(["€", "\ud800"]) == b'["\xe2\x82\xac","\\ud800"]'


# -- numbers --


@pytest.mark.parametrize(
    ("number", "javascript"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (1.0, "1"),
        (-1.0, "-1"),
        (1453770984.0, "1453770984"),
        (1453770984.123, "1453770984.123"),
        (0.1, "0.1"),
        (0.1 + 0.2, "0.30000000000000004"),
        (-1.5, "-1.5"),
        (1e16, "10000000000000000"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (9.999999999999999e20, "999999999999999900000"),
        (1e21, "1e+21"),
        (-1e21, "-1e+21"),
        (1.5e21, "1.5e+21"),
        (1e100, "1e+100"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1e-6, "0.000001"),
        (0.000001234, "0.000001234"),
        (1.2345e-5, "0.000012345"),
        (9.999999999999997e-7, "9.999999999999997e-7"),  # the double just below 1e-6
        (1e-7, "1e-7"),
        (-1e-7, "-1e-7"),
        (1.5e-7, "1.5e-7"),
        (123e-20, "1.23e-18"),
        (5e-324, "5e-324"),
        (2.0**53, "9007199254740992"),
        (2.0**64, "18446744073709552000"),
    ],
)
def test_floats_print_as_javascript_numbers(number, javascript):
    assert stringify(number) == javascript
    assert stringify([number]) == f"[{javascript}]"


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_are_null(number):
    assert stringify({"x": number}) == '{"x":null}'


@pytest.mark.parametrize(
    ("number", "javascript"),
    [
        (0, "0"),
        (-7, "-7"),
        (2**53, "9007199254740992"),
        (-(2**53), "-9007199254740992"),
        (2**53 + 1, "9007199254740992"),  # the double JSON.parse would produce
        (-(2**53) - 1, "-9007199254740992"),
        (2**53 + 3, "9007199254740996"),
        (2**64, "18446744073709552000"),
        (10**21, "1e+21"),
        (10**21 - 1, "1e+21"),
        (10**308, "1e+308"),
        (10**400, "null"),  # JSON.parse gives Infinity
        (-(10**400), "null"),
    ],
)
def test_ints_print_as_the_double_javascript_would_hold(number, javascript):
    assert stringify(number) == javascript


def test_bools_are_not_numbers():
    assert stringify([True, False, 1, 0]) == "[true,false,1,0]"


def test_int_and_float_subclasses_print_their_values():
    class Colour(enum.IntEnum):
        RED = 3

    class Precise(float):
        def __repr__(self) -> str:
            return "not this"

    assert stringify([Colour.RED, Precise(2.5), Precise(3.0)]) == "[3,2.5,3]"


# -- object key order --


def test_array_index_keys_come_first_in_numeric_order():
    document = {"b": 1, "2": 2, "a": 3, "10": 4, "1": 5, "0": 6}
    assert stringify(document) == '{"0":6,"1":5,"2":2,"10":4,"b":1,"a":3}'


def test_only_canonical_array_indices_move():
    document = {
        "z": 0,
        "4294967295": 1,  # 2**32 - 1 is not an array index
        "01": 2,
        "-1": 3,
        "1.0": 4,
        "+1": 5,
        " 1": 6,
        "\u0661": 7,  # ARABIC-INDIC DIGIT ONE
        "": 8,
        "4294967294": 9,  # the largest array index
        "00": 10,
        "-0": 11,
        "7": 12,
    }
    assert stringify(document) == (
        '{"7":12,"4294967294":9,"z":0,"4294967295":1,"01":2,"-1":3,"1.0":4,"+1":5," 1":6,"\u0661":7,"":8,'
        '"00":10,"-0":11}'
    )


def test_key_order_applies_at_every_depth():
    assert stringify([{"x": {"b": 0, "1": 1}}]) == '[{"x":{"1":1,"b":0}}]'


# -- refusals --


@pytest.mark.parametrize(
    "value",
    [
        b"bytes",
        bytearray(b"x"),
        {1, 2},
        frozenset(),
        decimal.Decimal("1.5"),
        datetime.datetime(2024, 1, 1),
        object(),
        1j,
        [1, object()],
        {"a": {"b": b"x"}},
    ],
)
def test_other_types_raise_type_error(value):
    with pytest.raises(TypeError, match="not JSON serializable"):
        stringify(value)


@pytest.mark.parametrize("key", [1, None, 1.5, True, ("a",)])
def test_non_string_keys_raise_type_error(key):
    with pytest.raises(TypeError, match="keys must be str"):
        stringify({key: 1})


def test_circular_structures_raise_type_error():
    loop: list[object] = [1]
    loop.append(loop)
    with pytest.raises(TypeError, match="circular"):
        stringify(loop)
    table: dict[str, object] = {}
    table["self"] = {"again": table}
    with pytest.raises(TypeError, match="circular"):
        stringify(table)


# -- speed --

MESSAGE = {
    "_links": {
        "self": "http://127.0.0.1:8025/messages/msg_1a2b3c",
        "related": {
            "conversation": "http://127.0.0.1:8025/conversations/cnv_1a2b",
            "message_replied_to": "http://127.0.0.1:8025/messages/msg_0001",
        },
    },
    "id": "msg_1a2b3c",
    "type": "custom",
    "is_inbound": False,
    "is_draft": False,
    "error_type": None,
    "created_at": 1453770984.123,
    "subject": "Re: Votre commande #12345 — délai de livraison",
    "blurb": "Bonjour, merci pour votre message. Nous avons bien reçu…",
    "body": "<p>Bonjour,</p><p>Merci pour votre message. Nous avons bien reçu votre commande et elle sera "
    "expédiée sous 48 h. 😀</p><p>Cordialement,<br>L'équipe du service client</p>" * 2,
    "text": "Bonjour,\n\nMerci pour votre message. Nous avons bien reçu votre commande et elle sera expédiée "
    "sous 48 h. 😀\n\nCordialement,\nL'équipe du service client" * 2,
    "author": {
        "_links": {"self": "http://127.0.0.1:8025/teammates/tea_1"},
        "id": "tea_1",
        "email": "leela@planet-express.com",
        "username": "leela",
        "first_name": "Leela",
        "last_name": "Turanga",
        "is_admin": True,
        "is_available": True,
        "is_blocked": False,
        "custom_fields": {},
    },
    "recipients": [
        {"_links": {"related": {"contact": None}}, "name": None, "handle": "channel-address", "role": "from"},
        {
            "_links": {"related": {"contact": "http://127.0.0.1:8025/contacts/crd_1"}},
            "name": "Fry",
            "handle": "+15551234567",
            "role": "to",
        },
    ],
    "attachments": [
        {
            "id": "fil_1",
            "filename": "invoice.pdf",
            "url": "http://127.0.0.1:8025/download/fil_1",
            "content_type": "application/pdf",
            "size": 48213,
            "metadata": {"is_inline": False},
        }
    ],
    "metadata": {"headers": {"in_reply_to": "ext-msg-0001"}, "external_conversation_id": "ext-cnv-1"},
}


def test_a_2kb_message_takes_well_under_a_millisecond():
    assert 1800 <= len(stringify_bytes(MESSAGE)) <= 2600
    # Best of several runs, so a busy machine does not make the test flaky; measured ~0.1 ms.
    per_call = min(timeit.repeat(lambda: stringify_bytes(MESSAGE), number=200, repeat=5)) / 200
    assert per_call < 0.001, f"{per_call * 1e6:.0f} µs per 2 KB message"


# -- properties --


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(all_values)
def test_reparsing_our_output_prints_the_same_bytes(value):
    text = stringify(value)
    assert stringify(json.loads(text)) == text
    assert stringify_bytes(value) == text.encode("utf-8")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(exact_values)
def test_output_parses_back_to_the_same_data(value):
    # Python equality treats 1 == 1.0 == -0.0 == 0, matching JavaScript's single number type.
    # parse_int=float: "54486271427892740" and 5.448627142789274e16 are one number in JavaScript.
    assert json.loads(stringify(value), parse_int=float) == as_javascript_sees_it(value)


def test_matches_node_for_generated_documents():
    """One Node process; each generated document goes through JSON.parse + JSON.stringify in Node.

    Node reads Python's own (ASCII, differently formatted) rendering of the data, so this checks that we
    print the right thing for the data, and it also reads our output, checking it is a fixed point.
    """
    with NodeLines(STRINGIFY_SCRIPT) as node:

        @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(node_values)
        def check(value: object) -> None:
            ours = stringify(value)
            assert node_stringify(node, json.dumps(value, allow_nan=False)) == ours
            assert node_stringify(node, ours) == ours

        check()


def test_matches_node_for_the_unit_table():
    """The hand-written cases above, confirmed against Node itself."""
    numbers = [*SPECIAL_FLOATS, 0.1 + 0.2, 2.0**64, 1.2345e-5, 2**53 + 1, 2**64, 10**21 - 1, 10**400]
    with NodeLines(STRINGIFY_SCRIPT) as node:
        for number in numbers:
            assert node_stringify(node, json.dumps(number)) == stringify(number), number
        for code in [*range(0x20), 0x7F, 0x2028, 0x2029, 0xD800, 0xDBFF, 0xDC00, 0xDFFF]:
            assert node_stringify(node, json.dumps(chr(code))) == stringify(chr(code)), hex(code)
        document = {key: index for index, key in enumerate(reversed(NUMERIC_KEYS))}
        assert node_stringify(node, json.dumps(document)) == stringify(document)
