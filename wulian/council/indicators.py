"""The council's figures: topics raised, meetings held, motions voted, resolutions carried out."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from wulian.core.indicators import Fact, Indicator, Scope, grouped, local_day
from wulian.council.models import Meeting, Motion, Resolution, Topic

C = "council__community_id"
K = "council__compound_id"


def _topics(scope: Scope) -> Iterable[Fact]:
    return grouped(scope, Topic.objects.all(), "created_at", community=C, compound=K)


def _meetings(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        Meeting.objects.filter(state=Meeting.State.CLOSED),
        "starts_at",
        community=C,
        compound=K,
    )


def _motions(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        Motion.objects.filter(state=Motion.State.CLOSED, closed_at__isnull=False),
        "closed_at",
        community="meeting__council__community_id",
        compound="meeting__council__compound_id",
    )


def _resolutions(scope: Scope) -> Iterable[Fact]:
    return grouped(scope, Resolution.objects.all(), "created_at", community=C, compound=K)


def _done_on_time(scope: Scope) -> Iterable[Fact]:
    done = Resolution.objects.filter(state=Resolution.State.DONE, done_at__isnull=False).annotate(
        done_day=local_day("done_at")
    )
    return grouped(
        scope, done.filter(done_day__lte=F("deadline")), "done_at", community=C, compound=K
    )


LIST = ("council:list", "")

INDICATORS = [
    Indicator(
        "council.topics",
        "organisation",
        _("Topics raised"),
        _("Proposals residents raised for deliberation (建言献策)."),
        _topics,
        list_url=LIST,
        public=True,
        headline=True,
        order=40,
    ),
    Indicator(
        "council.meetings",
        "organisation",
        _("Council meetings held"),
        _("Meetings closed as held, on the day they began."),
        _meetings,
        list_url=LIST,
        order=41,
    ),
    Indicator(
        "council.motions",
        "organisation",
        _("Motions voted"),
        _("Motions whose voting closed."),
        _motions,
        order=42,
    ),
    Indicator(
        "council.resolutions",
        "organisation",
        _("Resolutions passed"),
        _("Resolutions recorded from the meetings' votes."),
        _resolutions,
        order=43,
    ),
    Indicator(
        "council.done_on_time",
        "organisation",
        _("Resolutions carried out on time"),
        _("Resolutions carried out by their deadline, on the day they were done."),
        _done_on_time,
        order=44,
    ),
]
