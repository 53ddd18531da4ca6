"""The dashboards' links: staff's region dashboard, a unit's scorecard."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.orgs.queries import memberships_of
from wulian.places.queries import assigned_regions


def items(request: HttpRequest) -> list[NavItem]:
    links = []
    regions = assigned_regions(request.user)
    if regions:
        url = reverse("dashboards:region", args=[regions[0].pk])
        links.append(NavItem(_("Dashboard"), url, "dashboard", "development", 10))
    units = memberships_of(request.user)
    if units:
        url = reverse("dashboards:unit", args=[units[0].id])
        links.append(NavItem(_("Our scorecard"), url, "scorecard", "unit", 60))
    return links
