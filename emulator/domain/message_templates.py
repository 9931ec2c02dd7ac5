"""Application message templates (Front's Channel API `…/application_message_templates`): templates an
app imports from the service behind its channel (WhatsApp, Facebook…), kept per channel by the app's
`external_id`.

PUT imports a template, or replaces the one with the same `external_id` (it keeps its `template_id`);
PATCH changes some fields of an existing one (404 for an external id the channel does not have). Front's
`template_id` is a number: the store hands them out in order from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from emulator.domain.rules import not_on_channel
from emulator.domain.workspace import Channel

if TYPE_CHECKING:
    from emulator.domain.store import Store

# The fields PATCH may change (Front's ApplicationMessageTemplateEditBlob).
EDITABLE_FIELDS = ("name", "blurb", "is_disabled", "status_name", "variable_mappings", "template_preview")


@dataclass(frozen=True, slots=True)
class VariableMapping:
    uid: str
    type: str
    name: str


@dataclass(frozen=True, slots=True)
class MessageTemplate:
    template_id: int
    channel_id: str
    external_id: str
    name: str
    blurb: str
    is_disabled: bool
    status_name: str
    variable_mappings: tuple[VariableMapping, ...]
    template_preview: str
    updated_at: float

    def as_document(self) -> dict[str, Any]:
        return {
            "template_id": self.template_id,
            "channel_id": self.channel_id,
            "external_id": self.external_id,
            "name": self.name,
            "blurb": self.blurb,
            "is_disabled": self.is_disabled,
            "status_name": self.status_name,
            "variable_mappings": [
                {"uid": item.uid, "type": item.type, "name": item.name} for item in self.variable_mappings
            ],
            "template_preview": self.template_preview,
            "updated_at": self.updated_at,
        }


class MessageTemplateBook:
    """Every channel's templates by (channel id, external_id), in the order they were first imported."""

    def __init__(self) -> None:
        self._templates: dict[tuple[str, str], MessageTemplate] = {}
        self.last_template_id = 0

    def put(self, template: MessageTemplate) -> None:
        self._templates[(template.channel_id, template.external_id)] = template

    def template(self, channel_id: str, external_id: str) -> MessageTemplate | None:
        return self._templates.get((channel_id, external_id))

    def of_channel(self, channel_id: str) -> list[MessageTemplate]:
        return [item for (channel, _), item in self._templates.items() if channel == channel_id]


def sync_template(store: Store, channel: Channel, fields: dict[str, Any]) -> MessageTemplate:
    """PUT: a checked ApplicationMessageTemplate, new or replacing the one with its external_id."""
    book = store.message_templates
    existing = book.template(channel.id, fields["external_id"])
    if existing is not None:
        template_id = existing.template_id
    else:
        book.last_template_id += 1
        template_id = book.last_template_id
    template = MessageTemplate(
        template_id=template_id,
        channel_id=channel.id,
        external_id=fields["external_id"],
        updated_at=round(store.clock.now(), 3),
        **_editable(fields),
    )
    store.put_message_template(template)
    return template


def update_template(
    store: Store, channel: Channel, external_id: str, changes: dict[str, Any]
) -> MessageTemplate:
    """PATCH: a checked edit blob applied to the channel's template with that external_id."""
    existing = store.message_templates.template(channel.id, external_id)
    if existing is None:
        how = f"import it first with PUT /channels/{channel.id}/application_message_templates"
        raise not_on_channel("Application message template", external_id, channel.id, how)
    template = replace(existing, updated_at=round(store.clock.now(), 3), **_editable(changes))
    store.put_message_template(template)
    return template


def _editable(fields: dict[str, Any]) -> dict[str, Any]:
    found = {name: fields[name] for name in EDITABLE_FIELDS if name in fields}
    if "variable_mappings" in found:
        found["variable_mappings"] = tuple(
            VariableMapping(item["uid"], item["type"], item["name"]) for item in found["variable_mappings"]
        )
    return found
