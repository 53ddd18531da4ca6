from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.places.rules import get_region_for


def community_context(request: HttpRequest, community: Region) -> dict[str, object]:
    compounds = community.compounds.annotate(resident_count=Count("residents"))
    organizations = (
        Organization.objects.filter(region=community, is_active=True)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    kinds = dict(Organization.Kind.choices)
    return {
        "community": community,
        "ancestors": community.ancestors()[:-1],
        "compounds": compounds,
        "org_counts": [{"label": kinds[row["kind"]], **row} for row in organizations],
        "org_total": sum(row["n"] for row in organizations),
        "can_change": request.user.has_perm("places.change_region", community),
        "can_view_residents": request.user.has_perm("places.view_residents", community),
    }


def region_view(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_region_for(request.user, pk)
    if region.is_community:
        return render(request, "places/community.html", community_context(request, region))
    children = region.children.annotate(n_compounds=Count("compounds")).order_by("name")
    return render(
        request,
        "places/region.html",
        {"region": region, "ancestors": region.ancestors()[:-1], "children": children},
    )
