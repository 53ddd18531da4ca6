"""Joint training in the JSON API: sessions, attendance and progress, with the same
services, rules and action table as the pages. Party data is answered only to those who may
see it: the person, their organisation's secretary and the community's staff."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Path, Query

from wulian.accounts.models import User
from wulian.core.bounds import MAX_ID, BoundedPagination, Id
from wulian.core.errors import DomainError
from wulian.core.idempotency import idempotent
from wulian.core.text import mask_name
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.places.rules import covers
from wulian.training import queries, services
from wulian.training.actions import SESSION_ACTIONS
from wulian.training.models import Attendance, Session
from wulian.training.rules import (
    get_party_org_for,
    get_record_for,
    get_session_for,
    secretary_of,
    visible_sessions,
)

router = Router(tags=["training"])

Year = Query(None, ge=2000, le=2100)


class SessionOut(Schema):
    id: int
    community_id: int
    title: str
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online_url: str
    topics: list[str]
    organiser_ids: list[int]
    organisers: list[str]
    hours_rule: str
    min_minutes: int
    state: str


class SessionIn(Schema):
    community_id: Id
    title: str
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    organiser_ids: list[Id]
    place: str = ""
    online_url: str = ""
    topics: str = ""
    hours_rule: str = Session.HoursRule.ACTUAL
    min_minutes: int = 45


class ActionIn(Schema):
    token: str = ""
    nonce: str = ""
    person: Id | None = None
    reason: str = ""


class AttendanceOut(Schema):
    id: int
    session_id: int
    person_id: int
    name: str
    organization_id: int
    state: str
    method: str
    opened_at: datetime.datetime | None
    attended_at: datetime.datetime | None
    rule: str
    hours: float
    year: int


class DoneOut(Schema):
    action: str
    message: str
    attendance: AttendanceOut | None = None


class MemberProgressOut(Schema):
    membership_id: int
    name: str
    role: str
    required: int
    hours: float
    sessions: int
    expected_by_now: float
    remaining: float
    behind: bool
    service_hours: float


class NormOut(Schema):
    member_hours: int
    leader_hours: int


class ProgressOut(Schema):
    organization_id: int
    organization: str
    year: int
    norm: NormOut
    behind: int
    members: list[MemberProgressOut]


class RecordRowOut(Schema):
    date: datetime.date
    title: str
    kind: str
    organisers: str
    method: str
    rule: str
    hours: float


class RecordOut(Schema):
    name: str
    organization: str
    role: str
    year: int
    required: int
    total: float
    service_hours: float
    rows: list[RecordRowOut]


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A time sent without an offset is read in the site's time zone."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _session_out(session: Session) -> dict[str, Any]:
    organisers = list(session.organisers.all())
    return {
        "id": session.pk,
        "community_id": session.community_id,
        "title": session.title,
        "kind": session.kind,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "place": session.place,
        "online_url": session.online_url,
        "topics": session.topic_list,
        "organiser_ids": [o.pk for o in organisers],
        "organisers": [o.name for o in organisers],
        "hours_rule": session.hours_rule,
        "min_minutes": session.min_minutes,
        "state": session.state,
    }


def _attendance_out(attendance: Attendance, name: str) -> dict[str, Any]:
    return {
        "id": attendance.pk,
        "session_id": attendance.session_id,
        "person_id": attendance.person_id,
        "name": name,
        "organization_id": attendance.organization_id,
        "state": attendance.state,
        "method": attendance.method,
        "opened_at": attendance.opened_at,
        "attended_at": attendance.attended_at,
        "rule": attendance.rule,
        "hours": float(attendance.hours),
        "year": attendance.year,
    }


@router.get("/training/sessions", response=list[SessionOut])
@paginate(BoundedPagination, page_size=50)
def list_sessions(
    request: HttpRequest, community_id: int | None = Query(None, ge=1, le=MAX_ID)
) -> list[dict[str, Any]]:
    """The sessions the person may see: of the communities they work for, and those their
    party organisation organises; newest first."""
    sessions = visible_sessions(request.user).prefetch_related("organisers")
    if community_id is not None:
        sessions = sessions.filter(community_id=community_id)
    return [_session_out(s) for s in sessions.order_by("-starts_at", "id")]


@router.get("/training/sessions/{session_id}", response=SessionOut)
def get_session(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    return _session_out(get_session_for(request.user, session_id))


@router.post("/training/sessions", response={201: SessionOut})
@idempotent
def create_session(request: HttpRequest, payload: SessionIn) -> Status[Any]:
    user = User.of(request)
    community = Region.objects.filter(pk=payload.community_id, level=Region.Level.COMMUNITY).first()
    if community is None:
        raise DomainError("training.no_community", _("No such community."))
    organisers = list(Organization.objects.filter(pk__in=payload.organiser_ids))
    if len(organisers) != len(set(payload.organiser_ids)):
        raise DomainError("training.no_organiser", _("No such organisation."))
    session = services.create_session(
        user,
        community,
        services.SessionInput(
            title=payload.title,
            kind=payload.kind,
            starts_at=_aware(payload.starts_at),
            ends_at=_aware(payload.ends_at),
            organisers=organisers,
            place=payload.place,
            online_url=payload.online_url,
            topics=payload.topics,
            hours_rule=payload.hours_rule,
            min_minutes=max(1, min(payload.min_minutes, 1440)),
        ),
    )
    return Status(201, _session_out(session))


# Before the actions' route, whose path would otherwise take "attendance" for an action.
@router.get("/training/sessions/{session_id}/attendance", response=list[AttendanceOut])
@paginate(BoundedPagination, page_size=100)
def session_attendance(
    request: HttpRequest, session_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[dict[str, Any]]:
    """For the organisers: names in full for their own organisation's members (and for the
    community's staff), masked for the other organisations'."""
    user = User.of(request)
    session = get_session_for(user, session_id, "training.manage_session")
    staff = covers(user, session.community)
    mine = secretary_of(user)
    return [
        _attendance_out(
            a,
            a.person.real_name
            if staff or a.organization_id in mine
            else mask_name(a.person.real_name),
        )
        for a in session.attendances.select_related("person").order_by("id")
    ]


@router.post("/training/sessions/{session_id}/{action}", response=DoneOut)
def act_on_session(
    request: HttpRequest, session_id: Id, action: str, payload: ActionIn
) -> dict[str, Any]:
    """check-in (token, nonce: once per member), open (an online class's link), confirm-online
    (after the minimum time), confirm (an organiser, for `person`), cancel (reason)."""
    user = User.of(request)
    session = get_session_for(user, session_id)
    done = SESSION_ACTIONS.perform(user, session, action, payload.dict(exclude_none=True))
    attendance = None
    if isinstance(done, Attendance):
        attendance = _attendance_out(done, done.person.real_name)
    return {
        "action": action,
        "message": SESSION_ACTIONS.get(action).message(done),
        "attendance": attendance,
    }


@router.get("/training/progress", response=ProgressOut)
def progress(
    request: HttpRequest,
    organization_id: Id,
    year: int | None = Year,
) -> dict[str, Any]:
    """An organisation's members' study hours in the year against its norm; who is behind."""
    org = get_party_org_for(request.user, organization_id)
    return queries.progress(org, year or timezone.localdate().year).as_dict()


@router.get("/training/records/{membership_id}", response=RecordOut)
def study_record(
    request: HttpRequest, membership_id: Id, year: int | None = Year
) -> dict[str, Any]:
    """A member's yearly study record: for the person, their secretary and the staff."""
    membership = get_record_for(request.user, membership_id)
    record = queries.study_record(membership, year or timezone.localdate().year)
    return {
        "name": record.name,
        "organization": record.organization,
        "role": record.role,
        "year": record.year,
        "required": record.required,
        "total": float(record.total),
        "service_hours": float(record.service_hours),
        "rows": [
            {
                "date": r.date,
                "title": r.title,
                "kind": r.kind,
                "organisers": r.organisers,
                "method": r.method,
                "rule": r.rule,
                "hours": float(r.hours),
            }
            for r in record.rows
        ],
    }
