"""Joint training in numbers (党员联训): sessions, attendance, study hours against the norms."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.core.indicators import RATIO, Fact, Indicator, Scope, grouped, to_local_date
from wulian.places.models import Region
from wulian.training.models import (
    LEADER_MINIMUM,
    MEMBER_MINIMUM,
    Attendance,
    PartyMembership,
    Session,
    StudyNorm,
)
from wulian.training.services import Norm

ONE_DAY = datetime.timedelta(days=1)
MINIMUM = Norm(MEMBER_MINIMUM, LEADER_MINIMUM)


def _sessions(scope: Scope) -> Iterable[Fact]:
    return grouped(scope, Session.objects.exclude(state=Session.State.CANCELLED), "starts_at")


def _present() -> object:
    return Attendance.objects.filter(state=Attendance.State.PRESENT)


def _attendances(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        _present(),  # type: ignore[arg-type]
        "session__starts_at",
        community="session__community_id",
        unit="organization_id",
    )


def _study_hours(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        _present(),  # type: ignore[arg-type]
        "session__starts_at",
        community="session__community_id",
        unit="organization_id",
        value=Sum("hours"),
    )


def _norm_due(scope: Scope) -> Iterable[Fact]:
    """The study hours the norms ask of the members of a community's party organisations,
    spread evenly over the year: each day until today, every member active now adds their
    yearly norm over the year's days, from the day they were recorded."""
    today = timezone.localdate()
    last = min(today, scope.end - ONE_DAY) if scope.end else today
    members = PartyMembership.objects.filter(
        is_active=True, organization__region__level=Region.Level.COMMUNITY
    )
    if scope.communities is not None:
        members = members.filter(organization__region_id__in=scope.communities)
    # {(community, organisation): {first day: {role: members}}}
    joined: dict[tuple[int, int], dict[datetime.date, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for community, org, role, created in members.values_list(
        "organization__region_id", "organization_id", "role", "created_at"
    ).order_by():
        joined[(community, org)][to_local_date(created)][role] += 1
    norms = {
        (n.organization_id, n.year): Norm(n.member_hours, n.leader_hours)
        for n in StudyNorm.objects.filter(organization_id__in={org for _c, org in joined})
    }
    due: dict[tuple[int, datetime.date], float] = defaultdict(float)
    for (community, org), by_day in joined.items():
        counts: dict[str, int] = defaultdict(int)
        day = min(by_day)
        while day <= last:
            for role, n in by_day.get(day, {}).items():
                counts[role] += n
            if scope.start is None or day >= scope.start:
                norm = norms.get((org, day.year), MINIMUM)
                days = 366 if calendar.isleap(day.year) else 365
                due[(community, day)] += sum(norm.required(r) * n for r, n in counts.items()) / days
            day += ONE_DAY
    for (community, day), value in due.items():
        if value:
            yield Fact(community, day, round(value, 4))


LIST = ("training:list", "")
HOURS = pgettext_lazy("unit of measure", "hours")

INDICATORS = [
    Indicator(
        "training.sessions",
        "training",
        _("Training sessions held"),
        _("Joint training sessions not cancelled, on the day they take place."),
        _sessions,
        list_url=LIST,
        public=True,
        headline=True,
        order=10,
    ),
    Indicator(
        "training.attendances",
        "training",
        _("Members present"),
        _("Party members recorded present at a session, counted for their organisation."),
        _attendances,
        per_unit=True,
        order=11,
    ),
    Indicator(
        "training.study_hours",
        "training",
        _("Study hours credited"),
        _("Hours credited to members by the sessions' rules, on the session's day."),
        _study_hours,
        per_unit=True,
        headline=True,
        unit_of_measure=HOURS,
        order=12,
    ),
    Indicator(
        "training.norm_due",
        "training",
        _("Study hours due by the norms"),
        _(
            "The yearly study-hour norms of the community's party organisations spread over "
            "the year's days, for the members active now, from the day they were recorded."
        ),
        _norm_due,
        unit_of_measure=HOURS,
        order=13,
    ),
    Indicator(
        "training.norm_share",
        "training",
        _("Study hours against the norms"),
        _("Study hours credited over the hours the norms ask for the same days."),
        kind=RATIO,
        numerator="training.study_hours",
        denominator="training.norm_due",
        headline=True,
        order=14,
    ),
]
