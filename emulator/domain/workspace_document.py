"""A Workspace built from a document and what the schema cannot check in one: the emulator's workspace
files, the seed of the control plane and the built-in workspace all go through here.

The document is already parsed and checked against schemas/workspace.json (emulator/workspace_files.py
reads files): no I/O here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from emulator.domain.workspace import (
    ALL_SCOPES,
    ApiToken,
    Application,
    Channel,
    ChannelSettings,
    HistoryMessage,
    Inbox,
    Teammate,
    Workspace,
    own_inbox_id,
)


def workspace_from_document(document: dict[str, Any]) -> Workspace:
    """Build a Workspace from a document already validated against schemas/workspace.json."""
    channels = tuple(
        Channel(
            id=item["id"],
            address=item["address"],
            name=item.get("name") or item["address"],
            type=item.get("type", "custom"),
            settings=replace(ChannelSettings(), **(item.get("settings") or {})),
            application=item.get("application"),
            status=item.get("status", "ok"),
        )
        for item in document["channels"]
    )
    applications = tuple(
        Application(
            uid=item["uid"],
            secret=item["secret"],
            name=item["name"],
            webhook_url=item["webhook_url"],
            delete_signature=item.get("delete_signature", "body"),
        )
        for item in document.get("applications", [])
    )
    teammates = tuple(
        Teammate(
            id=item["id"],
            email=item["email"],
            username=item.get("username") or item["email"].split("@")[0],
            first_name=item.get("first_name", ""),
            last_name=item.get("last_name", ""),
            is_admin=item.get("is_admin", False),
            is_available=item.get("is_available", True),
            is_blocked=item.get("is_blocked", False),
        )
        for item in document.get("teammates", [])
    )
    tokens = tuple(
        ApiToken(
            token=item["token"],
            scopes=frozenset(ALL_SCOPES if "*" in item["scopes"] else item["scopes"]),
            name=item.get("name", ""),
        )
        for item in document["tokens"]
    )
    history = tuple(
        HistoryMessage(
            channel=item["channel"],
            sender_handle=item["sender"]["handle"],
            body=item["body"],
            sender_name=item["sender"].get("name"),
            subject=item.get("subject"),
            body_format=item.get("body_format", "markdown"),
            thread_ref=item.get("thread_ref"),
            created_at=item.get("created_at", 0),
        )
        for item in document.get("history", [])
    )
    inboxes = tuple(
        Inbox(
            id=item["id"],
            name=item["name"],
            channel_ids=tuple(item["channels"]),
            teammate_ids=tuple(item["teammates"]) if "teammates" in item else None,
        )
        for item in document.get("inboxes", [])
    )
    return Workspace(channels, teammates, tokens, document["api_secret"], history, applications, inboxes)


def workspace_problems(document: dict[str, Any]) -> list[str]:
    """What the schema cannot say about a schema-valid document: ids and addresses used twice, and
    history messages on channels that take none, channels of unknown applications; one
    `"/json/pointer: reason"` line each."""
    return (
        _duplicates(document)
        + _history_channels(document)
        + _channel_applications(document)
        + inbox_problems(document)
    )


def _duplicates(document: dict[str, Any]) -> list[str]:
    problems = []
    for collection, key in (
        ("channels", "id"),
        ("channels", "address"),
        ("teammates", "id"),
        ("tokens", "token"),
        ("applications", "uid"),
        ("inboxes", "id"),
    ):
        seen: set[str] = set()
        for index, item in enumerate(document.get(collection, [])):
            if item[key] in seen:
                problems.append(f"/{collection}/{index}/{key}: {item[key]!r} is used twice")
            seen.add(item[key])
    return problems


def _history_channels(document: dict[str, Any]) -> list[str]:
    """Each history message must name a custom channel (by id or address): only those take messages."""
    custom = {
        reference
        for channel in document["channels"]
        if channel.get("type", "custom") == "custom" and "application" not in channel
        for reference in (channel["id"], channel["address"])
    }
    return [
        f"/history/{index}/channel: {item['channel']!r} is not a custom channel of this workspace "
        f"(known: {', '.join(sorted(custom)) or 'none'})"
        for index, item in enumerate(document.get("history", []))
        if item["channel"] not in custom
    ]


def _channel_applications(document: dict[str, Any]) -> list[str]:
    known = {application["uid"] for application in document.get("applications", [])}
    return [
        f"/channels/{index}/application: no application {channel['application']!r} in this workspace "
        f"(known: {', '.join(sorted(known)) or 'none'})"
        for index, channel in enumerate(document["channels"])
        if "application" in channel and channel["application"] not in known
    ]


def inbox_problems(document: dict[str, Any]) -> list[str]:
    """Inboxes name channels and teammates of the workspace, each channel in one inbox at most, and no
    inbox takes the id a channel's own inbox has."""
    channels = {channel["id"] for channel in document["channels"]}
    teammates = {teammate["id"] for teammate in document.get("teammates", [])}
    problems = []
    placed: dict[str, str] = {}
    for index, inbox in enumerate(document.get("inboxes", [])):
        for position, channel_id in enumerate(inbox["channels"]):
            where = f"/inboxes/{index}/channels/{position}"
            if channel_id not in channels:
                problems.append(f"{where}: no channel {channel_id!r} in this workspace")
            elif channel_id in placed:
                problems.append(f"{where}: {channel_id!r} is already in inbox {placed[channel_id]!r}")
            else:
                placed[channel_id] = inbox["id"]
        for position, teammate_id in enumerate(inbox.get("teammates", [])):
            if teammate_id not in teammates:
                problems.append(
                    f"/inboxes/{index}/teammates/{position}: no teammate {teammate_id!r} in this workspace"
                )
    reserved = {own_inbox_id(channel_id): channel_id for channel_id in channels - set(placed)}
    problems += [
        f"/inboxes/{index}/id: {inbox['id']!r} is the own inbox of channel {reserved[inbox['id']]!r}, "
        "which no inbox lists"
        for index, inbox in enumerate(document.get("inboxes", []))
        if inbox["id"] in reserved
    ]
    return problems
