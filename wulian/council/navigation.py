"""The council's link: the person's deliberation council (or the list, for staff of several)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem
from wulian.council.rules import visible_councils


def items(request: HttpRequest) -> list[NavItem]:
    if not getattr(request.user, "is_authenticated", False):
        return []
    councils = list(visible_councils(request.user).values_list("pk", flat=True)[:2])
    if not councils:
        return []
    url = (
        reverse("council:council", args=[councils[0]])
        if len(councils) == 1
        else reverse("council:list")
    )
    return [NavItem(_("Deliberation council"), url, "council", "community", 30)]
