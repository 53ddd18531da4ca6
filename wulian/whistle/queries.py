"""What other apps read about whistles, as plain data: queues, counts and a filtered list.

A call is late when it is live and past its resolve-by, or not yet reported for duty and past
its report-by. Every function answers in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.urls import reverse
from django.utils import timezone

from wulian.places.rules import covered_regions
from wulian.whistle.models import Whistle, WhistleCall

LIVE = (WhistleCall.State.CALLED, WhistleCall.State.SIGNED, WhistleCall.State.ARRIVED)
NOT_REPORTED = (WhistleCall.State.CALLED, WhistleCall.State.SIGNED)


def late(now: datetime.datetime, prefix: str = "") -> Q:
    """Calls (or, with a prefix, whistles through their calls) that are past a deadline."""
    return Q(**{f"{prefix}state__in": LIVE, f"{prefix}resolve_by__lt": now}) | Q(
        **{f"{prefix}state__in": NOT_REPORTED, f"{prefix}report_by__lt": now}
    )


def _end_of_today(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=23, minute=59, second=59, microsecond=999999)


def due_today(now: datetime.datetime) -> Q:
    end = _end_of_today(now)
    return Q(state__in=NOT_REPORTED, report_by__range=(now, end)) | Q(
        state__in=LIVE, resolve_by__range=(now, end)
    )


@dataclass(frozen=True)
class CallRow:
    """One unit's call, as the unit sees it on its home."""

    id: int
    whistle_id: int
    title: str
    type_label: str
    state: str
    state_label: str
    unit_id: int
    unit: str
    community: str
    report_by: datetime.datetime
    resolve_by: datetime.datetime
    next_deadline: datetime.datetime
    is_late: bool
    url: str


@dataclass(frozen=True)
class WhistleRow:
    id: int
    title: str
    type_label: str
    state: str
    state_label: str
    community: str
    units: tuple[str, ...]
    created_at: datetime.datetime
    resolve_by: datetime.datetime
    is_late: bool
    url: str


@dataclass(frozen=True)
class WhistleQueue:
    """What waits for staff: late calls, calls due today, escalations."""

    late: int
    due_today: int
    escalated: int
    open_whistles: int
    first: list[WhistleRow]


@dataclass(frozen=True)
class CommunityWhistles:
    open: int
    late: int
    escalated: int


def _call_row(call: WhistleCall, now: datetime.datetime) -> CallRow:
    reported = call.state not in NOT_REPORTED
    deadline = call.resolve_by if reported else call.report_by
    return CallRow(
        id=call.pk,
        whistle_id=call.whistle_id,
        title=call.whistle.title,
        type_label=str(call.whistle.get_type_display()),
        state=call.state,
        state_label=str(call.get_state_display()),
        unit_id=call.organization_id,
        unit=call.organization.short_name or call.organization.name,
        community=call.whistle.community.name,
        report_by=call.report_by,
        resolve_by=call.resolve_by,
        next_deadline=deadline,
        is_late=deadline < now,
        url=reverse("whistle:detail", args=[call.whistle_id]),
    )


def _whistle_row(whistle: Whistle, now: datetime.datetime) -> WhistleRow:
    calls = list(whistle.calls.all())
    return WhistleRow(
        id=whistle.pk,
        title=whistle.title,
        type_label=str(whistle.get_type_display()),
        state=whistle.state,
        state_label=str(whistle.get_state_display()),
        community=whistle.community.name,
        units=tuple(c.organization.short_name or c.organization.name for c in calls),
        created_at=whistle.created_at,
        resolve_by=whistle.resolve_by,
        is_late=getattr(whistle, "has_late", False),
        url=reverse("whistle:detail", args=[whistle.pk]),
    )


def unit_calls(org_ids: Iterable[int], now: datetime.datetime | None = None) -> list[CallRow]:
    """The live calls of a person's units, the nearest deadline first."""
    now = now or timezone.now()
    calls = (
        WhistleCall.objects.filter(organization_id__in=list(org_ids), state__in=LIVE)
        .select_related("whistle__community", "organization")
        .order_by("report_by", "id")
    )
    rows = [_call_row(c, now) for c in calls[:50]]
    return sorted(rows, key=lambda row: (row.next_deadline, row.id))


def _whistles(regions: Any, now: datetime.datetime) -> QuerySet[Any]:
    late_calls = WhistleCall.objects.filter(late(now), whistle=OuterRef("pk"))
    return (
        Whistle.objects.filter(community__in=regions)
        .select_related("community")
        .annotate(has_late=Exists(late_calls))
        .prefetch_related(Prefetch("calls", WhistleCall.objects.select_related("organization")))
    )


def staff_queue(user: Any, now: datetime.datetime | None = None, limit: int = 5) -> WhistleQueue:
    now = now or timezone.now()
    regions = covered_regions(user)
    calls = WhistleCall.objects.filter(whistle__community__in=regions)
    counts = calls.aggregate(
        late=Count("id", filter=late(now)),
        due_today=Count("id", filter=due_today(now)),
        escalated=Count("id", filter=Q(state__in=LIVE, escalated_at__isnull=False)),
    )
    whistles = _whistles(regions, now).filter(state=Whistle.State.OPEN)
    first = whistles.order_by("-has_late", "resolve_by", "id")[:limit]
    return WhistleQueue(
        late=counts["late"],
        due_today=counts["due_today"],
        escalated=counts["escalated"],
        open_whistles=whistles.count(),
        first=[_whistle_row(w, now) for w in first],
    )


def by_community(
    community_ids: Iterable[int], now: datetime.datetime | None = None
) -> dict[int, CommunityWhistles]:
    """Open whistles, late calls and escalations waiting, for each community (two queries)."""
    now = now or timezone.now()
    ids = list(community_ids)
    open_counts = dict(
        Whistle.objects.filter(community_id__in=ids, state=Whistle.State.OPEN)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    call_counts: dict[int, Any] = {
        row["whistle__community_id"]: row
        for row in WhistleCall.objects.filter(whistle__community_id__in=ids)
        .values("whistle__community_id")
        .annotate(
            late=Count("id", filter=late(now)),
            escalated=Count("id", filter=Q(state__in=LIVE, escalated_at__isnull=False)),
        )
    }
    return {
        pk: CommunityWhistles(
            open=open_counts.get(pk, 0),
            late=call_counts.get(pk, {}).get("late", 0),
            escalated=call_counts.get(pk, {}).get("escalated", 0),
        )
        for pk in ids
    }


@dataclass(frozen=True)
class WhistleFilter:
    state: str = ""  # "open", "closed" or "" for both
    unit: int | None = None
    late_only: bool = False


def filtered(
    regions: Any, chosen: WhistleFilter, now: datetime.datetime | None = None
) -> QuerySet[Whistle]:
    """Whistles in the regions, filtered; open ones first, late ones first among them."""
    now = now or timezone.now()
    whistles = _whistles(regions, now)
    if chosen.state in {Whistle.State.OPEN, Whistle.State.CLOSED}:
        whistles = whistles.filter(state=chosen.state)
    if chosen.unit:
        whistles = whistles.filter(
            pk__in=WhistleCall.objects.filter(organization_id=chosen.unit).values("whistle_id")
        )
    if chosen.late_only:
        whistles = whistles.filter(has_late=True)
    # "open" sorts after "closed" by name: put open ones first explicitly.
    ordered: QuerySet[Whistle] = whistles.annotate(
        is_open=ExpressionWrapper(Q(state=Whistle.State.OPEN), output_field=BooleanField())
    ).order_by("-is_open", "-has_late", "-created_at", "-id")
    return ordered


def rows(whistles: Iterable[Whistle], now: datetime.datetime | None = None) -> list[WhistleRow]:
    now = now or timezone.now()
    return [_whistle_row(w, now) for w in whistles]


def called_units(regions: Any) -> list[tuple[int, str]]:
    """The units ever called in the regions, for a filter's choices."""
    calls = (
        WhistleCall.objects.filter(whistle__community__in=regions)
        .values_list("organization_id", "organization__name")
        .distinct()
        .order_by("organization__name")
    )
    return list(calls)
