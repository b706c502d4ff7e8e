"""The one "set what changed" step of every update service (users, client
records, appointments): each then saves and audits the names it returns."""

from collections.abc import Mapping
from typing import Any

from django.db import models


def changed_fields(obj: models.Model, changes: Mapping[str, Any]) -> list[str]:
    """The names in `changes` whose value differs from `obj`'s, sorted; a
    relation compares by id, so the related row is never loaded."""
    return sorted(name for name, value in changes.items() if not _same(obj, name, value))


def apply_changes(obj: models.Model, changes: Mapping[str, Any]) -> list[str]:
    """Set on `obj` the values of `changes` that differ from its own (not saved)
    and return their names, sorted."""
    changed = changed_fields(obj, changes)
    for name in changed:
        setattr(obj, name, changes[name])
    return changed


def _same(obj: models.Model, name: str, value) -> bool:
    field = obj._meta.get_field(name)
    if field.many_to_one:
        return getattr(obj, field.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value
