"""The route table of the Front around a channel: contacts, teammates, inboxes, conversation events."""

from __future__ import annotations

from starlette.routing import Route

from emulator.api import contacts, conversations, imported_messages, inboxes, tags, teammates

routes = [
    Route("/contacts", contacts.list_contacts, methods=["GET"]),
    Route("/contacts", contacts.create_contact, methods=["POST"]),
    Route("/contacts/{contact_id}", contacts.get_contact, methods=["GET"]),
    Route("/contacts/{contact_id}", contacts.update_contact, methods=["PATCH"]),
    Route("/contacts/{contact_id}", contacts.delete_contact, methods=["DELETE"]),
    Route("/contacts/{contact_id}/handles", contacts.add_contact_handle, methods=["POST"]),
    Route("/contacts/{contact_id}/handles", contacts.remove_contact_handle, methods=["DELETE"]),
    Route("/contacts/{contact_id}/conversations", contacts.list_contact_conversations, methods=["GET"]),
    Route("/teammates", teammates.list_teammates, methods=["GET"]),
    Route("/teammates/{teammate_id}", teammates.get_teammate, methods=["GET"]),
    Route("/teammates/{teammate_id}/inboxes", teammates.list_teammate_inboxes, methods=["GET"]),
    Route("/teammates/{teammate_id}/conversations", teammates.list_assigned_conversations, methods=["GET"]),
    Route("/inboxes", inboxes.list_inboxes, methods=["GET"]),
    Route("/inboxes/{inbox_id}", inboxes.get_inbox, methods=["GET"]),
    Route("/inboxes/{inbox_id}/channels", inboxes.list_inbox_channels, methods=["GET"]),
    Route("/inboxes/{inbox_id}/conversations", inboxes.list_inbox_conversations, methods=["GET"]),
    Route("/inboxes/{inbox_id}/teammates", inboxes.list_inbox_teammates, methods=["GET"]),
    Route("/inboxes/{inbox_id}/imported_messages", imported_messages.import_message, methods=["POST"]),
    Route("/conversations", conversations.list_conversations, methods=["GET"]),
    Route("/conversations/{conversation_id}/events", conversations.list_conversation_events, methods=["GET"]),
    Route("/events/{event_id}", conversations.get_event, methods=["GET"]),
    Route(
        "/conversations/{conversation_id}/comments", conversations.list_conversation_comments, methods=["GET"]
    ),
    Route(
        "/conversations/{conversation_id}/followers",
        conversations.list_conversation_followers,
        methods=["GET"],
    ),
    Route(
        "/conversations/{conversation_id}/inboxes", conversations.list_conversation_inboxes, methods=["GET"]
    ),
    Route(
        "/conversations/{conversation_id}/comments", conversations.add_conversation_comment, methods=["POST"]
    ),
    Route("/comments/{comment_id}", conversations.get_comment, methods=["GET"]),
    Route("/comments/{comment_id}/mentions", conversations.list_comment_mentions, methods=["GET"]),
    Route("/messages/{message_id}/seen", conversations.get_message_seen, methods=["GET"]),
    Route("/tags", tags.list_tags, methods=["GET"]),
    Route("/tags", tags.add_tag, methods=["POST"]),
    Route("/tags/{tag_id}", tags.get_tag, methods=["GET"]),
    Route("/tags/{tag_id}/conversations", tags.list_tag_conversations, methods=["GET"]),
    Route("/conversations/{conversation_id}/tags", tags.tag_conversation, methods=["POST", "DELETE"]),
    Route("/conversations/{conversation_id}/assignee", conversations.update_assignee, methods=["PUT"]),
]
