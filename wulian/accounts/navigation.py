"""The accounts' links: the residents of the communities one works for, and one's own account."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.places.queries import assigned_regions


def items(request: HttpRequest) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    links = [
        NavItem(
            _("Residents"), reverse("accounts:residents", args=[r.pk]), "residents", "community", 10
        )
        for r in assigned_regions(request.user)
        if r.is_community
    ]
    links.append(NavItem(_("My account"), reverse("accounts:profile"), "profile", "account", 10))
    return links
