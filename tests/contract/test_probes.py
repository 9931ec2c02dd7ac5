"""emulator.contract.probes.read_answer: an answer is a Front answer, or the reason it is not."""

from __future__ import annotations

import pytest

from emulator.contract.probes import Exchange, read_answer


def exchange(body: bytes, status: int = 200) -> Exchange:
    return Exchange(headers={}, status=status, body=body, seconds=0.01, transport_error=None)


def test_front_answers_are_read():
    assert read_answer(exchange(b'{"type": "success"}')) == ("success", None)
    forbidden = exchange(b'{"type": "forbidden", "message": "no"}', 403)
    assert read_answer(forbidden) == ("forbidden", None)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty body"),
        (b"   ", "empty body"),
        (b"<html>oops</html>", "not JSON"),
        (b'{"ok": true}', "not a Front answer"),
        (b'{"type": "great"}', "not a Front answer"),
    ],
)
def test_other_answers_say_why_they_are_not_front_answers(body, reason):
    answer, problem = read_answer(exchange(body, 500))
    assert answer is None
    assert problem is not None and reason in problem and "HTTP 500" in problem
