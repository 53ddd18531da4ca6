"""The council's link, for residents of a compound and for staff. It costs no query: the
list page takes a person with one council straight to it."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.places.queries import assigned_regions


def items(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return []
    staff = bool(assigned_regions(user))
    if getattr(user, "compound_id", None) is None and not staff:
        return []
    # Staff find it with the other links between the community and the units; residents
    # under their community.
    group = "linkage" if staff else "community"
    return [NavItem(_("Deliberation council"), reverse("council:list"), "council", group, 40)]
