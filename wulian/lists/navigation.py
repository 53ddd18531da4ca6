"""The three lists' links: needs and resources, review for staff, opportunities for units."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.orgs.queries import memberships_of
from wulian.places.queries import assigned_regions


def items(request: HttpRequest) -> list[NavItem]:
    links = [
        NavItem(_("Needs"), reverse("lists:needs"), "needs", "lists", 10),
        NavItem(_("Resources"), reverse("lists:resources"), "resources", "lists", 20),
    ]
    if assigned_regions(request.user):
        links.append(NavItem(_("Review queue"), reverse("lists:review"), "review", "lists", 40))
    if memberships_of(request.user):
        links.append(
            NavItem(
                _("Opportunities for you"),
                reverse("lists:opportunities"),
                "opportunities",
                "unit",
                10,
            )
        )
    return links
