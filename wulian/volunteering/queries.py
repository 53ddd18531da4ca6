"""The ledger's read side for other apps and the command line: plain dicts and dataclasses."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from wulian.core.text import mask_mobile
from wulian.places.models import Region
from wulian.volunteering import services
from wulian.volunteering.models import ZERO, VolunteerRecord
from wulian.volunteering.services import Period


def summary(community: Region, period: Period) -> dict[str, Any]:
    """Every volunteer of the community with confirmed hours in the period, ranked as on the
    honour roll (opted-out people included, marked), with their hours by source."""
    rows = services.honour_roll(community, period, public=False)
    from wulian.accounts.models import User

    mobiles = dict(
        User.objects.filter(pk__in=[r.person_id for r in rows]).values_list("pk", "mobile")
    )
    people = [
        {
            "rank": row.rank,
            "person_id": row.person_id,
            "name": row.name,
            "mobile": mask_mobile(mobiles.get(row.person_id, "")),
            "on_public_roll": not row.opted_out,
            **row.totals.as_dict(),
        }
        for row in rows
    ]
    total = sum((row.totals.hours for row in rows), ZERO)
    return {
        "community": community.name,
        "period": period.key,
        "from": period.starts_on.isoformat(),
        "to": period.ends_on.isoformat(),
        "daily_cap": str(services.DAILY_CAP),
        "volunteers": len(people),
        "hours": str(total),
        "people": people,
    }


def community_hours(community: Region, period: Period) -> services.CommunityHours:
    """Volunteers, hours (verified apart) and services of a community in a period."""
    return services.community_hours(community, period)


def hours_by_person(person_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Confirmed hours per person in a calendar year, corrections included, every source and
    organising body (the ledger's figure, without the honour roll's daily ceiling)."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = (
        VolunteerRecord.objects.counted()
        .filter(person_id__in=ids, date__year=year)
        .values("person_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    # SQLite sums decimals as floats: back to the field's two places.
    cent = Decimal("0.01")
    return {row["person_id"]: row["total"].quantize(cent) for row in rows if row["total"]}


def roll_top(community: Region, n: int = 5) -> list[dict[str, Any]]:
    """The head of this year's public honour roll, names masked, for the community's home."""
    period = services.current_period()
    return [
        {"rank": row.rank, "name": row.masked_name, "hours": row.totals.ranked}
        for row in services.honour_roll(community, period, public=True)[:n]
    ]
