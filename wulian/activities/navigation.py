"""The links of venues, activities and services: everyone sees the lists; residents their
bookings."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    links = [
        NavItem(_("Shared venues"), reverse("activities:venues"), "venues", "venues", 10),
        NavItem(_("Activities"), reverse("activities:list"), "activities", "activities", 10),
        NavItem(
            _("Convenience services"), reverse("activities:services"), "services", "activities", 20
        ),
    ]
    if request.user.is_authenticated:
        links.append(
            NavItem(
                _("Booked services"),
                reverse("activities:my_services"),
                "my-services",
                "account",
                40,
            )
        )
    return links
