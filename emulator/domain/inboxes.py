"""Which inbox each channel belongs to: the workspace's own inboxes, and one of its own for a channel
none of them lists (so every channel, added at run time too, belongs to exactly one)."""

from __future__ import annotations

from emulator.domain.workspace import Channel, Inbox, Teammate, Workspace, own_inbox_id


def inboxes_of(workspace: Workspace) -> list[Inbox]:
    """The workspace's inboxes in file order, then the channels' own inboxes in channel order."""
    listed = {channel_id for inbox in workspace.inboxes for channel_id in inbox.channel_ids}
    own = [
        Inbox(id=own_inbox_id(channel.id), name=channel.name, channel_ids=(channel.id,))
        for channel in workspace.channels
        if channel.id not in listed
    ]
    return [*workspace.inboxes, *own]


def inbox(workspace: Workspace, inbox_id: str) -> Inbox | None:
    return next((item for item in inboxes_of(workspace) if item.id == inbox_id), None)


def inbox_of_channel(workspace: Workspace, channel_id: str) -> Inbox | None:
    """The inbox of a channel of the workspace; None once the channel was removed."""
    return next((item for item in inboxes_of(workspace) if channel_id in item.channel_ids), None)


def channels_of(workspace: Workspace, inbox: Inbox) -> list[Channel]:
    """The inbox's channels still in the workspace (GET /inboxes/{id}/channels, the inspector's inbox)."""
    return [channel for channel in workspace.channels if channel.id in inbox.channel_ids]


def teammates_of(workspace: Workspace, inbox: Inbox) -> list[Teammate]:
    if inbox.teammate_ids is None:
        return list(workspace.teammates)
    return [teammate for teammate in workspace.teammates if teammate.id in inbox.teammate_ids]


def inboxes_of_teammate(workspace: Workspace, teammate: Teammate) -> list[Inbox]:
    return [
        item
        for item in inboxes_of(workspace)
        if item.teammate_ids is None or teammate.id in item.teammate_ids
    ]
