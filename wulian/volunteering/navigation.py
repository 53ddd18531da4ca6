"""The ledger's links: a person's own hours; the honour roll for everyone."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem


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
    return links
