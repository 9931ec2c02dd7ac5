"""Application channels (Front's Channel API): the apps of a workspace and the rules for adding one."""

from __future__ import annotations

from emulator.domain.rules import Refusal
from emulator.domain.store import Store
from emulator.domain.workspace import Application


def add_application(
    store: Store, name: str, webhook_url: str, uid: str | None = None, secret: str | None = None
) -> Application:
    """A new app; uid and secret are drawn from the store's id source when not given, so a seeded
    emulator hands out the same ones every run."""
    if uid is not None and store.application(uid) is not None:
        raise Refusal("conflict", f"An application with uid {uid} already exists")
    application = Application(
        uid=uid or _new_uid(store),
        secret=secret or store.ids.new_uid(),
        name=name,
        webhook_url=webhook_url,
    )
    store.add_application(application)
    return application


def _new_uid(store: Store) -> str:
    """Front's App UIDs are short lowercase hex; a drawn one never collides with one already there."""
    while True:
        uid = store.ids.new_uid()[:10]
        if store.application(uid) is None:
            return uid
