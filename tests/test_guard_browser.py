"""The attacks of issue 9 from a real browser: pages served from another loopback port (the attacker)
try to drive a live emulator with no-cors fetches, plain forms, a sandboxed iframe, a no-referrer page,
and DNS rebinding (Chromium maps attacker.test to 127.0.0.1). Each attack must reach the emulator and
be refused (the request journal shows it, or the browser sees the 403/421), with the emulator's state
unchanged."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from emulator.harness import LiveServer
from tests import test_guard
from tests.conftest import AUTH
from tests.helpers import conversation_of, start_conversation
from tests.receiver import Receiver
from tests.ui.test_browser import CHROMIUM, CHROMIUM_ARGS

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's Chromium is not installed")

REBOUND_NAME = "attacker.test"
FROZEN_AT = 1_000_000_000


# The same fixture as tests/test_guard.py's: one live emulator (URL and app) for this module.
server = test_guard.server


@pytest.fixture
def emulator_url(server: tuple[str, Starlette]) -> str:
    return server[0]


class AttackerSite:
    """Another origin on loopback serving whatever page a test puts in `pages`."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.server = LiveServer(Starlette(routes=[Route("/{name}", self.page, methods=["GET"])]))
        self.url = self.server.start()

    async def page(self, request: Request) -> HTMLResponse:
        # Unknown names (the browser's /favicon.ico) are a 404, as on any site.
        html = self.pages.get(request.path_params["name"])
        return HTMLResponse(html, status_code=200) if html is not None else HTMLResponse("", status_code=404)


@pytest.fixture(scope="module")
def attacker() -> Iterator[AttackerSite]:
    site = AttackerSite()
    yield site
    site.server.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[sync_api.Playwright]:
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(playwright) -> Iterator[sync_api.Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def rebinding_browser(playwright) -> Iterator[sync_api.Browser]:
    """attacker.test resolves to loopback, as a rebinding attacker's DNS answers once its page is loaded.
    A browser of its own: with resolver rules Chromium reports sandboxed frames' requests differently."""
    rules = f"--host-resolver-rules=MAP {REBOUND_NAME} 127.0.0.1"
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, rules])
    yield browser
    browser.close()


@pytest.fixture
def page(browser) -> Iterator[sync_api.Page]:
    context = browser.new_context()
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


class Emulator(httpx.Client):
    """The emulator as its owner sees it: a client without Origin, and the app's store."""

    app: Starlette

    def state(self) -> dict:
        """What the attacks try to change: the clock, the workspace, the messages and deliveries."""
        return {
            "clock_mode": self.get("/_emulator/clock").json()["mode"],
            "workspace": self.get("/_emulator/workspace").json(),
            "messages": self.app.state.store.message_count,
            "deliveries": self.get("/_emulator/deliveries").json()["_results"],
        }


@pytest.fixture
def emulator(server: tuple[str, Starlette]) -> Iterator[Emulator]:
    """Started afresh with one inbound message (which a reset would remove)."""
    url, app = server
    with Emulator(base_url=url, headers=AUTH, timeout=10) as client:
        client.app = app
        client.post("/_emulator/reset").raise_for_status()
        start_conversation(client)
        yield client


def refused(emulator: Emulator, wait_for: int = 0, timeout: float = 10.0) -> list[tuple[str, str, int, str]]:
    """Refused requests to the control plane and the inspector (the browser's own GET /favicon.ico, a
    404, is left out); with `wait_for`, once there are at least that many (or the timeout passed)."""
    query = {"rejected": "true", "path_prefix": "/_emulator"}
    deadline = time.monotonic() + timeout
    while True:
        entries = emulator.get("/_emulator/requests", params=query).json()["_results"]
        if len(entries) >= wait_for or time.monotonic() > deadline:
            return [
                (entry["method"], entry["path"], entry["status"], entry["error_message"]) for entry in entries
            ]
        time.sleep(0.05)  # the poll interval of a condition with a deadline


def attack(page: sync_api.Page, attacker: AttackerSite, html: str, name: str = "attack") -> None:
    attacker.pages[name] = html
    page.goto(f"{attacker.url}/{name}")


def form_html(action: str, fields: dict[str, str] | None = None) -> str:
    inputs = "".join(
        f'<input type="hidden" name="{key}" value="{value}">' for key, value in (fields or {}).items()
    )
    return f'<form method="post" action="{action}">{inputs}</form>'


def auto_submitting_form(action: str, fields: dict[str, str] | None = None) -> str:
    return form_html(action, fields) + "<script>document.forms[0].submit()</script>"


def test_no_cors_fetches_cannot_freeze_seed_or_reset(page, attacker, emulator, emulator_url):
    """Before the guard these froze the clock, replaced the workspace (new tokens) and reset all messages."""
    before = emulator.state()
    script = f"""
      const target = {json.dumps(emulator_url)};
      const post = (path, body) => fetch(target + path, {{method: "POST", mode: "no-cors", body}});
      Promise.allSettled([
        post("/_emulator/clock/freeze", JSON.stringify({{at: {FROZEN_AT}}})),
        post("/_emulator/seed", JSON.stringify({{path: "history-workspace.json"}})),
        post("/_emulator/reset", ""),
      ]).then(() => {{ document.title = "sent"; }});
    """
    attack(page, attacker, f"<script>{script}</script>")
    page.wait_for_function("document.title === 'sent'")
    assert emulator.state() == before
    assert emulator.get("/_emulator/requests").json()["_results"], "reset was refused: the journal is kept"
    origin = f"Origin {attacker.url!r}"
    assert sorted(
        (method, path, status) for method, path, status, message in refused(emulator) if origin in message
    ) == [
        ("POST", "/_emulator/clock/freeze", 403),
        ("POST", "/_emulator/reset", 403),
        ("POST", "/_emulator/seed", 403),
    ]


def test_a_plain_form_cannot_freeze_the_clock(page, attacker, emulator, emulator_url):
    """An empty form POST freezes the clock where it is: no JavaScript, no CORS, no preflight."""
    before = emulator.state()
    target = f"{emulator_url}/_emulator/clock/freeze"
    with page.expect_response(target) as answer:
        attack(page, attacker, auto_submitting_form(target))
    assert answer.value.status == 403
    assert emulator.state() == before


def test_a_form_in_a_sandboxed_iframe_sends_origin_null_and_is_refused(
    page, attacker, emulator, emulator_url
):
    before = emulator.state()
    form = auto_submitting_form(f"{emulator_url}/_emulator/reset").replace('"', "&quot;")
    attack(page, attacker, f'<iframe sandbox="allow-forms allow-scripts" srcdoc="{form}"></iframe>')
    # Playwright can miss the events of a sandboxed (out-of-process) frame that navigates at once, so
    # the emulator's journal says when the form arrived.
    [(_, path, status, message)] = refused(emulator, wait_for=1)
    assert (path, status) == ("/_emulator/reset", 403) and "Origin 'null'" in message
    assert emulator.state() == before


def test_a_no_referrer_page_cannot_reply_through_the_inspector(page, attacker, emulator, emulator_url):
    """`no-referrer` makes Chromium send `Origin: null`, which the inspector's own check used to accept."""
    conversation_id = conversation_of(start_conversation(emulator, handle="visitor-2"))
    before = emulator.state()
    messages = emulator.get(f"/conversations/{conversation_id}/messages").json()["_results"]
    target = f"{emulator_url}/_emulator/ui/conversations/{conversation_id}/reply"
    html = '<meta name="referrer" content="no-referrer">' + auto_submitting_form(
        target, {"author_id": "tea_1b01", "body": "Sent by an attacker"}
    )
    with page.expect_response(target) as answer:
        attack(page, attacker, html)
    assert answer.value.status == 403
    assert emulator.get(f"/conversations/{conversation_id}/messages").json()["_results"] == messages
    assert emulator.state() == before
    [(_, path, status, message)] = refused(emulator)
    assert (path, status) == (f"/_emulator/ui/conversations/{conversation_id}/reply", 403)
    assert "Origin 'null'" in message


def test_the_chained_attack_cannot_make_the_emulator_post_to_the_attacker(
    page, attacker, emulator, emulator_url, receiver: Receiver
):
    """Create a channel whose Outgoing URL is the attacker's, then send on it through the inspector's
    composer: before the guard the emulator POSTed a signed message there."""
    before = emulator.state()
    channel = {
        "id": "cha_evil",
        "address": "evil",
        "settings": {"webhook_url": receiver.url, "allow_new_messages": True, "undo_send_time": 0},
    }
    composer = f"{emulator_url}/_emulator/ui/channels/cha_evil/messages"
    form = form_html(composer, {"to": "victim@example.test", "author_id": "tea_1b01", "body": "x"})
    script = f"""
      fetch({json.dumps(emulator_url + "/_emulator/channels")},
            {{method: "POST", mode: "no-cors", body: {json.dumps(json.dumps(channel))}}})
        .finally(() => {{ document.body.insertAdjacentHTML("beforeend", {json.dumps(form)});
                          document.forms[0].submit(); }});
    """
    with page.expect_response(composer) as answer:
        attack(page, attacker, f"<body><script>{script}</script></body>")
    assert answer.value.status == 403
    assert emulator.state() == before
    assert [(path, status) for _, path, status, _ in refused(emulator)] == [
        ("/_emulator/channels", 403),
        ("/_emulator/ui/channels/cha_evil/messages", 403),
    ]
    # Both requests were answered before anything was created or queued: nothing can reach the receiver.
    assert receiver.received == []
    assert emulator.get("/channels/cha_evil").status_code == 404


def test_dns_rebinding_cannot_read_the_workspace(rebinding_browser, emulator, emulator_url):
    """After rebinding, the attacker's page reads the emulator same-origin under the attacker's name."""
    page = rebinding_browser.new_page()
    port = urlsplit(emulator_url).port
    answer = page.goto(f"http://{REBOUND_NAME}:{port}/_emulator/workspace")
    assert answer is not None and answer.status == 421
    text = page.content()
    assert "front-emulator-api-secret" not in text and "front-emulator-token" not in text
    assert f"--allow-host {REBOUND_NAME}" in text
    # The same browser on the emulator's own address is served.
    own = page.goto(f"{emulator_url}/_emulator/workspace")
    assert own is not None and own.status == 200


def test_the_inspector_in_the_browser_still_sends_its_own_forms(page, emulator, emulator_url):
    conversation_id = conversation_of(start_conversation(emulator, handle="visitor-3"))
    page.goto(f"{emulator_url}/_emulator/ui/conversations/{conversation_id}")
    page.locator("form[action$='/reply'] textarea[name='body']").fill("Sent from the inspector")
    with page.expect_response(lambda response: response.url.endswith("/reply")) as answer:
        page.locator("form[action$='/reply'] button[type='submit']").click()
    assert answer.value.status == 303
    bodies = [
        m["body"] for m in emulator.get(f"/conversations/{conversation_id}/messages").json()["_results"]
    ]
    assert any("Sent from the inspector" in body for body in bodies)
