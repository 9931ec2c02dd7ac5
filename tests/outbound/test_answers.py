"""interpret_answer: what an integration's answer means for the message, by Front's rules and ours."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emulator.outbound.answers import DEFAULT_REASONS, ERROR_TYPES, interpret_answer


def test_a_2xx_success_is_sent() -> None:
    verdict = interpret_answer(200, b'{"type": "success", "external_id": "ext-1"}')
    assert (verdict.sent, verdict.error_type, verdict.reason, verdict.conforms) == (True, None, None, True)


@pytest.mark.parametrize("status", [200, 400, 503])
@pytest.mark.parametrize("kind", ERROR_TYPES)
def test_an_error_answer_keeps_its_type_whatever_the_status(status: int, kind: str) -> None:
    stated = interpret_answer(status, orjson.dumps({"type": kind, "message": "Recipient blocked"}))
    assert (stated.error_type, stated.reason, stated.conforms) == (kind, "Recipient blocked", True)
    silent = interpret_answer(status, orjson.dumps({"type": kind}))
    assert (silent.error_type, silent.reason) == (kind, DEFAULT_REASONS[kind])


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [
        (200, b"", "answered HTTP 200 with an empty body"),
        (204, b"  ", "answered HTTP 204 with an empty body"),
        (200, b"<html>ok</html>", "with a body that is not JSON: '<html>ok</html>'"),
        (200, b'{"ok": true}', 'with JSON that is not a Front answer: {"ok":true}'),
        (500, b'{"type": "success"}', "answered HTTP 500 with JSON that is not a Front answer"),
        (502, b"Bad gateway", "answered HTTP 502 with a body that is not JSON"),
    ],
)
def test_anything_else_is_an_internal_error_saying_what_came_back(
    status: int, body: bytes, says: str
) -> None:
    verdict = interpret_answer(status, body)
    assert verdict.error_type == "internal_error" and says in (verdict.reason or "")


def test_a_success_body_on_an_error_status_still_conforms_but_fails() -> None:
    verdict = interpret_answer(500, b'{"type": "success"}')
    assert (verdict.sent, verdict.conforms) == (False, True)


def test_long_bodies_are_previewed_not_copied_into_the_reason() -> None:
    verdict = interpret_answer(200, b"x" * 10_000)
    assert len(verdict.reason or "") < 400


@given(status=st.integers(100, 599), body=st.binary(max_size=300))
def test_every_answer_gets_a_verdict(status: int, body: bytes) -> None:
    verdict = interpret_answer(status, body)
    assert verdict.error_type is None or verdict.error_type in ERROR_TYPES
    # Sent needs a 2xx; a failure always carries a sentence.
    assert not verdict.sent or 200 <= status < 300
    assert verdict.sent or verdict.reason


@given(
    status=st.integers(100, 599),
    document=st.fixed_dictionaries(
        {"type": st.sampled_from(["success", *ERROR_TYPES])}, optional={"message": st.text(min_size=1)}
    ),
)
def test_conforming_answers_are_read_as_stated(status: int, document: dict[str, str]) -> None:
    verdict = interpret_answer(status, orjson.dumps(document))
    assert verdict.conforms
    if document["type"] == "success":
        assert verdict.sent == (200 <= status < 300)
    else:
        assert verdict.error_type == document["type"]
        assert verdict.reason == document.get("message", DEFAULT_REASONS[document["type"]])
