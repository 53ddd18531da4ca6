"""What other apps read about release events, as plain data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from wulian.events.models import ReleaseEvent


@dataclass(frozen=True)
class EventRow:
    id: int
    title: str
    state: str
    state_label: str
    starts_at: datetime.datetime
    place: str
    n_needs: int
    url: str


def next_event(community: Any, now: datetime.datetime | None = None) -> EventRow | None:
    """The community's release event under way, else the next one to come (one query)."""
    now = now or timezone.now()
    event = (
        ReleaseEvent.objects.filter(communities=community)
        .filter(
            Q(state=ReleaseEvent.State.LIVE)
            | Q(state=ReleaseEvent.State.UPCOMING, starts_at__gte=now - datetime.timedelta(days=1))
        )
        .annotate(n_needs=Count("event_needs"))
        .order_by("-state", "starts_at", "id")  # "upcoming" < "live": the live one first
        .first()
    )
    if event is None:
        return None
    return EventRow(
        id=event.pk,
        title=event.title,
        state=event.state,
        state_label=str(event.get_state_display()),
        starts_at=event.starts_at,
        place=event.place,
        n_needs=event.n_needs,
        url=reverse("events:detail", args=[event.pk]),
    )
