"""The delivery engine under load: many replies, a slow and flaky integration, a hanging one.

Every message must end in exactly one final state, the journal must account for every attempt, and a
hanging integration must hold neither the API nor another channel's deliveries.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections import Counter

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.conftest import CHANNEL, LiveServer, read_message
from tests.helpers import conversation_of, start_conversation
from tests.receiver import Answer

SECRET = "front-emulator-api-secret"
ADA = "tea_1b01"
REPLIES = 200
CONVERSATIONS = 50
FINAL = ("sent", "failed")
OUTGOING_TIMEOUT = 5


def use_url(client, url: str, channel: str = CHANNEL, **settings) -> None:
    answer = client.patch(f"/channels/{channel}", json={"settings": {"webhook_url": url, **settings}})
    assert answer.status_code == 204, answer.text


def reply(client, conversation_id: str, body: str) -> str:
    answer = client.post(f"/conversations/{conversation_id}/messages", json={"body": body, "author_id": ADA})
    assert answer.status_code == 202, answer.text
    return read_message(client, answer.json()["message_uid"])["id"]


def wait_until_final(client, message_ids: list[str], timeout: float = 60.0) -> dict[str, dict]:
    """The states of all `message_ids` once none is pending or sending (or the bound has passed)."""
    deadline = time.monotonic() + timeout
    states: dict[str, dict] = {}
    unsettled = list(message_ids)
    while True:
        # Only the messages not yet final are read again: 200 reads per round would load the machine.
        states.update({mid: client.get(f"/_emulator/messages/{mid}").json() for mid in unsettled})
        unsettled = [mid for mid in unsettled if states[mid]["delivery_status"] not in FINAL]
        if not unsettled or time.monotonic() > deadline:
            return {mid: states[mid] for mid in message_ids}
        time.sleep(0.05)


# What the flaky integration does with reply number i (encoded in the body, so the receiver can tell).
def behaviour(i: int) -> str:
    if i % 7 == 0:
        return "error_answer"  # {"type": "internal_error", "message": "boom"}
    if i % 11 == 3:
        return "http_500_empty"
    if i % 41 == 5:
        return "timeout"
    return "success"


def test_200_replies_to_50_conversations_against_a_slow_flaky_receiver(client, receiver):
    rng = random.Random(20261125)
    delays = [rng.uniform(0.0, 0.05) for _ in range(REPLIES)]
    index_of_body = re.compile(r"reply #(\d+)<")

    def answer(document) -> Answer:
        i = int(index_of_body.search(document["body"]).group(1))
        kind = behaviour(i)
        if kind == "error_answer":
            return Answer(body=b'{"type":"internal_error","message":"boom"}', delay=delays[i])
        if kind == "http_500_empty":
            return Answer(status=500, body=b"", delay=delays[i])
        if kind == "timeout":
            return Answer(hang=True)  # never answers: the channel gives up after its outgoing_timeout
        return Answer(delay=delays[i])

    receiver.answer = answer
    # Far above what any answer within 50 ms could take on a loaded machine: only the hanging ones time out.
    use_url(client, receiver.url, outgoing_timeout=OUTGOING_TIMEOUT)
    conversations = [
        conversation_of(start_conversation(client, f"visitor-{n}")) for n in range(CONVERSATIONS)
    ]
    message_ids = [
        reply(client, conversations[i % CONVERSATIONS], f"<p>reply #{i}</p>") for i in range(REPLIES)
    ]
    assert len(set(message_ids)) == REPLIES

    states = wait_until_final(client, message_ids)
    stuck = {mid: s["delivery_status"] for mid, s in states.items() if s["delivery_status"] not in FINAL}
    assert not stuck, f"messages left in a non-final state: {stuck}"

    expected = {mid: behaviour(i) for i, mid in enumerate(message_ids)}
    kinds = Counter(expected.values())
    assert all(kinds[k] > 0 for k in ("success", "error_answer", "http_500_empty", "timeout")), kinds
    for mid, state in states.items():
        kind = expected[mid]
        if kind == "success":
            assert (state["delivery_status"], state["error_type"]) == ("sent", None), state
        elif kind == "timeout":
            assert (state["delivery_status"], state["error_type"]) == ("failed", "request_timeout"), state
            assert f"within {OUTGOING_TIMEOUT:g} s" in state["error_reason"]
        else:
            assert (state["delivery_status"], state["error_type"]) == ("failed", "internal_error"), state
            if kind == "error_answer":
                assert state["error_reason"] == "boom"
            else:
                assert "HTTP 500 with an empty body" in state["error_reason"]

    # The receiver got every message exactly once, and nothing it did not expect.
    received = Counter(request.document["id"] for request in receiver.wait_for(REPLIES))
    assert received == Counter(message_ids)
    assert all(request.signature_ok for request in receiver.received)

    # The journal: one delivery per message, first attempt, counts matching the receiver's behaviour.
    deliveries = client.get("/_emulator/deliveries").json()["_results"]
    assert Counter(d["message_id"] for d in deliveries) == Counter(message_ids)
    assert {d["attempt"] for d in deliveries} == {1}
    assert all(d["redelivery_of"] is None for d in deliveries)
    outcomes = Counter(d["outcome"] for d in deliveries)
    assert outcomes["sent"] == kinds["success"]
    assert outcomes["failed"] == REPLIES - kinds["success"]
    assert sum(outcomes.values()) == REPLIES
    by_message = {d["message_id"]: d for d in deliveries}
    for mid, state in states.items():
        assert by_message[mid]["outcome"] == state["delivery_status"]
        assert by_message[mid]["error_type"] == state["error_type"]
    sent = client.get("/_emulator/deliveries", params={"outcome": "sent"}).json()["_results"]
    failed = client.get("/_emulator/deliveries", params={"outcome": "failed"}).json()["_results"]
    assert (len(sent), len(failed)) == (outcomes["sent"], outcomes["failed"])
    assert client.app.state.engine.in_flight == 0


class HangingIntegration:
    """Answers {"type": "success"} only once released (by the test, or at the latest by stop())."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.arrived = 0
        self._arrivals = threading.Condition()
        app = Starlette(routes=[Route("/hang", self.handle, methods=["POST"])])
        self.server = LiveServer(app)
        self.url = self.server.start() + "/hang"

    async def handle(self, request: Request) -> JSONResponse:
        await request.body()
        with self._arrivals:
            self.arrived += 1
            self._arrivals.notify_all()
        while not self.released.is_set():
            await asyncio.sleep(0.05)
        return JSONResponse({"type": "success"})

    def wait_for_arrivals(self, count: int, timeout: float = 30.0) -> None:
        with self._arrivals:
            if not self._arrivals.wait_for(lambda: self.arrived >= count, timeout):
                raise AssertionError(f"{self.arrived} of {count} deliveries reached the hanging integration")

    def stop(self) -> None:
        self.released.set()
        self.server.stop()


# Longer than any test here takes: the held deliveries end when the test releases them, never by timing out.
HOLD_TIMEOUT = 300


def test_a_hanging_integration_blocks_neither_the_api_nor_another_channel(client, receiver):
    hanging = HangingIntegration()
    try:
        use_url(client, hanging.url, outgoing_timeout=HOLD_TIMEOUT)
        stuck_conversations = [conversation_of(start_conversation(client, f"stuck-{n}")) for n in range(12)]
        stuck_ids = [reply(client, cid, "<p>into the void</p>") for cid in stuck_conversations]

        # The hanging integration holds the channel's deliveries.
        hanging.wait_for_arrivals(1)

        # The API answers while they hang.
        channels = client.get("/channels")
        assert channels.status_code == 200 and channels.json()["_results"]

        # A second channel, pointed at a fast receiver, delivers while the first channel hangs.
        created = client.post(
            "/_emulator/channels",
            json={"address": "fast@example.test", "name": "Fast", "settings": {"webhook_url": receiver.url}},
        )
        assert created.status_code == 201, created.text
        fast_channel = created.json()["id"]
        fast_conversation = conversation_of(start_conversation(client, "fast-visitor", channel=fast_channel))
        fast_id = reply(client, fast_conversation, "<p>quick one</p>")
        # Bounded only by the wait: the first channel's deliveries hang until released below.
        [fast_state] = wait_until_final(client, [fast_id], timeout=30).values()
        assert fast_state["delivery_status"] == "sent", fast_state
        [request] = receiver.wait_for(1)
        assert request.document["id"] == fast_id and request.signature_ok

        # The first channel's deliveries were still hanging all along.
        still = [client.get(f"/_emulator/messages/{mid}").json()["delivery_status"] for mid in stuck_ids]
        assert set(still) == {"sending"}, still
        assert client.get("/_emulator/deliveries", params={"channel_id": CHANNEL}).json()["_results"] == []

        # Released, the hanging integration answers and every held delivery ends, exactly once each.
        hanging.released.set()
        states = wait_until_final(client, stuck_ids, timeout=30)
        assert {s["delivery_status"] for s in states.values()} == {"sent"}, states
        deliveries = client.get("/_emulator/deliveries", params={"channel_id": CHANNEL}).json()["_results"]
        assert Counter(d["message_id"] for d in deliveries) == Counter(stuck_ids)
        assert hanging.arrived == len(stuck_ids)
    finally:
        hanging.stop()


def test_many_hanging_channels_do_not_starve_another_channel(client, receiver):
    # 13 channels x 8 slots = 104 held connections: more than an HTTP client's usual shared pool of 100.
    hanging = HangingIntegration()
    try:
        stuck_ids = []
        for n in range(13):
            created = client.post(
                "/_emulator/channels",
                json={
                    "address": f"hang-{n}@example.test",
                    "settings": {"webhook_url": hanging.url, "outgoing_timeout": HOLD_TIMEOUT},
                },
            )
            assert created.status_code == 201, created.text
            for k in range(8):
                inbound = start_conversation(client, f"stuck-{n}-{k}", channel=created.json()["id"])
                conversation_id = conversation_of(inbound)
                stuck_ids.append(reply(client, conversation_id, "<p>into the void</p>"))
        hanging.wait_for_arrivals(len(stuck_ids))
        assert hanging.arrived == len(stuck_ids)

        use_url(client, receiver.url)
        fast_id = reply(
            client, conversation_of(start_conversation(client, "fast-visitor")), "<p>quick one</p>"
        )
        [fast_state] = wait_until_final(client, [fast_id], timeout=30).values()
        assert fast_state["delivery_status"] == "sent", fast_state
        assert receiver.wait_for(1)[0].document["id"] == fast_id

        hanging.released.set()
        states = wait_until_final(client, stuck_ids, timeout=30)
        assert {s["delivery_status"] for s in states.values()} == {"sent"}
    finally:
        hanging.stop()


def test_an_answer_slower_than_an_http_clients_5_s_default_is_sent(client, receiver):
    # The channel's outgoing_timeout (default 7 s) is the only limit: no HTTP-client default (httpx's is 5 s)
    # cuts it short. The timeout is raised here so that a loaded machine's delays cannot reach it either.
    assert client.get(f"/channels/{CHANNEL}").json()["settings"].get("outgoing_timeout", 7) == 7
    receiver.answer = lambda document: Answer(delay=5.5)
    use_url(client, receiver.url, outgoing_timeout=HOLD_TIMEOUT)
    message_id = reply(
        client, conversation_of(start_conversation(client, "patient-visitor")), "<p>take your time</p>"
    )
    [state] = wait_until_final(client, [message_id], timeout=20).values()
    assert (state["delivery_status"], state["error_type"]) == ("sent", None), state
