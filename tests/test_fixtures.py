"""The workspace fixtures in fixtures/ load, and a workspace's `history` becomes conversations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.workspace_files import WorkspaceFileError, load_workspace_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("name", sorted(path.name for path in FIXTURES.glob("*.json")))
def test_every_fixture_loads(name):
    workspace = load_workspace_file(FIXTURES / name)
    assert workspace.channels and workspace.tokens


def test_multi_channel_fixture_has_the_documented_channels():
    channels = {c.id: c for c in load_workspace_file(FIXTURES / "multi-channel-workspace.json").channels}
    assert channels["cha_2a01"].settings.undo_send_time == 0
    sms = channels["cha_2a02"].settings
    assert (sms.contact_type, sms.signing_scheme) == ("phone", "sha256-timestamp")
    assert channels["cha_2a03"].settings.reply_mode == "cannot_reply"
    assert channels["cha_2a04"].settings.allow_new_messages is True


def test_history_is_loaded_as_conversations_and_again_on_reset(make_client):
    client = make_client(workspace_path=FIXTURES / "history-workspace.json")
    client.headers["Authorization"] = "Bearer history-token"
    store = client.app.state.store
    assert (store.message_count, store.conversation_count) == (5, 3)
    now = store.clock.now()
    chat = [m for m in store._messages.values() if m.thread_ref == "chat-17"]
    assert [m.text for m in chat] == ["Hi! Where is my order #1042?", "It was due yesterday."]
    assert chat[0].created_at == pytest.approx(now - 7200, abs=5)
    assert chat[0].conversation_id == chat[1].conversation_id
    # Read through Front's API like any other message.
    document = client.get(f"/conversations/{chat[0].conversation_id}/messages").json()
    texts = [m["text"] for m in document["_results"]]
    assert texts == ["It was due yesterday.", "Hi! Where is my order #1042?"]
    assert document["_results"][0]["recipients"][0]["name"] == "Marie"
    client.post("/_emulator/reset").raise_for_status()
    assert (store.message_count, store.conversation_count) == (5, 3)


def test_history_naming_an_unknown_or_non_custom_channel_is_refused_with_the_field(tmp_path):
    document = json.loads((FIXTURES / "history-workspace.json").read_text())
    document["channels"].append({"id": "cha_3a09", "address": "mail@example.test", "type": "smtp"})
    document["history"][1]["channel"] = "cha_nope"
    document["history"][2]["channel"] = "mail@example.test"
    path = tmp_path / "workspace.json"
    path.write_text(json.dumps(document))
    with pytest.raises(WorkspaceFileError) as caught:
        load_workspace_file(path)
    message = str(caught.value)
    assert "/history/1/channel: 'cha_nope' is not a custom channel of this workspace" in message
    assert "/history/2/channel: 'mail@example.test' is not a custom channel" in message
    assert "/history/0/" not in message


def test_history_with_a_wrong_field_names_it(tmp_path):
    path = tmp_path / "workspace.yaml"
    path.write_text(
        "api_secret: s\nchannels: [{id: cha_1, address: a@example.test}]\n"
        "tokens: [{token: tok-12345, scopes: ['*']}]\n"
        "history: [{channel: cha_1, sender: {handle: v}, body: hi, created_at: 30}]\n"
    )
    with pytest.raises(WorkspaceFileError, match=r"/history/0/created_at: must be <= 0"):
        load_workspace_file(path)
