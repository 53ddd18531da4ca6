"""Organisation linkage (组织联动): partnerships in force and the units active in a period."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from wulian.core.indicators import DISTINCT, RUNNING, Fact, Indicator, Scope
from wulian.orgs.models import Partnership

IN_FORCE = (Partnership.Status.ACTIVE, Partnership.Status.SUSPENDED, Partnership.Status.ENDED)


def _partnerships(scope: Scope) -> Iterable[Fact]:
    """+1 on the day a partnership started, −1 on the day it ended."""
    rows = Partnership.objects.filter(status__in=IN_FORCE)
    if scope.communities is not None:
        rows = rows.filter(community_id__in=scope.communities)
    for community, partner, started, ended in rows.values_list(
        "community_id", "partner_id", "started_on", "ended_on"
    ):
        if scope.holds(started):
            yield Fact(community, started, 1, unit=partner)
        if ended is not None and scope.holds(ended):
            yield Fact(community, ended, -1, unit=partner)


INDICATORS = [
    Indicator(
        "orgs.partnerships",
        "organisation",
        _("Partnerships in force"),
        _("Co-building agreements (联建) with units in force at the end of the period."),
        _partnerships,
        kind=RUNNING,
        list_url=("orgs:partnership_list", ""),
        list_kwarg="community_id",
        public=True,
        headline=True,
        per_unit=True,
        order=10,
    ),
    Indicator(
        "orgs.units_active",
        "organisation",
        _("Units active"),
        _(
            "Units that, in the period, claimed a need, answered a whistle, co-hosted an activity"
            " or shared a venue."
        ),
        kind=DISTINCT,
        sources=(
            "lists.claims",
            "whistle.responded",
            "activities.cohosted",
            "activities.venue_hours_shared",
        ),
        headline=True,
        order=11,
    ),
]
