"""emulator.signing: both of Front's schemes, every failed check, and agreement with Node's crypto."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.outbound.javascript_json import stringify_bytes
from emulator.signing import (
    SCHEMES,
    InvalidSignatureError,
    MalformedTimestampError,
    MissingSignatureError,
    SignatureError,
    StaleTimestampError,
    sign_sha1_body,
    sign_sha256_timestamp,
    signature_headers,
    verify,
    verify_json,
)
from tests.outbound.test_javascript_json import NodeLines, texts

NOW = 1_700_000_000.0
BODY = '{"type":"custom","text":"Bonjour, ça va ? 😀"}'.encode()
SECRET = "company-api-secret"


def sha256_headers(body: bytes = BODY, secret: str = SECRET, now: float = NOW) -> dict[str, str]:
    return signature_headers(body, secret, "sha256-timestamp", now=now)


# -- signing --


def test_schemes():
    assert SCHEMES == ("sha1-body", "sha256-timestamp")


def test_sha1_body_is_base64_hmac_sha1_of_the_body():
    expected = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha1).digest()).decode()
    assert sign_sha1_body(BODY, SECRET) == expected
    # RFC 2202-style known answer: HMAC-SHA1("key", "The quick brown fox jumps over the lazy dog").
    known = bytes.fromhex("de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")
    assert (
        sign_sha1_body(b"The quick brown fox jumps over the lazy dog", "key")
        == base64.b64encode(known).decode()
    )


def test_sha256_timestamp_signs_timestamp_colon_body():
    expected = hmac.new(SECRET.encode(), b"1700000000000:" + BODY, hashlib.sha256).digest()
    assert sign_sha256_timestamp(BODY, SECRET, "1700000000000") == base64.b64encode(expected).decode()
    # Computed with Node: crypto.createHmac('sha256', 's3cret').update('1700000000000:{"type":"custom"}')
    assert sign_sha256_timestamp(b'{"type":"custom"}', "s3cret", "1700000000000") == (
        "kelvtR95TAlOyh9QbUETvMnVHxK53x3NavBsH1xEc90="
    )


def test_signature_headers_sha1():
    assert signature_headers(BODY, SECRET, "sha1-body") == {"x-front-signature": sign_sha1_body(BODY, SECRET)}


def test_signature_headers_sha256_use_milliseconds_like_date_now():
    headers = signature_headers(BODY, SECRET, "sha256-timestamp", now=1_700_000_000.123)
    assert headers["x-front-request-timestamp"] == "1700000000123"
    assert headers["x-front-signature"] == sign_sha256_timestamp(BODY, SECRET, "1700000000123")
    assert set(headers) == {"x-front-request-timestamp", "x-front-signature"}


def test_signature_headers_default_to_the_current_time():
    before = time.time_ns() // 1_000_000
    stamp = int(signature_headers(BODY, SECRET, "sha256-timestamp")["x-front-request-timestamp"])
    after = time.time_ns() // 1_000_000
    assert before <= stamp <= after


def test_unicode_secrets_are_utf8_keys():
    assert (
        sign_sha1_body(BODY, "clé😀")
        == base64.b64encode(hmac.new("clé😀".encode(), BODY, hashlib.sha1).digest()).decode()
    )


@pytest.mark.parametrize("scheme", ["sha1", "SHA1-BODY", "sha256", "", "hmac-sha256-timestamp"])
def test_unknown_scheme_is_a_plain_value_error_naming_the_known_ones(scheme):
    for call in (
        lambda: signature_headers(BODY, SECRET, scheme),
        lambda: verify({"x-front-signature": "x"}, BODY, SECRET, scheme),
        lambda: verify_json({"x-front-signature": "x"}, {}, SECRET, scheme),
    ):
        with pytest.raises(ValueError, match="sha1-body, sha256-timestamp") as caught:
            call()
        assert not isinstance(caught.value, SignatureError)
        assert repr(scheme) in str(caught.value)


# -- verifying: success --


@pytest.mark.parametrize("scheme", SCHEMES)
def test_round_trip(scheme):
    headers = signature_headers(BODY, SECRET, scheme, now=NOW)
    verify(headers, BODY, SECRET, scheme, now=NOW)


def test_default_scheme_is_sha1_body():
    verify({"X-Front-Signature": sign_sha1_body(BODY, SECRET)}, BODY, SECRET)


@pytest.mark.parametrize("transform", [str.upper, str.lower, str.title, lambda name: name])
def test_header_names_are_case_insensitive(transform):
    headers = {transform(name): value for name, value in sha256_headers().items()}
    verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)
    sha1 = {transform("X-Front-Signature"): sign_sha1_body(BODY, SECRET), "Content-Type": "application/json"}
    verify(sha1, BODY, SECRET, "sha1-body")


def test_framework_header_objects_work():
    verify(httpx.Headers(sha256_headers()), BODY, SECRET, "sha256-timestamp", now=NOW)


def test_whitespace_around_header_values_is_ignored():
    headers = {name: f" {value}\t" for name, value in sha256_headers().items()}
    verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)


def test_comparison_is_constant_time(monkeypatch):
    calls: list[tuple[object, object]] = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    verify(sha256_headers(), BODY, SECRET, "sha256-timestamp", now=NOW)
    with pytest.raises(InvalidSignatureError):
        verify({"x-front-signature": "nope"}, BODY, SECRET)
    assert len(calls) == 2


# -- verifying: each failure --


def test_all_failures_are_signature_errors_and_value_errors():
    for error in (MissingSignatureError, InvalidSignatureError, StaleTimestampError, MalformedTimestampError):
        assert issubclass(error, SignatureError)
    assert issubclass(SignatureError, ValueError)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_missing_signature_header(scheme):
    headers = {"x-front-request-timestamp": "1700000000000", "content-type": "application/json"}
    with pytest.raises(MissingSignatureError, match="missing X-Front-Signature header"):
        verify(headers, BODY, SECRET, scheme, now=NOW)


def test_missing_timestamp_header():
    headers = sha256_headers()
    del headers["x-front-request-timestamp"]
    with pytest.raises(MissingSignatureError, match="missing X-Front-Request-Timestamp header"):
        verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(
    "change",
    [
        {"body": BODY + b" "},
        {"body": b""},
        {"secret": SECRET + "x"},
        {"secret": ""},
        {"signature": "AAAA"},
        {"signature": ""},
        {"signature": "clé"},  # non-ASCII must fail cleanly, not crash the comparison
    ],
)
def test_bad_signature(scheme, change):
    headers = signature_headers(BODY, SECRET, scheme, now=NOW)
    if "signature" in change:
        headers["x-front-signature"] = change["signature"]
    with pytest.raises(InvalidSignatureError, match="X-Front-Signature: signature does not match the body"):
        verify(headers, change.get("body", BODY), change.get("secret", SECRET), scheme, now=NOW)


def test_sha1_signature_is_not_accepted_under_sha256_or_vice_versa():
    with pytest.raises(InvalidSignatureError):
        verify(
            {"x-front-signature": sign_sha1_body(BODY, SECRET), "x-front-request-timestamp": "1700000000000"},
            BODY,
            SECRET,
            "sha256-timestamp",
            now=NOW,
        )
    with pytest.raises(InvalidSignatureError):
        verify(sha256_headers(), BODY, SECRET, "sha1-body")


def test_timestamp_is_part_of_the_signed_message():
    headers = sha256_headers()
    headers["x-front-request-timestamp"] = "1700000000001"
    with pytest.raises(InvalidSignatureError):
        verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)


@pytest.mark.parametrize(
    "timestamp", ["", " ", "abc", "-1700000000000", "+1700000000000", "1.7e12", "17000_00000"]
)
def test_malformed_timestamp(timestamp):
    headers = {
        "x-front-signature": sign_sha256_timestamp(BODY, SECRET, timestamp),
        "x-front-request-timestamp": timestamp,
    }
    with pytest.raises(MalformedTimestampError, match="X-Front-Request-Timestamp"):
        verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)


def test_non_ascii_digits_are_malformed():
    timestamp = "\u0661\u0667\u0660\u0660"  # Arabic-Indic digits: int() accepts them, Front never sends them
    headers = {
        "x-front-signature": sign_sha256_timestamp(BODY, SECRET, timestamp),
        "x-front-request-timestamp": timestamp,
    }
    with pytest.raises(MalformedTimestampError):
        verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)


def test_absurdly_large_timestamp_is_malformed_not_a_crash():
    timestamp = "9" * 400
    headers = {
        "x-front-signature": sign_sha256_timestamp(BODY, SECRET, timestamp),
        "x-front-request-timestamp": timestamp,
    }
    with pytest.raises(MalformedTimestampError, match="out of range"):
        verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)


@pytest.mark.parametrize("digits", [4_301, 5_000, 100_000])
def test_timestamps_past_pythons_int_digit_limit_are_malformed(digits):
    """int() refuses strings over 4,300 digits with a bare ValueError: verify must not leak it."""
    timestamp = "1" * digits
    headers = {"x-front-signature": "AAAA", "x-front-request-timestamp": timestamp}
    with pytest.raises(MalformedTimestampError, match="out of range") as caught:
        verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)
    # The message names the header without quoting all of it.
    assert len(str(caught.value)) < 200 and f"{digits:,} characters" in str(caught.value)


def test_leading_zeros_do_not_count_towards_the_range():
    timestamp = "0" * 5_000 + "1700000000000"
    headers = {
        "x-front-signature": sign_sha256_timestamp(BODY, SECRET, timestamp),
        "x-front-request-timestamp": timestamp,
    }
    verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW)


# Header values as a misbehaving sender or proxy could hand them over: any text, long digit runs.
header_values = st.one_of(
    st.text(),
    st.text(alphabet="0123456789", min_size=1, max_size=6_000),
    st.builds(
        lambda digits, pad: f"{pad}{digits}{pad}", st.integers(0).map(str), st.sampled_from(["", " ", "\t"])
    ),
)
header_names = st.sampled_from(
    ["x-front-signature", "X-Front-Signature", "x-front-request-timestamp", "X-FRONT-REQUEST-TIMESTAMP", "x"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=st.dictionaries(header_names, header_values, max_size=5),
    body=st.binary(max_size=64),
    secret=st.text(max_size=16),
    scheme=st.sampled_from(SCHEMES),
    tolerance=st.floats(min_value=0, max_value=1e12),
    now=st.floats(min_value=0, max_value=1e11),
)
def test_verify_raises_only_signature_errors_whatever_the_headers(
    headers, body, secret, scheme, tolerance, now
):
    # Anything but a SignatureError (or no error) escapes and fails the example.
    with contextlib.suppress(SignatureError):
        verify(headers, body, secret, scheme, tolerance=tolerance, now=now)


# -- tolerance --


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (0.0, True),
        (299.999, True),
        (300.0, True),  # the boundary itself is accepted
        (300.001, False),
        (-300.0, True),
        (-300.001, False),
        (86_400.0, False),
        (-86_400.0, False),
    ],
)
def test_default_tolerance_is_five_minutes_either_way(offset, accepted):
    headers = sha256_headers(now=NOW)
    if accepted:
        verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW + offset)
    else:
        with pytest.raises(StaleTimestampError):
            verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW + offset)


def test_stale_message_gives_age_and_tolerance():
    with pytest.raises(StaleTimestampError) as caught:
        verify(sha256_headers(), BODY, SECRET, "sha256-timestamp", now=NOW + 301.5)
    assert str(caught.value) == "X-Front-Request-Timestamp 1700000000000 is 301.500 s old; tolerance is 300 s"


def test_future_message_says_future():
    with pytest.raises(StaleTimestampError, match=r"is 45\.000 s in the future; tolerance is 30 s"):
        verify(sha256_headers(), BODY, SECRET, "sha256-timestamp", tolerance=30, now=NOW - 45)


def test_custom_tolerance():
    verify(sha256_headers(), BODY, SECRET, "sha256-timestamp", tolerance=3600, now=NOW + 3599)
    with pytest.raises(StaleTimestampError):
        verify(sha256_headers(), BODY, SECRET, "sha256-timestamp", tolerance=1, now=NOW + 1.5)


def test_verify_json_takes_the_same_tolerance_and_now():
    parsed = json.loads(BODY)
    verify_json(sha256_headers(), parsed, SECRET, "sha256-timestamp", tolerance=3600, now=NOW + 3599)
    with pytest.raises(StaleTimestampError, match="tolerance is 30 s"):
        verify_json(sha256_headers(), parsed, SECRET, "sha256-timestamp", tolerance=30, now=NOW - 45)


def test_tolerance_uses_the_real_clock_by_default():
    verify(signature_headers(BODY, SECRET, "sha256-timestamp"), BODY, SECRET, "sha256-timestamp")
    with pytest.raises(StaleTimestampError):
        verify(sha256_headers(now=time.time() - 600), BODY, SECRET, "sha256-timestamp")


def test_timestamp_in_seconds_is_accepted():
    headers = {
        "x-front-request-timestamp": "1700000000",
        "x-front-signature": sign_sha256_timestamp(BODY, SECRET, "1700000000"),
    }
    verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW + 10)
    with pytest.raises(StaleTimestampError):
        verify(headers, BODY, SECRET, "sha256-timestamp", now=NOW + 301)


def test_sha1_scheme_ignores_timestamps():
    headers = {"x-front-signature": sign_sha1_body(BODY, SECRET), "x-front-request-timestamp": "garbage"}
    verify(headers, BODY, SECRET, "sha1-body", now=0)


# -- verify_json: as Node receivers verify --

DOCUMENT = {"created_at": 1453770984.0, "text": "naïve — 😀", "2": "index key", "metadata": {"1": None}}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_verify_json_accepts_the_parsed_body_of_what_we_send(scheme):
    sent = stringify_bytes(DOCUMENT)
    assert (
        sent == '{"2":"index key","created_at":1453770984,"text":"naïve — 😀","metadata":{"1":null}}'.encode()
    )
    headers = signature_headers(sent, SECRET, scheme, now=NOW)
    verify_json(headers, json.loads(sent), SECRET, scheme, now=NOW)
    verify_json(headers, DOCUMENT, SECRET, scheme, now=NOW)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_verify_json_rejects_what_pythons_json_dumps_would_have_signed(scheme):
    """The custom-channel pitfall: signing json.dumps output breaks receivers that re-serialise the body."""
    sent = json.dumps(DOCUMENT).encode()
    headers = signature_headers(sent, SECRET, scheme, now=NOW)
    verify(headers, sent, SECRET, scheme, now=NOW)  # the raw bytes verify ...
    with pytest.raises(InvalidSignatureError):  # ... the re-serialised body does not
        verify_json(headers, json.loads(sent), SECRET, scheme, now=NOW)


def test_verify_json_passes_tolerance_through():
    sent = stringify_bytes(DOCUMENT)
    headers = signature_headers(sent, SECRET, "sha256-timestamp", now=NOW)
    with pytest.raises(StaleTimestampError, match="tolerance is 10 s"):
        verify_json(headers, DOCUMENT, SECRET, "sha256-timestamp", tolerance=10, now=NOW + 11)


# -- properties --

# Any code point, biased to awkward ones: lone surrogates (Node encodes them as U+FFFD), split pairs.
# (st.text would drop surrogates.)
secrets = texts


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=300),
    secret=secrets,
    scheme=st.sampled_from(SCHEMES),
    # Real times: below 1e11 a timestamp reads as seconds (documented), so tiny `now` values would not
    # round-trip.
    now=st.floats(1e9, 4e9),
    data=st.data(),
)
def test_sign_then_verify_and_any_flipped_byte_fails(body, secret, scheme, now, data):
    headers = signature_headers(body, secret, scheme, now=now)
    verify(headers, body, secret, scheme, now=now)

    if body:
        position = data.draw(st.integers(0, len(body) - 1), label="body byte")
        flip = data.draw(st.integers(1, 255), label="xor")
        tampered = bytearray(body)
        tampered[position] ^= flip
        with pytest.raises(InvalidSignatureError):
            verify(headers, bytes(tampered), secret, scheme, now=now)

    digest = bytearray(base64.b64decode(headers["x-front-signature"]))
    position = data.draw(st.integers(0, len(digest) - 1), label="signature byte")
    digest[position] ^= data.draw(st.integers(1, 255), label="xor")
    forged = {**headers, "x-front-signature": base64.b64encode(bytes(digest)).decode()}
    with pytest.raises(InvalidSignatureError):
        verify(forged, body, secret, scheme, now=now)


# -- Node: crypto.createHmac over JSON.stringify(JSON.parse(body)), as receivers compute it --

# Each stdin line is a JSON array [algorithm, secret, timestamp or null, body text]; each answer line
# is the base64 HMAC a Node receiver computes from the re-serialised parsed body.
HMAC_SCRIPT = r"""
const crypto = require('crypto');
const rl = require('readline').createInterface({input: process.stdin, crlfDelay: Infinity});
rl.on('line', (line) => {
  let out;
  try {
    const [algorithm, secret, timestamp, bodyText] = JSON.parse(line);
    const reserialised = JSON.stringify(JSON.parse(bodyText));
    const signed = timestamp === null ? reserialised : timestamp + ':' + reserialised;
    out = crypto.createHmac(algorithm, secret).update(signed).digest('base64');
  } catch (e) { out = 'NODE ERROR ' + e.message; }
  process.stdout.write(out + '\n');
});
"""

handles = st.one_of(texts, st.from_regex(r"\+[1-9][0-9]{6,14}", fullmatch=True), st.emails())
message_documents = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"msg_[0-9a-z]{1,8}", fullmatch=True),
        "type": st.just("custom"),
        "is_inbound": st.just(False),
        "created_at": st.one_of(
            st.floats(0, 4e9, allow_nan=False),
            st.integers(0, 4_000_000_000).map(float),
            st.integers(0, 4_000_000_000_000).map(lambda n: n / 1000),
        ),
        "subject": texts,
        "body": texts.map(lambda text: f"<p>{text}</p>"),
        "text": texts,
        "author": st.fixed_dictionaries({"id": st.just("tea_1"), "first_name": texts, "last_name": texts}),
        "recipients": st.lists(
            st.fixed_dictionaries(
                {"handle": handles, "role": st.sampled_from(["from", "to", "cc"]), "name": st.none() | texts}
            ),
            max_size=3,
        ),
        "attachments": st.lists(
            st.fixed_dictionaries(
                {"filename": texts, "size": st.integers(0, 2**40), "url": st.just("http://x/download")}
            ),
            max_size=2,
        ),
        "metadata": st.fixed_dictionaries(
            {
                "headers": st.dictionaries(
                    st.sampled_from(["in_reply_to", "0", "10", "1", "x"]), texts, max_size=3
                )
            }
        ),
    }
)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_node_receivers_compute_our_signatures(scheme):
    with NodeLines(HMAC_SCRIPT) as node:

        @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(document=message_documents, secret=secrets, now=st.floats(1e9, 4e9))
        def check(document: dict[str, object], secret: str, now: float) -> None:
            body = stringify_bytes(document)
            headers = signature_headers(body, secret, scheme, now=now)
            timestamp = headers.get("x-front-request-timestamp")
            algorithm = "sha1" if scheme == "sha1-body" else "sha256"
            request = json.dumps([algorithm, secret, timestamp, body.decode("utf-8")])
            answer = node.ask(request)
            assert not answer.startswith("NODE ERROR"), answer
            assert answer == headers["x-front-signature"]
            # and our own Node-style verification agrees
            verify_json(headers, json.loads(body), secret, scheme, now=now)

        check()
