"""The navigation each person sees: every app's links that their roles let them follow.

Apps declare a `navigation` function on their `AppConfig` (see `wulian.core.registry`); the
links are grouped by the part of the work they belong to (home, the three lists, the five links,
then the person's community, unit and account) and ordered within it. A group appears only when
it has a link, so the links of the apps still to come (council, activities, venues, services,
volunteering, training, dashboards) find their place without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.core.registry import NavItem, navigation_sources
from wulian.orgs.queries import memberships_of
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
_GROUP_LABELS = dict(NAV_GROUPS)


@dataclass(frozen=True)
class NavGroup:
    """One menu of the navigation: a group's label and its links, in order."""

    key: str
    label: str
    items: tuple[NavItem, ...]

    @property
    def single(self) -> NavItem | None:
        """The group's only link, shown as a plain link rather than a menu."""
        return self.items[0] if len(self.items) == 1 else None


def navigation_for(request: HttpRequest) -> list[NavItem]:
    if request.path.startswith("/api/") or request.path.startswith("/admin/"):
        return []
    items = [item for source in navigation_sources() for item in source(request)]
    return sorted(items, key=lambda item: (_GROUP_ORDER.get(item.group, 99), item.order))


def group_label(request: HttpRequest, key: str) -> str:
    """A group's label; a person of one unit sees that unit's name on its menu."""
    if key == "unit":
        units = memberships_of(request.user)
        if len(units) == 1:
            return units[0].name
    return str(_GROUP_LABELS.get(key, key))


def grouped(request: HttpRequest, items: list[NavItem]) -> list[NavGroup]:
    """The sorted links gathered into their groups; a group without links is left out."""
    groups: list[NavGroup] = []
    for item in items:
        if groups and groups[-1].key == item.group:
            last = groups[-1]
            groups[-1] = NavGroup(last.key, last.label, (*last.items, item))
        else:
            groups.append(NavGroup(item.group, group_label(request, item.group), (item,)))
    return groups


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
