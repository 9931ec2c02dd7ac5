"""The inspector's views of the Channel API's calls and message templates, over plain HTTP with real channel
JWTs: a call's message shows the call as it is now (as Front's API does), its page shows the status
history, recordings, summary and transcript, and the channel page lists the channel's calls and message
templates as the control plane does."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.channel_jwts import APP_CHANNEL, bearer, channel_jwt
from tests.conftest import CHANNEL
from tests.ui.inspector import UI, assert_links_resolve, page, text_of

CALLS = f"/channels/{APP_CHANNEL}/calls"
AUDIO = b"ID3\x04a voicemail"


@pytest.fixture
def client(fresh_client: TestClient) -> TestClient:
    return fresh_client


def _report(client: TestClient, method: str, path: str, **sent: Any) -> None:
    answer = client.request(method, path, headers=bearer(channel_jwt()), **sent)
    assert answer.status_code in (200, 202), answer.text


def _call(client: TestClient, external_call_id: str, **changes: Any) -> dict[str, Any]:
    document = {
        "external_call_id": external_call_id,
        "initial_status": "ringing",
        "direction": "inbound",
        "from": {"handle": "+15550101234", "name": "Bo"},
        "parent_external_call_id": "",
        "started_at": 1_700_000_000_000,
        **changes,
    }
    _report(client, "POST", CALLS, json=document)
    answer = client.get(f"/_emulator{CALLS}/{external_call_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _answered_call(client: TestClient) -> dict[str, Any]:
    """call-1: rang, connected, hung up after 42 s, with a voicemail, a summary and two transcript lines."""
    _call(client, "call-1")
    for status, at in [("connected", 1_700_000_003_000), ("hangup", 1_700_000_045_000)]:
        _report(client, "PATCH", f"{CALLS}/call-1", json={"call_status": status, "occurred_at": at})
    form, voicemail = {"recording_type": "voicemail"}, {"attachments": ("voicemail.mp3", AUDIO, "audio/mpeg")}
    _report(client, "POST", f"{CALLS}/call-1/recording", data=form, files=voicemail)
    _report(client, "POST", f"{CALLS}/call-1/summary", json={"content": "Asked where order 42 is"})
    said_when = (("Bo", "Where is it?", 65, "external"), ("Ada", "On its way", 70.5, "internal"))
    lines = [
        {"speaker_name": name, "content": said, "start_time_seconds": at, "speaker_type": side}
        for name, said, at, side in said_when
    ]
    _report(client, "POST", f"{CALLS}/call-1/transcript", json={"lines": lines})
    answer = client.get(f"/_emulator{CALLS}/call-1")
    return dict(answer.json())


def _section(markup: str, start: str, end: str = "</section>") -> str:
    found = markup[markup.index(start) :]
    return found[: found.index(end)]


def test_a_call_message_shows_the_call_as_it_is_now_as_the_api_does(client: TestClient) -> None:
    call = _answered_call(client)
    message = client.get(f"/messages/{call['message_id']}").json()
    markup = page(client, f"{UI}/conversations/{call['conversation_id']}")
    shown = _section(markup, f'id="{call["message_id"]}"', "</article>")
    text = text_of(shown)
    # The body Front's API gives now (hung up, with summary and transcript), not the one it was created with.
    assert " ".join(message["text"].split()) in text
    assert "hangup" in text and "ringing" not in text
    assert "call" in text and "42 s" in text
    # The recording is the message's attachment, downloaded without a token, the bytes the app sent.
    [attachment] = message["attachments"]
    download = f"{UI}/messages/{call['message_id']}/attachments/{attachment['id']}"
    assert f'href="{download}"' in shown
    answer = client.get(download)
    assert (answer.status_code, answer.content) == (200, AUDIO)
    assert f'href="{UI}/channels/{APP_CHANNEL}/calls/call-1"' in shown
    assert_links_resolve(client, markup)


def test_a_call_page_shows_its_history_recordings_summary_and_transcript(client: TestClient) -> None:
    call = _answered_call(client)
    markup = page(client, f"{UI}/channels/{APP_CHANNEL}/calls/call-1")
    history = text_of(_section(markup, 'id="history-heading"'))
    assert history.index("ringing") < history.index("connected") < history.index("hangup")
    assert "2023-11-14 22:13:23 UTC" in history  # connected at 1_700_000_003 s
    recordings = _section(markup, 'id="recordings-heading"')
    assert "voicemail.mp3" in recordings and "voicemail" in text_of(recordings)
    [recording] = call["recordings"]
    assert f"{UI}/messages/{call['message_id']}/attachments/{recording['attachment_id']}" in recordings
    assert "Asked where order 42 is" in text_of(_section(markup, 'id="summary-heading"'))
    transcript = text_of(_section(markup, 'id="transcript-heading"'))
    assert transcript.index("1:05 Bo (external) Where is it?") < transcript.index(
        "1:10 Ada (internal) On its way"
    )
    assert "hangup 42 s" in text_of(markup)
    assert_links_resolve(client, markup)


def test_a_transferred_call_links_its_parent_and_the_other_legs(client: TestClient) -> None:
    _call(client, "leg-1")
    _report(client, "PATCH", f"{CALLS}/leg-1", json={"call_status": "transferred"})
    _call(client, "leg-2", parent_external_call_id="leg-1")
    markup = page(client, f"{UI}/channels/{APP_CHANNEL}/calls/leg-2")
    assert f'href="{UI}/channels/{APP_CHANNEL}/calls/leg-1"' in markup
    assert "Legs of this thread" in text_of(markup)
    parent = page(client, f"{UI}/channels/{APP_CHANNEL}/calls/leg-1")
    assert f'href="{UI}/channels/{APP_CHANNEL}/calls/leg-2"' in parent
    unknown = page(client, f"{UI}/channels/{APP_CHANNEL}/calls/nope", status=404)
    assert "Call 'nope' not found on channel" in text_of(unknown)


def test_the_channel_page_lists_calls_and_message_templates(client: TestClient) -> None:
    _answered_call(client)
    _call(client, "call-2", started_at=1_700_000_100_000)
    template = {
        "external_id": "order-shipped",
        "name": "Order shipped",
        "blurb": "Your order is on its way",
        "is_disabled": True,
        "status_name": "APPROVED",
        "variable_mappings": [{"uid": "1", "type": "text", "name": "order_number"}],
        "template_preview": "Your order {{1}} is on its way",
    }
    _report(client, "PUT", f"/channels/{APP_CHANNEL}/application_message_templates", json=template)
    markup = page(client, f"{UI}/channels/{APP_CHANNEL}")
    calls = _section(markup, 'id="calls-heading"')
    # Newest first, each with where it stands.
    assert calls.index(">call-2<") < calls.index(">call-1<")
    assert "hangup 42 s" in text_of(calls) and "ringing" in text_of(calls)
    templates = text_of(_section(markup, 'id="templates-heading"'))
    for expected in ("#1", "order-shipped", "Order shipped", "APPROVED disabled", "1 order_number (text)"):
        assert expected in templates, expected
    assert "Your order {{1}} is on its way" in templates
    # The conversations list shows a call's message as it is now, and search finds it by that text.
    conversations = text_of(_section(markup, 'id="live-conversations"', "</div>\n</section>"))
    assert "Inbound call from Bo (+15550101234): hangup" in conversations
    found = text_of(page(client, f"{UI}/channels/{APP_CHANNEL}?q=order+42"))
    assert "1 of 2 conversations" in found
    assert_links_resolve(client, markup)


def test_a_channel_without_an_app_shows_no_calls_or_templates(client: TestClient) -> None:
    markup = page(client, f"{UI}/channels/{CHANNEL}")
    assert 'id="calls-heading"' not in markup and 'id="templates-heading"' not in markup
