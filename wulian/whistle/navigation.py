"""The whistle's links: the community's whistles for staff, the calls to answer for units."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.orgs.queries import memberships_of
from wulian.places.queries import assigned_regions


def items(request: HttpRequest) -> list[NavItem]:
    links = []
    if assigned_regions(request.user):
        links.append(NavItem(_("Whistles"), reverse("whistle:list"), "whistles", "linkage", 30))
    if memberships_of(request.user):
        links.append(NavItem(_("My unit's calls"), reverse("whistle:calls"), "calls", "unit", 20))
    return links
