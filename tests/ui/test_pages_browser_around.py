"""The new inspector pages in Debian's Chromium at a phone's 360 px: a person follows links from the
workspace to an application and the event its app was sent (the signature input on screen), from a
conversation through its events timeline to the contact, and from a channel to a call its app reported,
and nothing scrolls sideways on the way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.harness import LiveServer
from tests.app_receiver import AppReceiver
from tests.channel_jwts import bearer, channel_jwt
from tests.conftest import AUTH, make_config
from tests.ui.browsing import CHROMIUM, PHONE, new_page, screenshot
from tests.ui.inspector import ADA, APP_SECRET, UI

pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed")

LONG_HANDLE = "a-rather-long-partner-visitor-handle@example.test"
CALL_ID = "call-" + "z" * 60


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    server = LiveServer.emulator(make_config())
    yield server.start()
    server.stop()


@pytest.fixture
def phone(browser: Any, url: str) -> Iterator[Any]:
    page = new_page(browser, url, PHONE)
    yield page
    # Close before the server stops: an open event stream would hold its shutdown.
    page.context.close()


def _synced_conversation(api: httpx.Client, app: AppReceiver) -> tuple[str, str]:
    """An app, a channel it authorized, a conversation its inbound sync started, assigned and commented
    on by a teammate, and a call with a long id and a transcript the app reported: (channel, conversation)."""
    document = {"name": "Acme partner chat", "webhook_url": app.url, "uid": "acme", "secret": APP_SECRET}
    assert api.post("/_emulator/applications", json=document).status_code == 201
    channel = api.post("/_emulator/applications/acme/channels", json={"name": "Acme chat"}).json()["id"]
    sync = {
        "sender": {"handle": LONG_HANDLE, "name": "Bo"},
        "body": "Hello from the partner app " * 8,
        "metadata": {"external_id": "in-" + "x" * 60, "external_conversation_id": "thread-" + "y" * 60},
    }
    token = bearer(channel_jwt(channel, secret=APP_SECRET, iss="acme"))
    accepted = api.post(f"/channels/{channel}/inbound_messages", json=sync, headers=token)
    assert accepted.status_code == 202, accepted.text
    message = api.get(f"/messages/alt:uid:{accepted.json()['message_uid']}").json()
    conversation = str(message["_links"]["related"]["conversation"].rsplit("/", 1)[1])
    assert api.put(f"/conversations/{conversation}/assignee", json={"assignee_id": ADA}).status_code == 204
    comment = {"body": "Following up with the partner", "author_id": ADA}
    assert api.post(f"/conversations/{conversation}/comments", json=comment).status_code == 201
    call = {
        "external_call_id": CALL_ID,
        "initial_status": "ringing",
        "direction": "inbound",
        "from": {"handle": LONG_HANDLE, "name": "Bo"},
        "parent_external_call_id": "",
    }
    reported = api.post(f"/channels/{channel}/calls", json=call, headers=token)
    assert reported.status_code == 202, reported.text
    line = {
        "speaker_name": "Bo",
        "speaker_type": "external",
        "content": "Hello? " * 30,
        "start_time_seconds": 3,
    }
    transcript = {"lines": [line]}
    said = api.post(f"/channels/{channel}/calls/{CALL_ID}/transcript", json=transcript, headers=token)
    assert said.status_code == 202, said.text
    return channel, conversation


def _no_sideways_scroll(page: Any, name: str) -> None:
    page.locator("h1").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} scrolls sideways at 360 px ({width} px wide)"
    screenshot(page, f"ui-{name}-360px")


def test_a_person_follows_links_to_an_app_event_and_from_a_timeline_to_a_contact(
    phone: Any, url: str, app: AppReceiver
) -> None:
    app.received.clear()
    app.answer = None  # the app authorizes every channel (tests.app_receiver.success_with_webhook)
    with httpx.Client(base_url=url, headers=AUTH, timeout=10) as api:
        api.post("/_emulator/reset").raise_for_status()
        channel, conversation = _synced_conversation(api, app)
        [authorization] = [r for r in app.wait_for(1) if r.document["type"] == "authorization"]

    phone.goto(UI)
    _no_sideways_scroll(phone, "workspace-applications")
    phone.get_by_role("link", name="Acme partner chat").click()
    phone.wait_for_url("**/applications/acme")
    assert "success" in phone.locator("#live-authorizations").inner_text()
    _no_sideways_scroll(phone, "application")
    phone.locator("#live-authorizations a[href*='/app_events/']").first.click()
    phone.wait_for_url("**/app_events/*")
    signed = phone.locator("#signature-input")
    assert signed.is_visible()
    timestamp = authorization.headers["x-front-request-timestamp"]
    assert signed.inner_text() == f"{timestamp}:{authorization.body.decode()}"
    assert phone.locator("#signature").inner_text() == authorization.headers["x-front-signature"]
    _no_sideways_scroll(phone, "app-event")

    phone.goto(f"{UI}/conversations/{conversation}")
    timeline = phone.locator("#live-timeline")
    for kind in ("inbound", "assign", "comment"):
        assert timeline.locator(f".event-{kind}").count() == 1, kind
    assert "external_id in-" in phone.locator(".external-ids").inner_text()
    _no_sideways_scroll(phone, "conversation-timeline")
    phone.locator("#live-conversation-meta a.contact-link").click()
    phone.wait_for_url("**/contacts/*")
    assert LONG_HANDLE in phone.locator("main").inner_text()
    assert phone.locator(f"main a[href='{UI}/conversations/{conversation}']").count() == 1
    _no_sideways_scroll(phone, "contact")

    phone.goto(f"{UI}/channels/{channel}")
    _no_sideways_scroll(phone, "channel-calls")
    phone.locator(f"#live-channel-calls a[href$='/calls/{CALL_ID}']").click()
    phone.wait_for_url(f"**/calls/{CALL_ID}")
    assert "Hello?" in phone.locator("#live-call").inner_text()
    _no_sideways_scroll(phone, "call")
