from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import get_language

from wulian.core import versions
from wulian.notifications.services import unread_count
from wulian.site.navigation import grouped, navigation_for

# How long a person's menu is kept at most. It is keyed by the person's version, which every
# change of their roles, units, assignments or notifications moves (see the apps' WATCHES),
# so a change shows on their next page; the limit only bounds how long an unwatched change
# (a unit's new short name seen by a person who is not its member) may take to show.
FRAME_SECONDS = 600


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu and the unread count every page shows, drawn once per version of the person
    (and of the link that is the current page), not on each view: they cost as much as the
    rest of a kept page. A visitor who has not signed in sees the same menu as every other."""
    user = request.user
    person = f"{user.pk}:{versions.person_version(request)}" if user.is_authenticated else "-"
    key = f"frame:{person}:{get_language()}:{request.path.startswith(('/api/', '/admin/'))}"
    frame: dict[str, Any] | None = cache.get(key)
    if frame is None:
        items = navigation_for(request)
        frame = {
            "nav_items": items,
            "nav_groups": grouped(request, items),
            "inbox_unread": unread_count(user),
        }
        cache.set(key, frame, FRAME_SECONDS)
    # Drawn per link marked as the current page: as many as the person has links, whatever
    # the addresses asked for.
    current = request.path if any(item.url == request.path for item in frame["nav_items"]) else ""
    html_key = f"{key}:{current}"
    html: str | None = cache.get(html_key)
    if html is None:
        html = render_to_string(
            "core/_nav.html", {"nav_groups": frame["nav_groups"], "path": current}
        )
        cache.set(html_key, html, FRAME_SECONDS)
    return {**frame, "nav_html": html}
