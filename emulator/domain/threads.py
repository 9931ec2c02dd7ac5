"""Which conversation an inbound message joins: by thread_ref when given, else by sender handle."""

from __future__ import annotations

ThreadKey = tuple[str, str]


def thread_key(sender_handle: str, thread_ref: str | None) -> ThreadKey:
    """Refs and handles live in separate key spaces, so a ref equal to some handle never merges them."""
    if thread_ref is not None:
        return ("thread_ref", thread_ref)
    return ("sender", sender_handle)
