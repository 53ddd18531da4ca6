"""Writing the rollups: rebuilt from the raw tables, or refreshed where the audit log says
something changed. Pages never compute; they read what these functions wrote.

`recompute(communities, since)` is the one writer: it deletes the communities' daily facts
from `since` on, asks every indicator's formula for them again, and re-sums the months of
those communities and of every region above them. Refreshing is recomputing the communities
the audit log names, from the first day of the previous month (what a change can touch in
practice: claims, check-ins and closures are dated when they happen); the nightly round
recomputes every community over the same window, for the figures time alone changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from wulian.audit.models import AuditEntry
from wulian.core import versions
from wulian.core.indicators import RUNNING, Fact, Scope
from wulian.dashboards.catalogue import computed
from wulian.dashboards.models import DailyFigure, MonthlyFigure, RollupState
from wulian.places.models import Region

BATCH = 2000
F = TypeVar("F", bound=Model)
Grain = MonthlyFigure.Grain


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    return month_start(month_start(day) - datetime.timedelta(days=1))


def window_start(today: datetime.date | None = None) -> datetime.date:
    """Where a refresh starts: the first day of the previous month."""
    return previous_month(today or timezone.localdate())


@dataclass(frozen=True)
class Recomputed:
    communities: int
    facts: int
    months: int


def _community_ids(communities: Iterable[Region | int] | None) -> list[int]:
    if communities is None:
        return list(
            Region.objects.filter(level=Region.Level.COMMUNITY).values_list("pk", flat=True)
        )
    return sorted({c.pk if isinstance(c, Region) else int(c) for c in communities})


def _running() -> list[str]:
    return [i.key for i in computed() if i.kind == RUNNING]


def _windowed(qs: QuerySet[F], field: str, start: datetime.date | None) -> QuerySet[F]:
    """Rows from `start` on, and every row of a running indicator: those are recomputed over
    all time (they are few), since a change today can add a fact dated years ago."""
    if start is None:
        return qs
    return qs.filter(Q(**{f"{field}__gte": start}) | Q(indicator__in=_running()))


def _facts(scope: Scope) -> list[DailyFigure]:
    merged: dict[tuple[str, int, int, int, str, datetime.date], float] = {}
    for indicator in computed():
        assert indicator.formula is not None
        fact: Fact
        whole = replace(scope, start=None) if indicator.kind == RUNNING else scope
        for fact in indicator.formula(whole):
            key = (
                indicator.key,
                fact.community,
                fact.compound,
                fact.unit,
                fact.breakdown[:60],
                fact.day,
            )
            merged[key] = merged.get(key, 0) + fact.value
    return [
        DailyFigure(
            indicator=key,
            community_id=community,
            compound_id=compound,
            unit_id=unit,
            breakdown=breakdown,
            day=day,
            value=value,
        )
        for (key, community, compound, unit, breakdown, day), value in merged.items()
        if value
    ]


def _lock() -> RollupState:
    """The rollups have one writer at a time: the state row, locked until the commit."""
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def recompute(
    communities: Iterable[Region | int] | None = None, since: datetime.date | None = None
) -> Recomputed:
    """Rebuild the rollups of these communities (all when None) from `since` (the start of its
    month; all time when None), and the months of every region above them."""
    ids = _community_ids(communities)
    if not ids:
        return Recomputed(0, 0, 0)
    start = month_start(since) if since else None
    scope = Scope(tuple(ids) if communities is not None else None, start, None)
    with transaction.atomic():
        _lock()
        facts = _facts(scope)  # read under the lock: a later writer never writes older facts
        daily = DailyFigure.objects.filter(community_id__in=ids)
        monthly = MonthlyFigure.objects.filter(region_id__in=ids)
        _windowed(daily, "day", start).delete()
        _windowed(monthly, "month", start).delete()
        DailyFigure.objects.bulk_create(facts, batch_size=BATCH)
        months = _sum_months(ids, start)
        months += _sum_regions_above(ids, start)
        versions.bump("rollups")  # the pages' kept figures are drawn again
    return Recomputed(len(ids), len(facts), months)


def _sum_months(ids: list[int], start: datetime.date | None) -> int:
    daily = _windowed(DailyFigure.objects.filter(community_id__in=ids), "day", start)
    daily = daily.annotate(m=TruncMonth("day"))
    rows: list[MonthlyFigure] = []
    shapes = [
        (Grain.REGION, Q(), ("indicator", "community_id", "breakdown", "m")),
        (Grain.COMPOUND, Q(compound_id__gt=0), ("indicator", "community_id", "compound_id", "m")),
        (Grain.UNIT, Q(unit_id__gt=0), ("indicator", "community_id", "unit_id", "m")),
    ]
    for grain, where, fields in shapes:
        grouped = daily.filter(where).values(*fields).annotate(v=Sum("value")).order_by()
        for row in grouped:
            if not row["v"]:
                continue
            rows.append(
                MonthlyFigure(
                    indicator=row["indicator"],
                    region_id=row["community_id"],
                    grain=grain,
                    compound_id=row.get("compound_id", 0),
                    unit_id=row.get("unit_id", 0),
                    breakdown=row.get("breakdown", ""),
                    month=row["m"],
                    value=row["v"],
                )
            )
    MonthlyFigure.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _sum_regions_above(ids: list[int], start: datetime.date | None) -> int:
    paths = Region.objects.filter(pk__in=ids).values_list("path", flat=True)
    above = sorted({int(p) for path in paths for p in path.strip("/").split("/")[:-1] if p})
    count = 0
    for region in Region.objects.filter(pk__in=above):
        mine = MonthlyFigure.objects.filter(region_id=region.pk, grain=Grain.REGION)
        below = MonthlyFigure.objects.filter(
            grain=Grain.REGION,
            region__level=Region.Level.COMMUNITY,
            region__path__startswith=region.path,
        )
        _windowed(mine, "month", start).delete()
        below = _windowed(below, "month", start)
        rows = [
            MonthlyFigure(
                indicator=row["indicator"],
                region_id=region.pk,
                grain=Grain.REGION,
                breakdown=row["breakdown"],
                month=row["month"],
                value=row["v"],
            )
            for row in below.values("indicator", "breakdown", "month")
            .annotate(v=Sum("value"))
            .order_by()
            if row["v"]
        ]
        MonthlyFigure.objects.bulk_create(rows, batch_size=BATCH)
        count += len(rows)
    return count


def refresh(now: datetime.datetime | None = None) -> dict[str, int]:
    """The worker's round: recompute the communities the audit log names since the last round;
    once a day, every community. Both from the start of the previous month."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        return _refresh(_lock(), today)


def _refresh(state: RollupState, today: datetime.date) -> dict[str, int]:
    entries = AuditEntry.objects.filter(pk__gt=state.audit_mark)
    last = entries.order_by("-pk").values_list("pk", flat=True).first()
    touched = set(
        entries.filter(community__level=Region.Level.COMMUNITY)
        .values_list("community_id", flat=True)
        .distinct()
    )
    daily = state.daily_on != today
    result = {"communities": 0, "facts": 0}
    if daily or touched:
        done = recompute(None if daily else touched, window_start(today))
        result = {"communities": done.communities, "facts": done.facts}
    RollupState.objects.filter(pk=1).update(
        audit_mark=last if last is not None else state.audit_mark,
        daily_on=today,
    )
    return result


def rebuild() -> Recomputed:
    """Everything, from the first row of every table: what the `recompute` command runs."""
    with transaction.atomic():
        _lock()
        done = recompute(None, None)
        RollupState.objects.filter(pk=1).update(
            rebuilt_at=timezone.now(),
            audit_mark=AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        )
    return done
