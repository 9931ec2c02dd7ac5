"""The control plane (/_emulator/*) and the workspace files it is built from."""

from __future__ import annotations

import json

import pytest

from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from emulator.domain.workspace import ALL_SCOPES
from emulator.workspace_files import WorkspaceFileError, default_workspace_path, load_workspace_file
from tests.conftest import AUTH, CHANNEL, READ_ONLY_TOKEN, TOKEN, post_message

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
VALID_YAML = """\
# A second workspace, as a team would keep it next to its integration.
api_secret: team-secret
channels:
  - id: cha_2b01
    address: bot@team.test
    name: Team bot
    settings:
      webhook_url: http://127.0.0.1:9100/front
      undo_send_time: 10
  - id: cha_2b02
    address: "+15550109999"
teammates:
  - id: tea_2c01
    email: lin@team.test
tokens:
  - token: team-token-123
    scopes: ["*"]
  - token: team-reader-123
    name: reader
    scopes: [messages:read]
"""


# -- GET /_emulator/workspace ------------------------------------------------------------------------


def test_workspace_has_exactly_the_documented_shape(client):
    answer = client.get("/_emulator/workspace")
    assert answer.status_code == 200
    workspace = answer.json()
    assert set(workspace) == {"channels", "teammates", "tokens", "api_secret", "applications", "inboxes"}
    assert workspace["api_secret"] == "front-emulator-api-secret"
    for channel in workspace["channels"]:
        # An application channel also names its app and its status (docs/application-channels.md).
        assert set(channel) - {"application", "status"} == {"id", "address", "name", "type", "settings"}
        assert channel["id"].startswith("cha_")
        assert isinstance(channel["settings"], dict)
    for token in workspace["tokens"]:
        assert set(token) == {"token", "name", "scopes"}
    for teammate in workspace["teammates"]:
        assert teammate["id"].startswith("tea_")
        assert "@" in teammate["email"]


def test_default_workspace_has_what_the_issue_asks_for(client):
    workspace = client.get("/_emulator/workspace").json()
    custom = [channel for channel in workspace["channels"] if channel["type"] == "custom"]
    assert len(custom) >= 2
    assert len(workspace["teammates"]) >= 2
    scopes = {token["token"]: set(token["scopes"]) for token in workspace["tokens"]}
    assert scopes[TOKEN] == set(ALL_SCOPES)
    assert READ_ONLY_TOKEN in scopes
    assert scopes[READ_ONLY_TOKEN]
    assert all(scope.endswith(":read") for scope in scopes[READ_ONLY_TOKEN])


def test_workspace_channels_match_the_api(client):
    workspace = client.get("/_emulator/workspace").json()
    api = {channel["id"]: channel for channel in client.get("/channels").json()["_results"]}
    for channel in workspace["channels"]:
        assert api[channel["id"]]["address"] == channel["address"]
        assert api[channel["id"]]["name"] == channel["name"]
        assert api[channel["id"]]["type"] == channel["type"]
        assert api[channel["id"]]["settings"]["undo_send_time"] == channel["settings"]["undo_send_time"]


def test_the_workspace_tokens_work(client):
    workspace = client.get("/_emulator/workspace").json()
    for token in workspace["tokens"]:
        answer = client.get("/channels", headers={"authorization": f"Bearer {token['token']}"})
        assert answer.status_code == (200 if "channels:read" in token["scopes"] else 403)


def test_control_routes_need_no_token_and_skip_rate_limit_headers(client):
    client.headers.pop("authorization")
    for path in ("/_emulator/workspace", "/_emulator/livez", "/_emulator/readyz"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert not any(name in answer.headers for name in RATE_HEADERS)


# -- health ------------------------------------------------------------------------------------------


def test_livez(client):
    answer = client.get("/_emulator/livez")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_readyz_counts_channels_and_messages(make_client):
    clock = FrozenClock(1_700_000_000.0)
    client = make_client(clock=clock, creation_delay=CreationDelay(1, 1))
    assert client.get("/_emulator/readyz").json() == {
        "status": "ready",
        "channels": 4,
        "messages": 0,
        "pending_messages": 0,
    }
    post_message(client, {"sender": {"handle": "v"}, "body": "x"})
    health = client.get("/_emulator/readyz").json()
    assert (health["messages"], health["pending_messages"]) == (0, 1)
    clock.advance(1)
    health = client.get("/_emulator/readyz").json()
    assert (health["messages"], health["pending_messages"]) == (1, 0)


def test_live_server_health(live_client):
    assert live_client.get("/_emulator/livez").json() == {"status": "ok"}
    assert live_client.get("/_emulator/readyz").json()["status"] == "ready"


# -- POST /_emulator/reset ---------------------------------------------------------------------------


def test_reset_forgets_messages_and_conversations(client):
    uid = post_message(client, {"sender": {"handle": "v"}, "body": "x"})
    message = client.get(f"/messages/alt:uid:{uid}").json()
    conversation_url = message["_links"]["related"]["conversation"]
    assert client.get("/_emulator/readyz").json()["messages"] == 1
    answer = client.post("/_emulator/reset")
    assert answer.status_code == 204
    assert answer.content == b""
    assert client.get("/_emulator/readyz").json()["messages"] == 0
    assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
    assert client.get(f"/messages/{message['id']}").status_code == 404
    assert client.get(conversation_url).status_code == 404


def test_reset_forgets_pending_messages_too(make_client):
    clock = FrozenClock(1_700_000_000.0)
    client = make_client(clock=clock, creation_delay=CreationDelay(5, 5))
    uid = post_message(client, {"sender": {"handle": "v"}, "body": "x"})
    client.post("/_emulator/reset")
    clock.advance(10)
    assert client.get(f"/messages/alt:uid:{uid}").status_code == 404
    assert client.get("/_emulator/readyz").json()["messages"] == 0


def test_reset_keeps_the_workspace(client):
    before = client.get("/_emulator/workspace").json()
    client.post("/_emulator/reset")
    assert client.get("/_emulator/workspace").json() == before
    assert client.get(f"/channels/{CHANNEL}").status_code == 200


def test_threading_starts_afresh_after_reset(client):
    first = post_message(client, {"sender": {"handle": "v"}, "body": "x"})
    first_conversation = client.get(f"/messages/alt:uid:{first}").json()["_links"]["related"]["conversation"]
    client.post("/_emulator/reset")
    second = post_message(client, {"sender": {"handle": "v"}, "body": "y"})
    conversation_url = client.get(f"/messages/alt:uid:{second}").json()["_links"]["related"]["conversation"]
    texts = [m["text"] for m in client.get(f"{conversation_url}/messages").json()["_results"]]
    assert texts == ["y"]
    # A reset also rewinds the id source, so the new conversation replays the first one's id.
    assert conversation_url == first_conversation


def test_control_routes_refuse_other_methods_in_front_envelope(client):
    answer = client.delete("/_emulator/workspace")
    assert answer.status_code == 405
    assert answer.json()["_error"]["status"] == 405
    assert client.get("/_emulator/reset").status_code == 405


# -- workspace files ---------------------------------------------------------------------------------


def test_valid_yaml_workspace_loads(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(VALID_YAML)
    workspace = load_workspace_file(path)
    assert [channel.id for channel in workspace.channels] == ["cha_2b01", "cha_2b02"]
    assert workspace.channels[0].settings.undo_send_time == 10
    assert workspace.channels[1].name == "+15550109999"
    assert workspace.channels[1].type == "custom"
    assert workspace.teammates[0].username == "lin"
    assert workspace.tokens[0].scopes == frozenset(ALL_SCOPES)
    assert workspace.tokens[1].scopes == frozenset({"messages:read"})
    assert workspace.api_secret == "team-secret"


def test_emulator_serves_a_yaml_workspace(make_client, tmp_path):
    path = tmp_path / "team.yml"
    path.write_text(VALID_YAML)
    client = make_client(workspace_path=path)
    client.headers["authorization"] = "Bearer team-token-123"
    assert [c["id"] for c in client.get("/channels").json()["_results"]] == ["cha_2b01", "cha_2b02"]
    uid = post_message(client, {"sender": {"handle": "v"}, "body": "x"}, channel="alt:address:bot@team.test")
    assert client.get(f"/messages/alt:uid:{uid}").json()["recipients"][1]["handle"] == "bot@team.test"
    workspace = client.get("/_emulator/workspace").json()
    assert workspace["api_secret"] == "team-secret"
    assert [t["name"] for t in workspace["tokens"]] == ["", "reader"]
    assert client.get("/channels", headers=AUTH).status_code == 401


def test_the_default_workspace_file_is_valid(tmp_path):
    workspace = load_workspace_file(default_workspace_path())
    copy = tmp_path / "copy.json"
    copy.write_text(json.dumps(workspace.as_document()))
    assert load_workspace_file(copy) == workspace


def _error_for(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(WorkspaceFileError) as caught:
        load_workspace_file(path)
    message = str(caught.value)
    assert str(path) in message
    # The temporary directory is named after the test: keep it out of the assertions.
    return message.replace(str(path), "FILE")


def test_json_syntax_error_names_the_line(tmp_path):
    text = '{\n  "api_secret": "s",\n  "channels": [\n    {"id": "cha_1", "address": "a"},\n  ]\n}\n'
    message = _error_for(tmp_path, "broken.json", text)
    assert "FILE:5:" in message
    assert "invalid JSON" in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = "api_secret: s\nchannels:\n  - id: cha_1\n    address: [a\ntokens: []\n"
    message = _error_for(tmp_path, "broken.yaml", text)
    assert "invalid YAML" in message
    assert "FILE:5:" in message


def test_yaml_indentation_error_names_the_line(tmp_path):
    text = "api_secret: s\nchannels:\n  - id: cha_1\n   address: a\n"
    message = _error_for(tmp_path, "indent.yaml", text)
    assert "FILE:4:" in message


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {
                "api_secret": "s",
                "channels": [{"id": "cha_1", "adress": "a"}],
                "tokens": [{"token": "12345678", "scopes": ["*"]}],
            },
            ["/channels/0/address: required", "/channels/0/adress: is not a known field"],
        ),
        (
            {
                "api_secret": "s",
                "channels": [{"id": "chan-1", "address": "a"}],
                "tokens": [{"token": "12345678", "scopes": ["*"]}],
            },
            ["/channels/0/id: must match the pattern ^cha_[0-9a-z]+$"],
        ),
        (
            {
                "api_secret": "s",
                "channels": [{"id": "cha_1", "address": "a", "settings": {"undo_send_time": 7}}],
                "tokens": [{"token": "12345678", "scopes": ["admin"]}],
            },
            ["/channels/0/settings/undo_send_time: must be one of", "/tokens/0/scopes/0: must be one of"],
        ),
        (
            {"channels": [{"id": "cha_1", "address": "a"}], "tokens": []},
            ["/api_secret: required", "/tokens: must"],
        ),
        ([], ["/: must be an object"]),
    ],
)
def test_wrong_fields_are_named(tmp_path, document, expected):
    message = _error_for(tmp_path, "wrong.json", json.dumps(document))
    for line in expected:
        assert line in message


@pytest.mark.parametrize(
    ("collection", "items", "expected"),
    [
        (
            "channels",
            [{"id": "cha_1", "address": "a"}, {"id": "cha_1", "address": "b"}],
            "/channels/1/id: 'cha_1'",
        ),
        (
            "channels",
            [{"id": "cha_1", "address": "a"}, {"id": "cha_2", "address": "a"}],
            "/channels/1/address: 'a'",
        ),
        (
            "tokens",
            [{"token": "12345678", "scopes": ["*"]}, {"token": "12345678", "scopes": []}],
            "/tokens/1/token: '12345678'",
        ),
        (
            "teammates",
            [{"id": "tea_1", "email": "a@x.test"}, {"id": "tea_1", "email": "b@x.test"}],
            "/teammates/1/id: 'tea_1'",
        ),
    ],
)
def test_duplicates_are_named(tmp_path, collection, items, expected):
    document = {
        "api_secret": "s",
        "channels": [{"id": "cha_1", "address": "a"}],
        "tokens": [{"token": "12345678", "scopes": ["*"]}],
        collection: items,
    }
    message = _error_for(tmp_path, "dupes.json", json.dumps(document))
    assert f"{expected} is used twice" in message


def test_duplicate_channel_ids_in_yaml(tmp_path):
    text = VALID_YAML.replace("id: cha_2b02", "id: cha_2b01")
    assert "/channels/1/id: 'cha_2b01' is used twice" in _error_for(tmp_path, "dupes.yaml", text)


def test_empty_yaml_file_says_so(tmp_path):
    message = _error_for(tmp_path, "empty.yaml", "")
    assert "empty" in message


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(WorkspaceFileError, match=r"nowhere\.json"):
        load_workspace_file(path)


def test_workspace_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"api_secret": "\xe9"}')
    with pytest.raises(WorkspaceFileError, match=r"latin1\.json"):
        load_workspace_file(path)


def test_yaml_file_of_comments_only_is_empty(tmp_path):
    assert "FILE is empty" in _error_for(tmp_path, "comments.yaml", "# nothing here yet\n")


def test_empty_json_file_names_the_line(tmp_path):
    assert "FILE:1:1: invalid JSON" in _error_for(tmp_path, "empty.json", "")
