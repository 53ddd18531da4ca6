"""Resources that units, teams and people offer: listed, edited, paused or retired."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import DomainError, NotAllowed
from wulian.core.text import fold
from wulian.core.workflow import transition
from wulian.lists.models import (
    Category,
    PartyKind,
    Resource,
)
from wulian.lists.services.common import (
    RESOURCE_FIELDS,
    RESOURCE_FLOW,
    _community,
    _is_staff,
    _tag_and_index,
    org_party_kind,
)
from wulian.orgs.models import Organization
from wulian.orgs.rules import membership_roles
from wulian.places.models import Region

CAPACITY_PERIODS = {
    "次": Resource.Period.ONCE,
    "总": Resource.Period.ONCE,
    "总计": Resource.Period.ONCE,
    "天": Resource.Period.DAY,
    "日": Resource.Period.DAY,
    "每天": Resource.Period.DAY,
    "周": Resource.Period.WEEK,
    "星期": Resource.Period.WEEK,
    "每周": Resource.Period.WEEK,
    "月": Resource.Period.MONTH,
    "每月": Resource.Period.MONTH,
    "年": Resource.Period.YEAR,
    "每年": Resource.Period.YEAR,
}


_CAPACITY = re.compile(
    r"^\s*(?:每(?P<pre>[天日周月年]|星期))?\s*(?P<n>\d+)\s*(?P<unit>[^\d/／每\s]*)\s*"
    r"(?:[/／每]\s*(?P<period>[天日周月年]|星期))?\s*$"
)


def parse_capacity(text: str) -> tuple[int | None, str, str]:
    """Read a capacity written by people.

    '40 人次/月' → (40, '人次', 'month'); '每周 10 人' → (10, '人', 'week'); else (None, '', '').
    """
    match = _CAPACITY.match(fold(text).replace("per", "/"))
    if not match:
        return None, "", ""
    period_word = match.group("period") or match.group("pre") or ""
    period = CAPACITY_PERIODS.get(period_word, "")
    return int(match.group("n")), match.group("unit").strip(), str(period)


@dataclass(frozen=True)
class ResourceInput:
    title: str
    description: str = ""
    kind: str = Resource.Kind.SERVICE
    category: Category | None = None
    tags: Sequence[str] = ()
    capacity_text: str = ""
    service_area: Region | None = None
    availability: str = ""
    weekdays: str = ""
    hours_from: datetime.time | None = None
    hours_to: datetime.time | None = None

    @classmethod
    def from_resource(cls, resource: Resource) -> ResourceInput:
        """The resource as it stands: edits and partial updates are `replace(input, **sent)`."""
        return cls(
            title=resource.title,
            description=resource.description,
            kind=resource.kind,
            category=resource.category,
            tags=tuple(tag.name for tag in resource.tags.all()),
            capacity_text=resource.capacity_text,
            service_area=resource.service_area,
            availability=resource.availability,
            weekdays=resource.weekdays,
            hours_from=resource.hours_from,
            hours_to=resource.hours_to,
        )


def _resource_fields(data: ResourceInput) -> dict[str, Any]:
    if not data.title.strip():
        raise DomainError("resource.no_title", _("Give the resource a title."))
    if data.weekdays and not re.fullmatch(r"[1-7]{1,7}", data.weekdays):
        raise DomainError("resource.bad_weekdays", _("Weekdays are digits 1 (Monday) to 7."))
    if data.hours_from and data.hours_to and data.hours_to <= data.hours_from:
        raise DomainError("resource.bad_hours", _("The end time must be after the start time."))
    number, unit, period = parse_capacity(data.capacity_text)
    return {
        "title": data.title.strip(),
        "description": data.description.strip(),
        "kind": data.kind,
        "category": data.category,
        "capacity_text": data.capacity_text.strip(),
        "capacity_number": number,
        "capacity_unit": unit,
        "capacity_period": period,
        "service_area": data.service_area,
        "availability": data.availability.strip(),
        "weekdays": "".join(sorted(set(data.weekdays))),
        "hours_from": data.hours_from,
        "hours_to": data.hours_to,
    }


def create_resource(
    actor: User,
    community: Region,
    data: ResourceInput,
    *,
    provider_org: Organization | None = None,
    provider_user: User | None = None,
    provider_name: str = "",
    provider_kind: str | None = None,
    external_id: str = "",
) -> Resource:
    community = _community(community)
    staff = _is_staff(actor, community)
    if provider_org is not None:
        if not (provider_org.pk in membership_roles(actor) or staff):
            raise NotAllowed(
                "resource.not_member", _("You can only list resources for a unit you belong to.")
            )
        kind = org_party_kind(provider_org)
    elif provider_name:
        if not staff:
            raise NotAllowed("resource.not_staff", _("Only staff can list resources for others."))
        kind = provider_kind or PartyKind.RESIDENT
    else:
        provider_user = provider_user or actor
        if provider_user.pk != actor.pk and not staff:
            raise NotAllowed("resource.not_staff", _("Only staff can list resources for others."))
        kind = PartyKind.RESIDENT
    with transaction.atomic():
        resource = Resource.objects.create(
            community=community,
            provider_org=provider_org,
            provider_user=provider_user,
            provider_name=provider_name or (provider_org.name if provider_org else ""),
            provider_kind=kind,
            created_by=actor,
            external_id=external_id,
            **_resource_fields(data),
        )
        _tag_and_index(resource, data.tags)
        resource.save(update_fields=["search_text"])
        audit.record(
            actor,
            "lists.resource_created",
            resource,
            after=audit.snapshot(resource, RESOURCE_FIELDS),
            community=community,
        )
    return resource


def update_resource(actor: User, resource: Resource, data: ResourceInput) -> Resource:
    if not actor.has_perm("lists.change_resource", resource):
        raise NotAllowed("resource.not_provider", _("Only the provider and staff can edit this."))
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        before = audit.snapshot(locked, RESOURCE_FIELDS)
        for name, value in _resource_fields(data).items():
            setattr(locked, name, value)
        _tag_and_index(locked, data.tags)
        locked.save()
        audit.record(
            actor,
            "lists.resource_updated",
            locked,
            before=before,
            after=audit.snapshot(locked, RESOURCE_FIELDS),
            community=locked.community,
        )
    return locked


def set_resource_status(actor: User, resource: Resource, status: str) -> Resource:
    if not actor.has_perm("lists.change_resource", resource):
        raise NotAllowed("resource.not_provider", _("Only the provider and staff can do this."))
    if status not in Resource.Status.values:
        raise DomainError("resource.bad_status", _("Unknown status."))
    return transition(RESOURCE_FLOW, resource, status, actor, action="lists.resource_status")
