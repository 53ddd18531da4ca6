"""Release events on other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from wulian.events.models import EventNeed, ReleaseEvent

register = template.Library()


@register.inclusion_tag("events/_next_event_offer.html", takes_context=True)
def next_event_offer(context: dict[str, Any], need: Any) -> dict[str, Any]:
    """Offer staff to put a published need on the next release event of its community."""
    user = context["request"].user
    event = None
    already = EventNeed.objects.filter(need=need).exclude(event__state=ReleaseEvent.State.CLOSED)
    if need.state == "published" and not already.exists():
        candidates = (
            ReleaseEvent.objects.filter(communities=need.community)
            .filter(Q(state=ReleaseEvent.State.DRAFT) | Q(state=ReleaseEvent.State.UPCOMING))
            .order_by("starts_at", "id")
        )
        event = next((e for e in candidates if user.has_perm("events.manage_event", e)), None)
    return {"need": need, "event": event, "listed": already.select_related("event").first()}
