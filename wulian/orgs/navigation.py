"""The organisations' links: the directory, a community's partnerships, one's own units."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.orgs.queries import memberships_of
from wulian.places.queries import assigned_regions


def items(request: HttpRequest) -> list[NavItem]:
    links = [NavItem(_("Organisations"), reverse("orgs:list"), "orgs", "linkage", 10)]
    links += [
        NavItem(
            _("Partnerships"),
            reverse("orgs:partnership_list", args=[r.pk]),
            "partnerships",
            "linkage",
            20,
        )
        for r in assigned_regions(request.user)
        if r.is_community
    ]
    links += [
        NavItem(m.name, reverse("orgs:detail", args=[m.id]), f"org-{m.id}", "unit", 90)
        for m in memberships_of(request.user)
    ]
    return links
