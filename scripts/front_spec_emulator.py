"""The emulator the conformance run talks to: the app in-process, seeded through Front's API, and the
ids of what it holds (drawn by the run for path parameters and body fields that name resources)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import jwt

from emulator.app import create_app
from emulator.config import Config

BASE_URL = "http://emulator.test"


class Emulator:
    """The app in-process on one event loop of its own (no lifespan: nothing is delivered anywhere)."""

    def __init__(self) -> None:
        self.config = Config(seed=1, public_url=BASE_URL, allowed_hosts=("emulator.test",))
        self.app = create_app(self.config)
        self.store = self.app.state.store
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE_URL)
        scopes = {token.token: len(token.scopes) for token in self.store.workspace.tokens}
        self.token = max(scopes, key=lambda token: scopes[token])
        self.application = self.store.workspace.applications[0]

    def channel_jwt(self, channel_id: str) -> str:
        claims = {
            "iss": self.application.uid,
            "sub": channel_id,
            "jti": "front-spec-conformance",
            "exp": int(self.store.clock.now()) + 60,
        }
        return jwt.encode(claims, self.application.secret, algorithm="HS256")

    def app_channel(self) -> str:
        return next(channel.id for channel in self.store.workspace.channels if channel.is_application)

    def request(self, method: str, path: str, *, jwt_channel: str | None = None, **kwargs: Any) -> Any:
        token = self.channel_jwt(jwt_channel) if jwt_channel else self.token
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        answer = self.loop.run_until_complete(self.client.request(method, path, headers=headers, **kwargs))
        return (
            answer.json()
            if answer.content and answer.headers.get("content-type", "").endswith("json")
            else answer
        )

    def send(self, kwargs: dict[str, Any]) -> httpx.Response | None:
        data = kwargs.pop("data", None)
        if isinstance(data, bytes | str):
            kwargs["content"] = data
        elif data is not None:
            kwargs["data"] = data
        kwargs.pop("cookies", None)
        return self.loop.run_until_complete(self._send(kwargs))

    async def _send(self, kwargs: dict[str, Any]) -> httpx.Response | None:
        """The answer, or None for a request httpx cannot build (a generated file that is a number)."""
        try:
            request = self.client.build_request(**kwargs)
            # Read now: Schemathesis reads the request back from the answer, and a multipart body is a
            # stream until read.
            await request.aread()
        except (TypeError, AttributeError, ValueError):
            return None
        return await self.client.send(request)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


def seed(emulator: Emulator) -> dict[str, list[str]]:
    """Conversations with inbound and outbound messages, an attachment, a comment, a tag and an
    assignee, on custom and application channels; the ids of what exists, by parameter name."""
    custom = [channel.id for channel in emulator.store.workspace.channels if channel.is_custom]
    teammates = [teammate.id for teammate in emulator.store.workspace.teammates]
    uids = []
    for index, channel in enumerate(custom):
        document = {"sender": {"handle": f"+1555010{index:04d}", "name": "Sam"}, "body": "Hello"}
        uids.append(
            emulator.request("POST", f"/channels/{channel}/incoming_messages", json=document)["message_uid"]
        )
    uids.append(
        emulator.request(
            "POST",
            f"/channels/{custom[0]}/incoming_messages",
            data={"sender[handle]": "visitor-2", "body": "See attached"},
            files={"attachments": ("note.txt", b"a note", "text/plain")},
        )["message_uid"]
    )
    app_channel = emulator.app_channel()
    inbound = {
        "sender": {"handle": "partner-user"},
        "body": "From the app",
        "metadata": {"external_id": "ext-1", "external_conversation_id": "thread-1"},
    }
    emulator.request(
        "POST", f"/channels/{app_channel}/inbound_messages", json=inbound, jwt_channel=app_channel
    )
    outbound = {
        "to": [{"handle": "partner-user"}],
        "body": "From a teammate, through the app",
        "metadata": {"external_id": "ext-2", "external_conversation_id": "thread-1"},
    }
    emulator.request(
        "POST", f"/channels/{app_channel}/outbound_messages", json=outbound, jwt_channel=app_channel
    )
    call = {
        "external_call_id": "call-1",
        "direction": "inbound",
        "from": {"handle": "+15550109999"},
        "initial_status": "ringing",
        "parent_external_call_id": "",
    }
    emulator.request("POST", f"/channels/{app_channel}/calls", json=call, jwt_channel=app_channel)
    template = {
        "external_id": "template-1",
        "name": "Order shipped",
        "blurb": "Your order has shipped",
        "is_disabled": False,
        "status_name": "APPROVED",
        "variable_mappings": [],
        "template_preview": "Your order {{1}} has shipped",
    }
    path = f"/channels/{app_channel}/application_message_templates"
    emulator.request("PUT", path, json=template, jwt_channel=app_channel)
    messages = [emulator.request("GET", f"/messages/alt:uid:{uid}") for uid in uids]
    conversation = messages[0]["_links"]["related"]["conversation"].rsplit("/", 1)[1]
    emulator.request(
        "POST", f"/conversations/{conversation}/messages", json={"body": "Hi", "author_id": teammates[0]}
    )
    tag = emulator.request("POST", "/tags", json={"name": "vip"})["id"]
    emulator.request("POST", f"/conversations/{conversation}/tags", json={"tag_ids": [tag]})
    comment = {
        "body": f"@{emulator.store.workspace.teammates[1].username} have a look",
        "author_id": teammates[0],
    }
    emulator.request("POST", f"/conversations/{conversation}/comments", json=comment)
    emulator.request("PUT", f"/conversations/{conversation}/assignee", json={"assignee_id": teammates[1]})
    return _pools(emulator)


def _ids(emulator: Emulator, path: str) -> list[str]:
    return [result["id"] for result in emulator.request("GET", path)["_results"]]


def _pools(emulator: Emulator) -> dict[str, list[Any]]:
    conversations = _ids(emulator, "/conversations")
    messages, downloads, events, comments = [], [], [], []
    for conversation in conversations:
        for message in emulator.request("GET", f"/conversations/{conversation}/messages")["_results"]:
            messages.append(message["id"])
            downloads += [(message["id"], attachment["id"]) for attachment in message.get("attachments", [])]
        events += _ids(emulator, f"/conversations/{conversation}/events")
        comments += _ids(emulator, f"/conversations/{conversation}/comments")
    workspace = emulator.store.workspace
    teammates = [teammate.id for teammate in workspace.teammates]
    tags = _ids(emulator, "/tags")
    return {
        "channel_id": [channel.id for channel in workspace.channels]
        + [f"alt:address:{workspace.channels[0].address}"],
        "conversation_id": conversations,
        "message_id": [
            *messages,
            f"alt:uid:{emulator.request('GET', f'/messages/{messages[0]}')['message_uid']}",
        ],
        "event_id": events,
        "comment_id": comments,
        "contact_id": _ids(emulator, "/contacts"),
        "teammate_id": [*teammates, f"alt:email:{workspace.teammates[0].email}"],
        "inbox_id": _ids(emulator, "/inboxes"),
        "tag_id": tags,
        # Body fields that name resources.
        "author_id": teammates,
        "assignee_id": teammates,
        "teammate_ids": teammates,
        "tag_ids": tags,
        # Parameters that only make sense together, drawn as one.
        ("message_id", "attachment_link_id"): downloads,
        ("conv_ext_id", "message_ext_id"): [("thread-1", "ext-2")],
        "external_call_id": ["call-1"],
        "external_id": ["template-1"],
    }
