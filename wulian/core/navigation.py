"""The navigation each person sees: what their roles let them do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.orgs.models import Membership
from wulian.places.models import Region


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def home_community(user: Any) -> Region | None:
    """The community a person belongs to or works for, else the default one."""
    community: Region | None = getattr(user, "community", None)
    if community is not None:
        return community
    if getattr(user, "is_authenticated", False):
        assigned = Region.objects.filter(staff__user=user).order_by("-path").first()
        if assigned is not None:
            if assigned.is_community:
                return assigned
            below = assigned.descendants().filter(level=Region.Level.COMMUNITY).first()
            if below is not None:
                return below
    communities = Region.objects.filter(level=Region.Level.COMMUNITY)
    return communities.filter(name=settings.DEFAULT_COMMUNITY).first() or communities.first()


def navigation_for(request: HttpRequest) -> list[NavItem]:
    if request.path.startswith("/api/") or request.path.startswith("/admin/"):
        return []
    user = request.user
    items = [
        NavItem(_("Home"), reverse("core:home"), "home"),
        NavItem(_("Needs"), reverse("lists:needs"), "needs"),
        NavItem(_("Resources"), reverse("lists:resources"), "resources"),
        NavItem(_("Organisations"), reverse("orgs:list"), "orgs"),
        NavItem(_("Release events"), reverse("events:list"), "events"),
    ]
    if not user.is_authenticated:
        return items
    assignments = list(
        Region.objects.filter(staff__user=user).order_by("path").only("id", "name", "level")
    )
    for region in assignments:
        if region.is_community:
            items.append(
                NavItem(
                    _("Residents"), reverse("accounts:residents", args=[region.pk]), "residents"
                )
            )
            items.append(
                NavItem(
                    _("Partnerships"),
                    reverse("orgs:partnership_list", args=[region.pk]),
                    "partnerships",
                )
            )
        else:
            items.append(
                NavItem(
                    _("%(region)s overview") % {"region": region.name},
                    reverse("places:region", args=[region.pk]),
                    f"region-{region.pk}",
                )
            )
    if assignments:
        items.append(NavItem(_("Review queue"), reverse("lists:review"), "review"))
        items.append(NavItem(_("Whistles"), reverse("whistle:list"), "whistles"))
    memberships = list(Membership.objects.filter(user=user).select_related("organization"))
    if memberships:
        items.append(
            NavItem(_("Opportunities for you"), reverse("lists:opportunities"), "opportunities")
        )
        items.append(NavItem(_("My unit's calls"), reverse("whistle:calls"), "calls"))
    for membership in memberships:
        items.append(
            NavItem(
                membership.organization.short_name or membership.organization.name,
                reverse("orgs:detail", args=[membership.organization_id]),
                f"org-{membership.organization_id}",
            )
        )
    items.append(NavItem(_("My account"), reverse("accounts:profile"), "profile"))
    if user.is_superuser:
        items.append(NavItem(_("Admin"), reverse("admin:index"), "admin"))
    return items
