"""The inspector's faults page over plain HTTP: the active faults with what they match and do, how many
times each may still fire and has fired, the requests they fired on (marked among refused requests too),
and a form that clears them all, refused from another site."""

from __future__ import annotations

import httpx
from starlette.testclient import TestClient

from tests.conftest import CHANNEL
from tests.ui.inspector import UI, assert_links_resolve, page, read_event, read_news, text_of

INCOMING = "/channels/{channel_id}/incoming_messages"


def _add_fault(client: TestClient, **document: object) -> dict:
    answer = client.post("/_emulator/faults", json=document)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def _post_inbound(client: TestClient) -> int:
    answer = client.post(
        f"/channels/{CHANNEL}/incoming_messages", json={"sender": {"handle": "v"}, "body": "hi"}
    )
    return answer.status_code


def test_active_faults_and_the_requests_they_fired_on(client: TestClient) -> None:
    unavailable = _add_fault(client, route=INCOMING, method="POST", channel_id=CHANNEL, status=503, times=2)
    sometimes = _add_fault(client, path_prefix="/conversations", status=429, probability=0.5)
    assert [_post_inbound(client) for _ in range(3)] == [503, 503, 202]

    markup = page(client, f"{UI}/faults")
    text = text_of(markup)
    row = text[text.index(unavailable["id"]) : text.index(sometimes["id"])]
    for expected in (f"POST {INCOMING} on channel {CHANNEL}", "status 503", "0 of 2", "2 fired"):
        assert expected in row, expected
    later = text[text.index(sometimes["id"]) :]
    for expected in (
        "any method /conversations…",
        "status 429 (Retry-After 1 s)",
        "unlimited, probability 0.5",
    ):
        assert expected in later, expected
    hits = text[text.index("Faulted requests") :]
    assert "2 faulted requests" in hits
    assert hits.count(f"POST /channels/{CHANNEL}/incoming_messages") == 2
    assert hits.count(unavailable["id"]) == 2
    # The refused-requests page marks the answers a fault injected, linking to the faults page.
    refused = page(client, f"{UI}/refused")
    assert text_of(refused).count(f"injected by fault {unavailable['id']}") == 2
    assert f'href="{UI}/faults#hit-' in refused
    assert_links_resolve(client, markup)
    assert f'href="{UI}/faults"' in page(client, UI)


def test_the_clear_form_clears_every_fault_and_refuses_other_sites(client: TestClient) -> None:
    _add_fault(client, route=INCOMING, status=500)
    assert _post_inbound(client) == 500
    foreign = client.post(
        f"{UI}/faults/clear", headers={"Origin": "https://evil.example"}, follow_redirects=False
    )
    assert foreign.status_code == 403
    assert len(client.get("/_emulator/faults").json()["_results"]) == 1
    assert 'action="/_emulator/ui/faults/clear"' in page(client, f"{UI}/faults")

    cleared = client.post(
        f"{UI}/faults/clear", headers={"Origin": "http://emulator.test"}, follow_redirects=False
    )
    assert cleared.status_code == 303, cleared.text
    assert client.get("/_emulator/faults").json()["_results"] == []
    assert _post_inbound(client) == 202
    text = text_of(page(client, cleared.headers["location"]))
    assert "Faults cleared" in text and "No fault is set" in text
    # The request it fired on stays in the journal, and on the page.
    assert "1 faulted request." in text


def test_the_event_stream_tells_the_faults_page_when_a_fault_fires(live_client, live_url, lasting_streams):
    """A 202 whose message is never created changes nothing in the store: only the journal knows."""
    with (
        httpx.Client(base_url=live_url, timeout=30) as browser,
        browser.stream("GET", f"{UI}/events") as stream,
    ):
        lines = stream.iter_lines()
        assert read_event(lines)[0] == "ready"
        _add_fault(live_client, route=INCOMING, accept_without_creating=True, times=1)
        assert _post_inbound(live_client) == 202
        name, data = read_news(lines)
    assert name == "change" and data["changes"] == [{"kind": "request_faulted"}]
    assert "1 faulted request." in text_of(page(live_client, f"{UI}/faults"))
