"""Whistles in the JSON API: the same services and permissions as the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from wulian.accounts.models import User
from wulian.core.bounds import BoundedPagination, Id
from wulian.core.idempotency import idempotent
from wulian.orgs.models import Organization
from wulian.places.rules import get_region_for
from wulian.whistle import services
from wulian.whistle.actions import CALL_ACTIONS
from wulian.whistle.models import Whistle, WhistleCall
from wulian.whistle.rules import get_call_for, get_whistle_for, visible_whistles
from wulian.whistle.scorecard import parse_period, scorecard

router = Router(tags=["whistle"])


class CallOut(Schema):
    id: int
    organization_id: int
    unit: str = Field(..., alias="organization.name")
    state: str
    report_by: datetime.datetime
    resolve_by: datetime.datetime
    signed_at: datetime.datetime | None
    arrived_at: datetime.datetime | None
    handled_at: datetime.datetime | None
    report_overdue: bool
    resolve_overdue: bool
    escalated_at: datetime.datetime | None


class WhistleOut(Schema):
    id: int
    community_id: int
    type: str
    title: str
    text: str
    state: str
    report_by: datetime.datetime
    resolve_by: datetime.datetime
    created_at: datetime.datetime
    calls: list[CallOut]


class WhistleIn(Schema):
    community_id: Id
    type: str
    title: str
    text: str = ""
    unit_ids: list[Id]
    report_by: datetime.datetime | None = None
    resolve_by: datetime.datetime | None = None


class AnswerIn(Schema):
    reason: str = ""
    text: str = ""
    organization: Id | None = None


class ScoreOut(Schema):
    organization_id: int
    unit: str
    calls: int
    responded: int
    on_time: int
    resolved: int
    rated: int
    satisfied: int
    response_rate: float | None
    on_time_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    median_minutes_to_report: float | None
    score: float
    rank: int


def _out(whistle: Whistle) -> dict[str, Any]:
    calls = list(whistle.calls.select_related("organization"))
    return {**WhistleOut.from_orm(whistle).dict(exclude={"calls"}), "calls": calls}


@router.get("/whistles", response=list[WhistleOut])
@paginate(BoundedPagination, page_size=20)
def list_whistles(request: HttpRequest) -> QuerySet[Whistle]:
    return visible_whistles(User.of(request)).prefetch_related("calls__organization")


@router.get("/whistles/scorecard", response=list[ScoreOut])
def get_scorecard(request: HttpRequest, community_id: Id, period: str = "") -> list[Any]:
    community = get_region_for(User.of(request), community_id, "whistle.view_scorecard")
    return scorecard(community, parse_period(period))


@router.get("/whistles/{whistle_id}", response=WhistleOut)
def get_whistle(request: HttpRequest, whistle_id: Id) -> dict[str, Any]:
    return _out(get_whistle_for(User.of(request), whistle_id))


@router.post("/whistles", response={201: WhistleOut})
@idempotent
def blow(request: HttpRequest, payload: WhistleIn) -> Status[Any]:
    user = User.of(request)
    community = get_region_for(user, payload.community_id, "whistle.blow")
    units = list(Organization.objects.filter(pk__in=payload.unit_ids))
    whistle = services.blow_whistle(
        user,
        community,
        services.WhistleInput(
            type=payload.type,
            title=payload.title,
            text=payload.text,
            units=units,
            report_by=payload.report_by,
            resolve_by=payload.resolve_by,
        ),
    )
    return Status(201, _out(whistle))


@router.post("/whistle-calls/{call_id}/{action}", response=CallOut)
def answer(request: HttpRequest, call_id: Id, action: str, payload: AnswerIn) -> WhistleCall:
    """sign, arrive, handle (text), decline (reason), post (text), send-back (reason),
    reroute (organization): the same actions as the page's buttons."""
    user = User.of(request)
    call = get_call_for(user, call_id)
    done = CALL_ACTIONS.perform(user, call, action, payload.dict(exclude_none=True))
    if isinstance(done, WhistleCall):
        return done  # the call moved, or the new call a re-route made
    call.refresh_from_db()
    return call
