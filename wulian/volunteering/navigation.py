"""The ledger's links: the honour roll for everyone; a person's own hours; the records of the
one volunteer team (or social organisation) a person organises for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.orgs.models import Organization
from wulian.orgs.queries import memberships_of


def items(request: HttpRequest) -> list[NavItem]:
    links = [
        NavItem(_("Honour roll"), reverse("volunteering:roll_index"), "roll", "activities", 30)
    ]
    if request.user.is_authenticated:
        links.append(
            NavItem(
                _("My volunteer hours"), reverse("volunteering:mine"), "my-hours", "account", 45
            )
        )
        bodies = organising_bodies(request.user)
        if len(bodies) == 1:
            links.append(
                NavItem(
                    _("Volunteer records"),
                    reverse("volunteering:body", args=[bodies[0]]),
                    "body-hours",
                    "unit",
                    45,
                )
            )
    return links


def organising_bodies(user: Any) -> list[int]:
    """The volunteer teams and social organisations a person organises for (from the
    memberships cached for the request)."""
    kinds = {Organization.Kind.VOLUNTEER_TEAM, Organization.Kind.SOCIAL_ORGANIZATION}
    return [m.id for m in memberships_of(user) if m.kind in kinds]
