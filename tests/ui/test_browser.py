"""The inspector in a real browser: Playwright drives Debian's Chromium against a live emulator and a
real integration on loopback. Screenshots of each state land in tests/artifacts/ (ignored by git)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from emulator.harness import LiveServer
from emulator.outbound.answers import DEFAULT_REASONS
from tests.conftest import AUTH, CHANNEL, make_config
from tests.helpers import (
    conversation_of,
    delivered_with_witness,
    final_state,
    use_receiver,
    wait_for_deliveries,
)
from tests.receiver import Answer
from tests.ui.browsing import CHROMIUM, PHONE, new_page, screenshot
from tests.ui.browsing import CHROMIUM_ARGS as CHROMIUM_ARGS  # tests/test_guard_browser.py imports it here

sync_api = pytest.importorskip("playwright.sync_api")

SECRET = "front-emulator-api-secret"
ADA = "tea_1b01"
UI = "/_emulator/ui"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Starlette]]:
    """An emulator of this module's own, so channel settings changed here reach no other test."""
    live = LiveServer.emulator(make_config())
    app = live.app
    url = live.start()
    yield url, app
    live.stop()


@pytest.fixture
def api(server) -> Iterator[httpx.Client]:
    """An HTTP client as an integration (or curl) would use; the emulator starts each test afresh."""
    url, _ = server
    with httpx.Client(base_url=url, headers=AUTH, timeout=10) as client:
        client.post("/_emulator/reset").raise_for_status()
        yield client


@pytest.fixture
def page(browser, server) -> Iterator[sync_api.Page]:
    page = new_page(browser, server[0])
    yield page
    # Close before the server stops: an open event stream would hold its shutdown.
    page.context.close()


@pytest.fixture
def phone(browser, server) -> Iterator[sync_api.Page]:
    page = new_page(browser, server[0], PHONE)
    yield page
    page.context.close()


def wait_live(page: sync_api.Page) -> None:
    """The page's event stream is connected: from now on, changes reach it without a reload."""
    page.locator('#live-indicator[data-state="live"]').wait_for()


def mark_no_reload(page: sync_api.Page) -> None:
    page.evaluate("window.__sameDocument = true")


def assert_not_reloaded(page: sync_api.Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def post_inbound(api: httpx.Client, handle: str, body: str, **fields) -> dict:
    answer = api.post(
        f"/channels/{CHANNEL}/incoming_messages", json={"sender": {"handle": handle}, "body": body, **fields}
    )
    assert answer.status_code == 202, answer.text
    message = api.get(f"/messages/alt:uid:{answer.json()['message_uid']}")
    assert message.status_code == 200, message.text
    return message.json()


def reply_with_keyboard(page: sync_api.Page, text: str) -> None:
    """Fill and send the reply form with the keyboard only: labels, tab order and Enter must work."""
    page.get_by_label("Reply as").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "reply-body"
    page.keyboard.type(text)
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Send reply":
            break
    else:
        raise AssertionError("the Send reply button is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**notice=queued**")


def test_failed_to_send_with_the_integrations_message_appears_live(page, api, receiver):
    # The integration answers only once the page is back from the form post and listening.
    body = json.dumps({"type": "forbidden", "message": "Customer blocked this number"}).encode()
    receiver.answer = lambda document: Answer(status=200, body=body, hang=True)
    use_receiver(api, receiver, outgoing_timeout=300)
    inbound = post_inbound(api, "+15550199", "Please text me the tracking number")
    page.goto(f"{UI}/conversations/{conversation_of(inbound)}")
    reply_with_keyboard(page, "Your parcel is on its way")
    wait_live(page)
    mark_no_reload(page)
    [request] = receiver.wait_for(1)
    assert request.document["body"] == "<p>Your parcel is on its way</p>"
    outbound_id = request.document["id"]
    assert page.locator(f"#{outbound_id} .state-failed").count() == 0
    receiver.released.set()
    assert final_state(api, outbound_id)["delivery_status"] == "failed"
    # Shown without a reload, on the stream the page opened before the emulator knew.
    failed = page.locator(f"#{outbound_id} .state-failed")
    failed.wait_for()
    assert "Failed to send" in failed.inner_text()
    assert "Customer blocked this number" in failed.inner_text()
    assert_not_reloaded(page)
    screenshot(page, "ui-failed-forbidden")


def test_request_timeout_without_message_shows_the_default_wording(phone, api, receiver):
    receiver.answer = lambda document: Answer(status=200, body=b'{"type": "request_timeout"}', delay=0.5)
    use_receiver(api, receiver)
    inbound = post_inbound(api, "visitor-9", "Is anyone there?")
    conversation_id = conversation_of(inbound)
    phone.goto(f"{UI}/conversations/{conversation_id}")
    wait_live(phone)
    mark_no_reload(phone)
    # A teammate replies through Front's API (as curl would); the page learns of it live.
    sent = api.post(
        f"/conversations/{conversation_id}/messages", json={"body": "<p>Yes!</p>", "author_id": ADA}
    )
    assert sent.status_code == 202, sent.text
    phone.locator(".message.outbound .body", has_text="Yes!").wait_for()
    failed = phone.locator(".message.outbound .state-failed")
    failed.wait_for()
    text = failed.inner_text()
    assert "Failed to send" in text and "request_timeout" in text
    assert DEFAULT_REASONS["request_timeout"] in text
    assert_not_reloaded(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "ui-failed-request-timeout-360px")


def test_cancel_in_the_undo_window_delivers_nothing(page, api, receiver, server):
    use_receiver(api, receiver, undo_send_time=10)
    # A frozen clock: "after the window" is one call, not a 10 s wait.
    api.post("/_emulator/clock/freeze", json={}).raise_for_status()
    try:
        inbound = post_inbound(api, "visitor-3", "Can I change my order?")
        conversation_id = conversation_of(inbound)
        page.goto(f"{UI}/conversations/{conversation_id}")
        reply_with_keyboard(page, "Sure, one moment")
        pending = page.locator(".state-pending")
        pending.wait_for()
        countdown = page.locator(".countdown")
        first = int(countdown.inner_text().split()[0])
        assert 8 <= first <= 10
        page.wait_for_function(f"parseInt(document.querySelector('.countdown').textContent) < {first}")
        screenshot(page, "ui-pending-undo-countdown")
        cancel = page.get_by_role("button", name="Cancel sending")
        cancel.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**notice=cancelled**")
        cancelled = page.locator(".message.outbound", has_text="Sure, one moment")
        state = cancelled.locator(".state-cancelled")
        state.wait_for()
        assert "Cancelled" in state.inner_text()
        assert page.get_by_role("button", name="Cancel sending").count() == 0
        screenshot(page, "ui-cancelled")
        # A witness due at the same moment: once it is sent and no attempt runs, the engine has passed the
        # cancelled reply too, and whatever it sent has arrived.
        witness = api.post(
            f"/conversations/{conversation_id}/messages", json={"body": "<p>witness</p>", "author_id": ADA}
        )
        assert witness.status_code == 202, witness.text
        witness_id = api.get(f"/messages/alt:uid:{witness.json()['message_uid']}").json()["id"]
        api.post("/_emulator/clock/advance", json={"seconds": 11}).raise_for_status()
        assert delivered_with_witness(api, receiver, witness_id, app=server[1]) == [witness_id]
    finally:
        api.post("/_emulator/clock/unfreeze", json={})
    assert [delivery["message_id"] for delivery in wait_for_deliveries(api, 1)] == [witness_id]
    assert "Cancelled" in cancelled.inner_text()


def test_inbound_message_posted_by_an_http_client_appears_live(browser, server, page, api, lasting_streams):
    page.goto(f"{UI}/channels/{CHANNEL}")
    page.get_by_text("No conversations yet").wait_for()
    wait_live(page)
    mark_no_reload(page)
    first = post_inbound(api, "visitor-live", "Hello from curl", subject="Order 1234")
    # The page's one stream outlasts the test: the row can only come from a push, not a reconnection.
    row = page.get_by_role("link", name="visitor-live")
    row.wait_for()
    assert "Order 1234" in page.locator("#live-conversations").inner_text()
    assert_not_reloaded(page)
    screenshot(page, "ui-inbound-live-channel")

    row.click()
    page.wait_for_url(f"**/conversations/{conversation_of(first)}")
    wait_live(page)
    mark_no_reload(page)
    post_inbound(
        api,
        "visitor-live",
        "And a **second** message",
        metadata={"headers": {"session": "s-77"}},
    )
    page.locator(".message .body", has_text="And a second message").wait_for()
    assert_not_reloaded(page)
    screenshot(page, "ui-inbound-live-conversation")


def test_delivery_view_shows_the_signature_and_redelivers(page, api, receiver):
    use_receiver(api, receiver)
    inbound = post_inbound(api, "visitor-5", "Thanks!")
    sent = api.post(
        f"/conversations/{conversation_of(inbound)}/messages",
        json={"body": "<p>Anytime</p>", "author_id": ADA},
    )
    assert sent.status_code == 202
    [request] = receiver.wait_for(1)
    assert final_state(api, request.document["id"])["delivery_status"] == "sent"
    page.goto(f"{UI}/deliveries")
    screenshot(page, "ui-deliveries")
    page.locator("#live-deliveries a[href*='/deliveries/dlv_']").first.click()
    signature = page.locator("#signature")
    signature.wait_for()
    assert signature.inner_text() == request.headers["x-front-signature"]
    assert "sha1-body" in page.locator(".signature").inner_text()
    assert "Anytime" in page.locator("pre.code").first.inner_text()
    screenshot(page, "ui-delivery-signature")
    page.get_by_role("button", name="Redeliver").click()
    page.wait_for_url("**notice=redelivered**")
    assert len(receiver.wait_for(2)) == 2
    assert "redelivery of" in page.locator("#live-delivery-summary").inner_text()
    assert page.locator("#signature").inner_text() == receiver.received[1].headers["x-front-signature"]


def test_refused_inbound_request_appears_live_with_details(page, api, lasting_streams):
    page.goto(f"{UI}/refused")
    wait_live(page)
    mark_no_reload(page)
    refused = api.post(
        f"/channels/{CHANNEL}/incoming_messages", json={"sender": {"name": "No handle"}, "body": ""}
    )
    assert refused.status_code == 400
    entry = page.locator("#live-refused article").first
    entry.wait_for()
    text = entry.inner_text()
    assert "Invalid request body" in text and "/sender/handle" in text
    assert_not_reloaded(page)
    screenshot(page, "ui-refused")


def test_every_page_is_readable_at_360_px(phone, api, receiver):
    receiver.answer = lambda document: Answer(
        body=b'{"type": "forbidden", "message": "Customer blocked this number"}'
    )
    use_receiver(api, receiver)
    inbound = post_inbound(
        api,
        "a-rather-long-visitor-handle@example.test",
        "A long message " * 20,
        metadata={"thread_ref": "t-360", "headers": {"very_long_header_name": "x" * 80}},
    )
    conversation_id = conversation_of(inbound)
    api.post(f"/conversations/{conversation_id}/messages", json={"body": "<p>Reply</p>", "author_id": ADA})
    [request] = receiver.wait_for(1)
    assert final_state(api, request.document["id"])["delivery_status"] == "failed"
    api.post(f"/channels/{CHANNEL}/incoming_messages", json={"sender": {}, "body": 1})
    delivery_id = api.get("/_emulator/deliveries").json()["_results"][0]["id"]
    pages = {
        "workspace": UI,
        "channel": f"{UI}/channels/{CHANNEL}",
        "conversation": f"{UI}/conversations/{conversation_id}",
        "deliveries": f"{UI}/deliveries",
        "delivery": f"{UI}/deliveries/{delivery_id}",
        "refused": f"{UI}/refused",
    }
    for name, path in pages.items():
        phone.goto(path)
        phone.locator("h1").wait_for()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{name} scrolls sideways at 360 px ({width} px wide)"
        screenshot(phone, f"ui-{name}-360px")
