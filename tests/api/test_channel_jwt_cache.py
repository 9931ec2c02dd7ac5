"""A channel JWT's verification is kept per token and secret (emulator/api/channel_jwt.py): what depends
on time or the workspace is still checked on every request with that same token."""

from __future__ import annotations

import json
from typing import Any

from emulator.domain.clock import FrozenClock
from emulator.domain.creation_delay import CreationDelay
from emulator.workspace_files import default_workspace_path
from tests.api.test_channel_api import INBOUND, inbound
from tests.channel_jwts import APP_UID, bearer, channel_jwt

START = 1_700_000_000.0


def test_a_token_verified_before_is_refused_once_expired(make_client: Any) -> None:
    clock = FrozenClock(START)
    client = make_client(clock=clock, creation_delay=CreationDelay(0, 0))
    token = channel_jwt(exp=int(START) + 10)
    assert client.post(INBOUND, json=inbound("m1"), headers=bearer(token)).status_code == 202
    client.post("/_emulator/clock/advance", json={"seconds": 16})
    answer = client.post(INBOUND, json=inbound("m2"), headers=bearer(token))
    assert answer.status_code == 401
    assert "expired" in answer.json()["_error"]["message"]


def test_a_token_verified_before_is_refused_once_its_app_has_another_secret(make_client: Any) -> None:
    client = make_client(creation_delay=CreationDelay(0, 0))
    token = channel_jwt()
    assert client.post(INBOUND, json=inbound("m1"), headers=bearer(token)).status_code == 202
    workspace = json.loads(default_workspace_path().read_text())
    for application in workspace["applications"]:
        application["secret"] = "another-secret-of-the-app"
    assert client.post("/_emulator/seed", json={"workspace": workspace}).status_code == 200
    answer = client.post(INBOUND, json=inbound("m2"), headers=bearer(token))
    assert answer.status_code == 401
    assert f"bad signature: not signed with the App secret of application {APP_UID}" in answer.text


def test_a_token_verified_for_its_channel_is_still_refused_on_another(client: Any) -> None:
    token = channel_jwt()
    assert client.post(INBOUND, json=inbound("m1"), headers=bearer(token)).status_code == 202
    answer = client.post("/channels/cha_1a01/inbound_messages", json=inbound("m2"), headers=bearer(token))
    # cha_1a01 is a custom channel: the route's own rule answers before the token is looked at.
    assert answer.status_code == 400
    assert "incoming_messages" in answer.json()["_error"]["message"]
