"""The pages that gather the others: the home page and the region pages."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wulian.orgs.queries import organisation_counts
from wulian.places.models import Region
from wulian.places.queries import home_community
from wulian.places.rules import get_region_for


def community_context(request: HttpRequest, community: Region) -> dict[str, object]:
    org_counts = organisation_counts(community)
    return {
        "community": community,
        "ancestors": community.ancestors()[:-1],
        "compounds": community.compounds.annotate(resident_count=Count("residents")),
        "org_counts": org_counts,
        "org_total": sum(row.n for row in org_counts),
        "can_change": request.user.has_perm("places.change_region", community),
        "can_view_residents": request.user.has_perm("places.view_residents", community),
    }


def home_view(request: HttpRequest) -> HttpResponse:
    community = home_community(request.user)
    if community is None:
        return render(request, "core/empty.html")
    return render(request, "site/community.html", community_context(request, community))


def region_view(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_region_for(request.user, pk)
    if region.is_community:
        return render(request, "site/community.html", community_context(request, region))
    children = region.children.annotate(n_compounds=Count("compounds")).order_by("name")
    return render(
        request,
        "site/region.html",
        {"region": region, "ancestors": region.ancestors()[:-1], "children": children},
    )
