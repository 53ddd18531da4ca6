from __future__ import annotations

from typing import Any

from django import template

from wulian.notifications.services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_inbox_link.html", takes_context=True)
def inbox_link(context: dict[str, Any]) -> dict[str, Any]:
    """The header's link to the inbox with the number of unread notifications."""
    request = context.get("request")
    user = getattr(request, "user", None)
    unread = context.get("inbox_unread")  # kept with the menu (site.context_processors)
    if unread is None:
        unread = unread_count(user) if user is not None else 0
    return {"user": user, "unread": unread}
