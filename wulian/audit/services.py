"""Write to and read from the audit log. Every service that changes state calls `record`."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import Promise

from wulian.audit.models import AuditEntry

_ACTION_LABELS: dict[str, str | Promise] = {}


def register_actions(labels: dict[str, str | Promise]) -> None:
    """Apps declare the human label of each action code they record."""
    _ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    label = _ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    return value


def snapshot_of(values: dict[str, Any]) -> dict[str, Any]:
    """Values as JSON-ready as `snapshot` makes them."""
    return {name: _plain(value) for name, value in values.items()}


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of an object as JSON-ready values (foreign keys as ids)."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    community: Any = None,
    note: str = "",
) -> AuditEntry:
    """Record one change. Call it inside the same transaction as the change itself."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        community=community,
        before=before,
        after=after,
        note=note,
    )


def timeline(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """Entries about one object, oldest first."""
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )


def changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for every field that differs."""
    before = entry.before or {}
    after = entry.after or {}
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
