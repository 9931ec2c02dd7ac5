"""Application channels (Front's Channel API) through HTTP: apps in the workspace, the control plane that
adds them, and which kind of channel takes which route."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import CHANNEL

APP_CHANNEL = "cha_1a04"
APP_UID = "app1a05"
APP_SECRET = "front-emulator-application-secret"


def test_default_workspace_has_an_application_with_an_authorized_channel(client: TestClient) -> None:
    workspace = client.get("/_emulator/workspace").json()
    assert workspace["applications"] == [
        {
            "uid": APP_UID,
            "secret": APP_SECRET,
            "name": "Partner chat app",
            "webhook_url": "http://127.0.0.1:9000/front/app",
        }
    ]
    channel = next(item for item in workspace["channels"] if item["id"] == APP_CHANNEL)
    assert channel["application"] == APP_UID
    assert channel["settings"]["webhook_url"] == "http://127.0.0.1:9000/front/app/channels/cha_1a04"
    # A custom channel names no application.
    assert "application" not in next(item for item in workspace["channels"] if item["id"] == CHANNEL)


def test_application_channel_refuses_incoming_messages_naming_inbound_messages(client: TestClient) -> None:
    answer = client.post(
        f"/channels/{APP_CHANNEL}/incoming_messages", json={"sender": {"handle": "ada"}, "body": "hi"}
    )
    assert answer.status_code == 400
    message = answer.json()["_error"]["message"]
    assert f"POST /channels/{APP_CHANNEL}/inbound_messages" in message
    assert client.get("/_emulator/readyz").json()["messages"] == 0


def test_new_messages_follow_the_channel_settings_as_on_custom_channels(client: TestClient) -> None:
    answer = client.post(f"/channels/{APP_CHANNEL}/messages", json={"to": ["ada"], "body": "hi"})
    assert answer.status_code == 403
    assert "does not allow new messages" in answer.json()["_error"]["message"]


def test_create_application_draws_uid_and_secret(client: TestClient) -> None:
    answer = client.post(
        "/_emulator/applications", json={"name": "Acme", "webhook_url": "http://127.0.0.1:9100/front"}
    )
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert created["name"] == "Acme" and created["webhook_url"] == "http://127.0.0.1:9100/front"
    assert created["uid"].isalnum() and len(created["secret"]) >= 8
    assert created in client.get("/_emulator/workspace").json()["applications"]


def test_create_application_with_its_own_uid_and_secret_and_a_conflict(client: TestClient) -> None:
    document = {"name": "Acme", "webhook_url": "http://127.0.0.1:9100/front", "uid": "acme1"}
    document["secret"] = "s" * 12
    assert client.post("/_emulator/applications", json=document).json() == document
    again = client.post("/_emulator/applications", json=document)
    assert again.status_code == 409
    assert again.json()["_error"]["message"] == "An application with uid acme1 already exists"


def test_create_application_refuses_a_bad_body_naming_each_field(client: TestClient) -> None:
    answer = client.post("/_emulator/applications", json={"webhook_url": "ftp://x", "secret": "short"})
    assert answer.status_code == 400
    assert answer.json()["_error"]["details"] == [
        "/name: required",
        "/secret: must be at least 8 characters long",
        "/webhook_url: must match the pattern ^https?://",
    ]
    unusable = client.post("/_emulator/applications", json={"name": "A", "webhook_url": "http://:80"})
    assert unusable.status_code == 400
    assert unusable.json()["_error"]["details"][0].startswith("/webhook_url: not a URL the emulator can")
    assert len(client.get("/_emulator/workspace").json()["applications"]) == 1


def test_seeded_workspace_refuses_a_channel_of_an_unknown_application(client: TestClient) -> None:
    workspace = client.get("/_emulator/workspace").json()
    workspace["channels"][0]["application"] = "nosuchapp"
    answer = client.post("/_emulator/seed", json={"workspace": workspace})
    assert answer.status_code == 400
    assert answer.json()["_error"]["details"] == [
        "/workspace/channels/0/application: no application 'nosuchapp' in this workspace (known: app1a05)"
    ]


def test_history_cannot_name_an_application_channel(client: TestClient) -> None:
    workspace = client.get("/_emulator/workspace").json()
    workspace["history"] = [{"channel": APP_CHANNEL, "sender": {"handle": "ada"}, "body": "hi"}]
    answer = client.post("/_emulator/seed", json={"workspace": workspace})
    assert answer.status_code == 400
    assert answer.json()["_error"]["details"][0].startswith(
        "/workspace/history/0/channel: 'cha_1a04' is not a custom channel"
    )


def test_the_inspector_shows_an_application_channel_and_its_status(client: TestClient) -> None:
    page = client.get("/_emulator/ui")
    assert page.status_code == 200
    assert f"application channel of <code>{APP_UID}</code> · status ok" in page.text
