"""The pages that gather the others: the home page of each role and the region pages.

The home page is the person's desk: staff see what waits for them, a unit's people see what
their unit can claim and must answer, residents and visitors see what is open now. Each block
reads another app's `queries.py`, in a fixed number of queries however much data there is.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wulian.accounts.models import User
from wulian.accounts.sms import recent_file_messages
from wulian.events import queries as event_queries
from wulian.lists import queries as list_queries
from wulian.notifications.services import unread_count
from wulian.orgs.queries import memberships_of, organisation_counts
from wulian.places.models import Region
from wulian.places.queries import assigned_regions, home_community
from wulian.places.rules import covered_regions, get_region_for
from wulian.site.forms import WhistleFilterForm
from wulian.volunteering import queries as volunteering_queries
from wulian.whistle import queries as whistle_queries

PAGE_SIZE = 20


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


def _communities_below(regions: Any) -> list[Region]:
    return list(
        Region.objects.filter(pk__in=regions.values("pk"), level=Region.Level.COMMUNITY).order_by(
            "path"
        )
    )


def _community_rows(communities: list[Region]) -> list[dict[str, Any]]:
    ids = [c.pk for c in communities]
    needs = list_queries.open_needs_by_community(ids)
    whistles = whistle_queries.by_community(ids)
    return [
        {"community": c, "open_needs": needs.get(c.pk, 0), "whistles": whistles[c.pk]}
        for c in communities
    ]


def _public_context(request: HttpRequest, community: Region) -> dict[str, Any]:
    open_needs, open_total = list_queries.open_to_claim([community])
    context = community_context(request, community)
    context.update(
        open_needs=open_needs,
        open_total=open_total,
        next_event=event_queries.next_event(community),
        finished=list_queries.recently_finished([community]),
        roll=volunteering_queries.roll_top(community),
    )
    if request.user.is_authenticated:
        context.update(mine=list_queries.mine(request.user), unread=unread_count(request.user))
    return context


def _staff_context(request: HttpRequest) -> dict[str, Any]:
    regions = covered_regions(request.user)
    communities = _communities_below(regions)
    return {
        "regions": assigned_regions(request.user),
        "lists": list_queries.staff_queue(request.user),
        "whistles": whistle_queries.staff_queue(request.user),
        "community_rows": _community_rows(communities) if len(communities) > 1 else [],
        "communities": communities,
    }


def _unit_context(request: HttpRequest) -> dict[str, Any]:
    units = []
    calls = whistle_queries.unit_calls([m.id for m in memberships_of(request.user)])
    for member in memberships_of(request.user):
        ours, to_sign = list_queries.unit_projects(member.id)
        units.append(
            {
                "unit": member,
                "projects": ours,
                "to_sign": to_sign,
                "calls": [c for c in calls if c.unit_id == member.id],
            }
        )
    return {"units": units, "now": timezone.now()}


def home_view(request: HttpRequest) -> HttpResponse:
    community = home_community(request.user)
    if community is None:
        return render(request, "core/empty.html")
    if assigned_regions(request.user):
        context = _staff_context(request)
        if memberships_of(request.user):
            context.update(_unit_context(request))
        return render(request, "site/home_staff.html", {"community": community, **context})
    if memberships_of(request.user):
        if User.of(request).community_id is None:
            return render(request, "site/home_unit.html", _unit_context(request))
        # A resident who also serves in a unit or volunteer team: their own home, with what
        # their unit has to answer and sign below it.
        context = _public_context(request, community)
        context.update(_unit_context(request))
        return render(request, "site/home.html", context)
    return render(request, "site/home.html", _public_context(request, community))


def region_view(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_region_for(request.user, pk)
    if region.is_community:
        return render(request, "site/community.html", community_context(request, region))
    children = region.children.annotate(n_compounds=Count("compounds")).order_by("name")
    context: dict[str, Any] = {
        "region": region,
        "ancestors": region.ancestors()[:-1],
        "children": children,
    }
    if request.user.has_perm("places.view_residents", region):
        below = Region.objects.filter(path__startswith=region.path)
        communities = _communities_below(below)
        form = WhistleFilterForm(request.GET or None, units=whistle_queries.called_units(below))
        chosen = form.chosen()
        page = Paginator(whistle_queries.filtered(below, chosen), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(
            community_rows=_community_rows(communities),
            filter_form=form,
            page=page,
            whistle_rows=whistle_queries.rows(page.object_list),
        )
    return render(request, "site/region.html", context)


def dev_sms_view(request: HttpRequest) -> HttpResponse:
    """Development only: the text messages the site would have sent (sign-in codes among them)."""
    if not settings.DEBUG or settings.PRODUCTION:
        raise Http404
    return render(request, "site/dev_sms.html", {"messages_sent": recent_file_messages()})
