"""Plain documents of the domain's records, for the control plane and workspace files to show as JSON."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def attributes(item: object, *names: str) -> dict[str, Any]:
    """`{name: item.name}` for each of `names`, in that order."""
    return {name: getattr(item, name) for name in names}


def every_field(item: DataclassInstance) -> dict[str, Any]:
    """Each field of a dataclass by name, in declaration order, values as they are (no deep copy, unlike
    dataclasses.asdict)."""
    return {field.name: getattr(item, field.name) for field in fields(item)}
