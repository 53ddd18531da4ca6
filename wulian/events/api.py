"""Release events in the JSON API: read-only views over the same rules as the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from wulian.core.bounds import Id
from wulian.events import reports
from wulian.events.rules import get_event_for, visible_events

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    title: str
    starts_at: datetime.datetime
    place: str
    state: str
    communities: list[str]


class EventNeedOut(Schema):
    id: int
    title: str
    raiser: str
    slots: int
    claimed: int
    state: str


class EventDetailOut(EventOut):
    description: str
    total: int
    claimed: int
    needs: list[EventNeedOut]


def _event(event: Any) -> dict[str, Any]:
    return {
        "id": event.pk,
        "title": event.title,
        "starts_at": event.starts_at,
        "place": event.place,
        "state": event.state,
        "communities": [c.name for c in event.communities.all()],
    }


@router.get("/events", response=list[EventOut], auth=None, summary="List release events")
def list_events(request: HttpRequest) -> list[dict[str, Any]]:
    events = visible_events(request.user).prefetch_related("communities")
    return [_event(e) for e in events if request.user.has_perm("events.view_event", e)]


@router.get(
    "/events/{event_id}", response=EventDetailOut, auth=None, summary="Read an event and its list"
)
def read_event(request: HttpRequest, event_id: Id) -> dict[str, Any]:
    event = get_event_for(request.user, event_id)
    board = reports.board_state(event)
    return {
        **_event(event),
        "description": event.description,
        "total": board["total"],
        "claimed": board["claimed"],
        "needs": board["tiles"],
    }


@router.get("/events/{event_id}/report", auth=None, summary="The event's report")
def event_report(request: HttpRequest, event_id: Id) -> dict[str, Any]:
    event = get_event_for(request.user, event_id)
    return reports.build_report(event).as_json()
