"""The audit log as people read it: who did what, when, and what changed, in their language.

"张秀英 提出了需求", "社区工作者 郑健 发布了需求", "截止日期 由 4月1日 改为 —": names and roles,
the action's label, field labels (verbose names), choice names, local dates and times; never
field names, ids or stored values. People who are not staff of the community see only the moves
that concern them: the object's creation, its changes of state, and what they did themselves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wulian.audit import services
from wulian.audit.models import AuditEntry

# Keys a change list never shows: the state (the action's label says it) and internals.
HIDDEN = {"state", "search_text"}
# Actions whose recorded fields belong to another model than the object's ("app.Model").
_FIELD_MODELS: dict[str, str] = {}
# Who may read every entry of a community's objects: its staff (see wulian.places.rules).
STAFF_PERM = "places.change_region"


def register_field_models(mapping: dict[str, str]) -> None:
    """Apps say which model describes the fields an action records, when it is not the object."""
    _FIELD_MODELS.update(mapping)


@dataclass
class ReadableEntry:
    moment: datetime.datetime
    when: str
    actor: str
    label: str
    changes: list[str] = field(default_factory=list)
    note: str = ""


def local_moment(moment: datetime.datetime) -> str:
    """ "4月1日 14:30" (with the year when it is not this year), in the community's time zone."""
    local = timezone.localtime(moment)
    return f"{local_day(local.date())} {formats.time_format(local, 'H:i')}"


def local_day(day: datetime.date) -> str:
    """ "4月1日" this year, "2026年4月1日" another year ("April 1", "April 1, 2026")."""
    if day.year == timezone.localdate().year:
        return formats.date_format(day, pgettext("date format: a day this year", "F j"))
    return formats.date_format(day, pgettext("date format: a day of another year", "F j, Y"))


def _value(model_field: models.Field[Any, Any], value: Any) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    try:
        if isinstance(model_field, models.ForeignKey):
            related = model_field.related_model._default_manager.filter(pk=value).first()
            return str(related) if related is not None else "—"
        if isinstance(model_field, models.DateTimeField):
            return local_moment(datetime.datetime.fromisoformat(str(value)))
        if isinstance(model_field, models.DateField):
            return local_day(datetime.date.fromisoformat(str(value)))
        if isinstance(model_field, models.TimeField):
            return formats.time_format(datetime.time.fromisoformat(str(value)), "H:i")
    except (TypeError, ValueError):
        return "—"
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    return str(value)


def _change(model: type[models.Model] | None, key: str, old: Any, new: Any) -> str | None:
    if model is None or key in HIDDEN:
        return None
    try:
        model_field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    if not isinstance(model_field, models.Field) or not model_field.verbose_name:
        return None
    label = capfirst(str(model_field.verbose_name))
    if isinstance(model_field, models.TextField):
        return _("%(field)s changed") % {"field": label}
    return _("%(field)s changed from %(old)s to %(new)s") % {
        "field": label,
        "old": _value(model_field, old),
        "new": _value(model_field, new),
    }


def _model_for(entry: AuditEntry) -> type[models.Model] | None:
    label = _FIELD_MODELS.get(entry.action)
    if label:
        return apps.get_model(label)
    return entry.content_type.model_class()


def _is_move(entry: AuditEntry) -> bool:
    before, after = entry.before or {}, entry.after or {}
    return "state" in before and "state" in after and before["state"] != after["state"]


def _concerns(entry: AuditEntry, index: int, viewer: Any) -> bool:
    return (
        index == 0
        or _is_move(entry)
        or (entry.actor_id is not None and entry.actor_id == viewer.pk)
    )


def readable_timeline(obj: models.Model, viewer: Any) -> list[ReadableEntry]:
    entries = list(services.timeline(obj).select_related("content_type", "community"))
    community = next((e.community for e in entries if e.community is not None), None)
    sees_all = community is not None and viewer.has_perm(STAFF_PERM, community)
    staff_of: dict[int, bool] = {}
    readable: list[ReadableEntry] = []
    for index, entry in enumerate(entries):
        if not sees_all and not _concerns(entry, index, viewer):
            continue
        readable.append(
            ReadableEntry(
                moment=entry.created_at,
                when=local_moment(entry.created_at),
                actor=_actor(entry, staff_of),
                label=services.action_label(entry.action),
                changes=_changes(entry) if entry.before else [],
                note=entry.note,
            )
        )
    return readable


def _actor(entry: AuditEntry, staff_of: dict[int, bool]) -> str:
    actor = entry.actor
    if actor is None:
        return _("System")
    name = actor.get_full_name() or str(actor)
    if actor.pk not in staff_of:
        staff_of[actor.pk] = entry.community is not None and actor.has_perm(
            STAFF_PERM, entry.community
        )
    if staff_of[actor.pk]:
        return _("Community staff %(name)s") % {"name": name}
    unit = (entry.after or {}).get("unit")
    if unit:
        return _("%(name)s (%(unit)s)") % {"name": name, "unit": unit}
    return name


def _changes(entry: AuditEntry) -> list[str]:
    """One line a changed field, in the order of the model's fields (PostgreSQL's jsonb does
    not keep the order the keys were written in)."""
    model = _model_for(entry)
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())} if model else {}
    changed = sorted(services.changes(entry), key=lambda change: order.get(change[0], len(order)))
    lines = (_change(model, key, old, new) for key, old, new in changed)
    return [line for line in lines if line]
