"""The navigation each person sees: every app's links that their roles let them follow.

Apps declare a `navigation` function on their `AppConfig` (see `wulian.core.registry`); the
links are ordered by the group they belong to (the three lists, then the five links, then the
person's community, unit and account) and by their order within it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.core.registry import NavItem, navigation_sources
from wulian.places.queries import assigned_regions

NAV_GROUPS: list[tuple[str, str | Promise]] = [
    ("home", gettext_lazy("Home")),
    ("lists", gettext_lazy("The three lists")),
    ("linkage", gettext_lazy("Organisation linkage")),
    ("venues", gettext_lazy("Shared venues")),
    ("activities", gettext_lazy("Joint activities")),
    ("training", gettext_lazy("Joint training")),
    ("development", gettext_lazy("Joint development")),
    ("community", gettext_lazy("Community")),
    ("unit", gettext_lazy("My unit")),
    ("account", gettext_lazy("Me")),
]
_GROUP_ORDER = {key: n for n, (key, _label) in enumerate(NAV_GROUPS)}


def navigation_for(request: HttpRequest) -> list[NavItem]:
    if request.path.startswith("/api/") or request.path.startswith("/admin/"):
        return []
    items = [item for source in navigation_sources() for item in source(request)]
    return sorted(items, key=lambda item: (_GROUP_ORDER.get(item.group, 99), item.order))


def items(request: HttpRequest) -> list[NavItem]:
    """The site's own links: home, the overviews of the regions above a community, admin."""
    items = [NavItem(_("Home"), reverse("site:home"), "home", "home")]
    for region in assigned_regions(request.user):
        if not region.is_community:
            items.append(
                NavItem(
                    _("%(region)s overview") % {"region": region.name},
                    reverse("site:region", args=[region.pk]),
                    f"region-{region.pk}",
                    "community",
                    20,
                )
            )
    if request.user.is_superuser:
        items.append(NavItem(_("Admin"), reverse("admin:index"), "admin", "account", 90))
    return items
