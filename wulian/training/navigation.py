"""The training links: for party members and the staff; nobody else sees that they exist."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.places.queries import assigned_regions
from wulian.training.rules import party_roles, secretary_of


def items(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return []
    # Joining a branch ticks the person's party-member flag: nobody else pays a query.
    member = getattr(user, "is_party_member", False) and bool(party_roles(user))
    staff = bool(assigned_regions(user))
    if not member and not staff:
        return []
    links = [NavItem(_("Training sessions"), reverse("training:list"), "training", "training", 10)]
    if member:
        links.append(
            NavItem(_("My study record"), reverse("training:mine"), "my-study", "training", 20)
        )
    if staff or secretary_of(user):
        links.append(
            NavItem(_("Study progress"), reverse("training:progress"), "progress", "training", 30)
        )
    links.append(NavItem(_("Dual registration"), reverse("training:dual"), "dual", "training", 40))
    return links
