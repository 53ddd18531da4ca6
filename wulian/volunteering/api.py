"""The ledger in the JSON API: records, corrections, badges and the honour roll, with the same
services, rules and action tables as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Query

from wulian.accounts.models import User
from wulian.core.bounds import MAX_ID, BoundedPagination, Id
from wulian.core.errors import DomainError
from wulian.places.rules import get_region_for
from wulian.volunteering import services
from wulian.volunteering.actions import CORRECTION_ACTIONS, RECORD_ACTIONS
from wulian.volunteering.models import Award, Badge, CorrectionRequest, VolunteerRecord
from wulian.volunteering.rules import (
    get_body_for,
    get_correction_for,
    get_record_for,
    visible_records,
)

router = Router(tags=["volunteering"])


class RecordOut(Schema):
    id: int
    person_id: int
    community_id: int
    organization_id: int
    organization: str
    source: str
    kind: str
    state: str
    service: str
    place: str
    date: datetime.date
    started_at: datetime.datetime
    ended_at: datetime.datetime
    hours: Decimal
    corrects_id: int | None
    activity_id: int | None
    project_id: int | None
    recorded_by_id: int | None
    confirmed_by_id: int | None
    confirmed_at: datetime.datetime | None


class CorrectionOut(Schema):
    id: int
    record_id: int
    reason: str
    hours: Decimal | None
    state: str
    answer: str
    answered_at: datetime.datetime | None
    entry_id: int | None
    created_at: datetime.datetime


class ActionIn(Schema):
    reason: str = Field("", max_length=1000)
    answer: str = Field("", max_length=1000)
    hours: Decimal | None = Field(None, ge=0, le=24, max_digits=5, decimal_places=2)


class DoneOut(Schema):
    action: str
    message: str
    record: RecordOut | None = None
    correction: CorrectionOut | None = None


class TotalsOut(Schema):
    period: str
    hours: Decimal
    verified_hours: Decimal
    project_hours: Decimal
    manual_hours: Decimal
    ranked_hours: Decimal
    services: int
    days: int


class BadgeOut(Schema):
    id: int
    code: str
    name: str
    description: str
    rule: str
    threshold: Decimal


class AwardOut(Schema):
    id: int
    badge_id: int
    badge: str
    person_id: int
    period: str
    reason: str
    awarded_at: datetime.datetime


class RollRowOut(Schema):
    rank: int
    name: str
    hours: Decimal
    ranked_hours: Decimal
    services: int


def _award_out(award: Award) -> dict[str, Any]:
    return {
        "id": award.pk,
        "badge_id": award.badge_id,
        "badge": award.badge.name,
        "person_id": award.person_id,
        "period": award.period,
        "reason": award.reason,
        "awarded_at": award.awarded_at,
    }


def _record_out(record: VolunteerRecord) -> dict[str, Any]:
    return {
        **{
            name: getattr(record, name) for name in RecordOut.model_fields if name != "organization"
        },
        "organization": record.organization.name,
    }


def _period(text: str) -> services.Period:
    return services.parse_period(text) if text else services.current_period()


@router.get("/hours/records", response=list[RecordOut])
@paginate(BoundedPagination, page_size=50)
def list_records(
    request: HttpRequest,
    mine: bool = True,
    organization_id: int | None = Query(None, ge=1, le=MAX_ID),
) -> list[dict[str, Any]]:
    """Your own records (`mine`), or those of an organising body you belong to."""
    user = User.of(request)
    records: QuerySet[VolunteerRecord]
    if organization_id is not None:
        body = get_body_for(user, organization_id)
        records = VolunteerRecord.objects.filter(organization=body)
    elif mine:
        records = VolunteerRecord.objects.filter(person=user)
    else:
        records = visible_records(user)
    return [_record_out(r) for r in records.select_related("organization").order_by("-date", "-pk")]


@router.get("/hours/records/{record_id}", response=RecordOut)
def get_record(request: HttpRequest, record_id: Id) -> dict[str, Any]:
    return _record_out(get_record_for(request.user, record_id))


@router.post("/hours/records/{record_id}/{action}", response=DoneOut)
def act_on_record(
    request: HttpRequest, record_id: Id, action: str, payload: ActionIn
) -> dict[str, Any]:
    """ask-correction (reason, hours), confirm, decline (reason): the page's actions."""
    user = User.of(request)
    record = get_record_for(user, record_id)
    done = RECORD_ACTIONS.perform(user, record, action, payload.dict(exclude_none=True))
    return {
        "action": action,
        "message": RECORD_ACTIONS.get(action).message(done),
        "record": _record_out(done) if isinstance(done, VolunteerRecord) else None,
        "correction": done if isinstance(done, CorrectionRequest) else None,
    }


@router.get("/hours/corrections/{correction_id}", response=CorrectionOut)
def get_correction(request: HttpRequest, correction_id: Id) -> CorrectionRequest:
    return get_correction_for(request.user, correction_id)


@router.post("/hours/corrections/{correction_id}/{action}", response=DoneOut)
def act_on_correction(
    request: HttpRequest, correction_id: Id, action: str, payload: ActionIn
) -> dict[str, Any]:
    """correct (hours, answer) or decline (answer), by the organising body."""
    user = User.of(request)
    correction = get_correction_for(user, correction_id)
    done = CORRECTION_ACTIONS.perform(user, correction, action, payload.dict(exclude_none=True))
    return {
        "action": action,
        "message": CORRECTION_ACTIONS.get(action).message(done),
        "correction": done,
    }


@router.get("/hours/totals", response=TotalsOut)
def my_totals(request: HttpRequest, period: str = Query("", max_length=10)) -> dict[str, Any]:
    """Your confirmed hours in a period (2026, 2026-Q2, 2026-03), verified and manual apart."""
    span = _period(period)
    return {"period": span.key, **services.person_totals(User.of(request), span).as_dict()}


@router.get("/hours/badges", response=list[BadgeOut], auth=None)
def list_badges(request: HttpRequest) -> list[Badge]:
    return list(Badge.objects.filter(is_active=True))


@router.get("/hours/people/{person_id}/badges", response=list[AwardOut], auth=None)
def person_badges(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or not request.user.has_perm("volunteering.view_badges", person):
        raise Http404
    return [_award_out(a) for a in services.badges_of(person)]


@router.get("/hours/roll/{community_id}", response=list[RollRowOut], auth=None)
def roll(
    request: HttpRequest, community_id: Id, period: str = Query("", max_length=10)
) -> list[dict[str, Any]]:
    """The public honour roll of a community: masked names, opted-out people left out."""
    community = get_region_for(request.user, community_id)
    return [
        {
            "rank": row.rank,
            "name": row.masked_name,
            "hours": row.totals.hours,
            "ranked_hours": row.totals.ranked,
            "services": row.totals.services,
        }
        for row in services.honour_roll(community, _period(period), public=True)
    ]


class HonoraryIn(Schema):
    badge_id: Id
    reason: str = Field(..., max_length=300)


@router.post("/hours/people/{person_id}/badges", response={201: AwardOut})
def award_badge(request: HttpRequest, person_id: Id, payload: HonoraryIn) -> Status[dict[str, Any]]:
    """An honorary badge awarded by hand by the community's staff (audited; once each)."""
    person = User.objects.filter(pk=person_id, is_active=True).first()
    badge = Badge.objects.filter(pk=payload.badge_id, is_active=True).first()
    if person is None or badge is None:
        raise DomainError("badge.unknown", _("No such person or badge."))
    award = services.award_honorary(User.of(request), person, badge, payload.reason)
    return Status(201, _award_out(award))
