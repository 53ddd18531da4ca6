from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from wulian.site.navigation import grouped, navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    items = navigation_for(request)
    return {"nav_items": items, "nav_groups": grouped(request, items)}
