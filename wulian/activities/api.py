"""Venues, activities and services in the JSON API: the same services, rules and action
tables as the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from ninja.params.functions import Query

from wulian.accounts.models import User
from wulian.activities import services
from wulian.activities.actions import (
    ACTIVITY_ACTIONS,
    BOOKING_ACTIONS,
    SIGNUP_ACTIONS,
    SLOT_ACTIONS,
)
from wulian.activities.models import Activity, Booking, Service, ServiceBooking, SignUp, Venue
from wulian.activities.rules import (
    get_activity_for,
    get_booking_for,
    get_service_for,
    get_signup_for,
    get_slot_booking_for,
    get_venue_for,
)
from wulian.core.bounds import MAX_ID, BoundedPagination, Id
from wulian.core.errors import DomainError
from wulian.orgs.models import Organization

router = Router(tags=["activities"])


class ActivityOut(Schema):
    id: int
    community_id: int
    title: str
    description: str
    host_ids: list[int]
    hosts: list[str]
    where: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    taken: int
    waiting: int
    audience: str
    state: str
    signup_opens_at: datetime.datetime | None
    signup_closes_at: datetime.datetime | None
    volunteers_wanted: int


class SignUpOut(Schema):
    id: int
    activity_id: int
    role: str
    task: str
    state: str
    confirm_by: datetime.datetime | None
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None
    no_show: bool


class ActionIn(Schema):
    reason: str = ""
    task: str = ""
    code: str = ""
    token: str = ""
    nonce: str = ""
    kind: str = "in"
    text: str = ""
    score: int | None = None
    comment: str = ""


class DoneOut(Schema):
    action: str
    message: str
    signup: SignUpOut | None = None
    count: int | None = None


class VenueOut(Schema):
    id: int
    name: str
    owner_id: int
    owner: str
    community_id: int
    capacity: int
    facilities: list[str]
    bookers: str
    needs_approval: bool


class BookingOut(Schema):
    id: int
    venue_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    purpose: str
    attendance: int
    organization_id: int | None
    state: str
    reason: str
    series: str


class BookingIn(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    purpose: str
    attendance: int
    organization_id: Id | None = None
    weeks: int = 1
    skip_conflicts: bool = False


class ServiceOut(Schema):
    id: int
    title: str
    provider_id: int
    provider: str
    community_id: int
    where: str
    weekday: int
    nth: int | None
    starts: datetime.time
    ends: datetime.time
    slot_minutes: int
    seats: int
    next_free_slot: datetime.datetime | None


class SlotOut(Schema):
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    seats: int
    taken: int
    free: int


class SlotBookingIn(Schema):
    starts_at: datetime.datetime
    person_id: Id | None = None


class SlotBookingOut(Schema):
    id: int
    service_id: int
    starts_at: datetime.datetime
    seat: int
    person_id: int
    booked_by_id: int
    state: str


def _activity_out(activity: Activity) -> dict[str, Any]:
    hosts = list(activity.hosts.all())
    taken = getattr(activity, "taken", None)
    waiting = getattr(activity, "waiting", None)
    if taken is None or waiting is None:
        taken = activity.signups.filter(
            role="participant", state__in=("confirmed", "offered")
        ).count()
        waiting = activity.signups.filter(role="participant", state="waiting").count()
    return {
        "id": activity.pk,
        "community_id": activity.community_id,
        "title": activity.title,
        "description": activity.description,
        "host_ids": [h.pk for h in hosts],
        "hosts": [h.name for h in hosts],
        "where": activity.where,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "capacity": activity.capacity,
        "taken": taken,
        "waiting": waiting,
        "audience": activity.audience,
        "state": activity.state,
        "signup_opens_at": activity.signup_opens_at,
        "signup_closes_at": activity.signup_closes_at,
        "volunteers_wanted": activity.volunteers_wanted,
    }


def activities_with_counts() -> QuerySet[Activity]:
    return (
        Activity.objects.select_related("booking__venue")
        .prefetch_related("hosts")
        .annotate(
            taken=Count(
                "signups",
                filter=Q(signups__role="participant", signups__state__in=("confirmed", "offered")),
            ),
            waiting=Count(
                "signups", filter=Q(signups__role="participant", signups__state="waiting")
            ),
        )
        .order_by("starts_at", "id")
    )


@router.get("/activities", response=list[ActivityOut], auth=None)
@paginate(BoundedPagination, page_size=50)
def list_activities(
    request: HttpRequest,
    community_id: int | None = Query(None, ge=1, le=MAX_ID),
    upcoming: bool = False,
) -> list[dict[str, Any]]:
    """Published and cancelled activities, of one community if asked; `upcoming` leaves
    out those that have ended."""
    from django.utils import timezone

    activities = activities_with_counts()
    if community_id is not None:
        activities = activities.filter(community_id=community_id)
    if upcoming:
        activities = activities.filter(ends_at__gte=timezone.now())
    return [_activity_out(a) for a in activities]


@router.get("/activities/{activity_id}", response=ActivityOut, auth=None)
def get_activity(request: HttpRequest, activity_id: Id) -> dict[str, Any]:
    activity = get_object_or_404(activities_with_counts(), pk=activity_id)
    return _activity_out(activity)


def _done(action: str, message: str, result: Any) -> dict[str, Any]:
    return {
        "action": action,
        "message": message,
        "signup": result if isinstance(result, SignUp) else None,
        "count": result if isinstance(result, int) else None,
    }


@router.post("/activities/{activity_id}/{action}", response=DoneOut)
def act_on_activity(
    request: HttpRequest, activity_id: Id, action: str, payload: ActionIn
) -> dict[str, Any]:
    """sign-up, volunteer (task), check-in (code, nonce, kind in|out), self-check-in (token,
    nonce, kind), no-shows, report (text), cancel (reason): the page's actions."""
    user = User.of(request)
    activity = get_activity_for(user, activity_id)
    done = ACTIVITY_ACTIONS.perform(user, activity, action, payload.dict(exclude_none=True))
    return _done(action, ACTIVITY_ACTIONS.get(action).message(done), done)


@router.post("/signups/{signup_id}/{action}", response=DoneOut)
def act_on_signup(
    request: HttpRequest, signup_id: Id, action: str, payload: ActionIn
) -> dict[str, Any]:
    """cancel, confirm (an offered place), rate (score 1–5, comment)."""
    user = User.of(request)
    signup = get_signup_for(user, signup_id)
    done = SIGNUP_ACTIONS.perform(user, signup, action, payload.dict(exclude_none=True))
    return _done(action, SIGNUP_ACTIONS.get(action).message(done), done)


# ------------------------------------------------------------------ venues


def _venue_out(venue: Venue) -> dict[str, Any]:
    return {
        "id": venue.pk,
        "name": venue.name,
        "owner_id": venue.owner_id,
        "owner": venue.owner.name,
        "community_id": venue.community_id,
        "capacity": venue.capacity,
        "facilities": venue.facility_list,
        "bookers": venue.bookers,
        "needs_approval": venue.needs_approval,
    }


@router.get("/venues", response=list[VenueOut], auth=None)
def list_venues(request: HttpRequest, community_id: Id | None = None) -> list[dict[str, Any]]:
    venues = Venue.objects.filter(is_active=True).select_related("owner")
    if community_id is not None:
        venues = venues.filter(community_id=community_id)
    return [_venue_out(v) for v in venues]


@router.get("/venues/{venue_id}/bookings", response=list[BookingOut], auth=None)
def venue_bookings(
    request: HttpRequest, venue_id: Id, since: datetime.date | None = None
) -> QuerySet[Booking]:
    """The venue's active bookings (the calendar), from a day on (default: today)."""
    from django.utils import timezone

    venue = get_venue_for(request.user, venue_id)
    return venue.bookings.filter(
        state__in=("pending", "approved"), starts_at__date__gte=since or timezone.localdate()
    )


@router.post("/venues/{venue_id}/bookings", response={201: list[BookingOut]})
def book_venue(request: HttpRequest, venue_id: Id, payload: BookingIn) -> Status[Any]:
    """One range, or `weeks` weekly ranges: with conflicts and no `skip_conflicts`, a 409
    lists every date that cannot be booked and nothing is written."""
    user = User.of(request)
    venue = get_venue_for(user, venue_id, "activities.book_venue")
    organization = None
    if payload.organization_id is not None:
        organization = Organization.objects.filter(pk=payload.organization_id).first()
        if organization is None:
            raise DomainError("booking.no_unit", _("No such unit."))
    data = services.BookingInput(
        payload.starts_at, payload.ends_at, payload.purpose, payload.attendance, organization
    )
    if payload.weeks == 1:
        return Status(201, [services.book_venue(user, venue, data)])
    booked, _skipped = services.book_weekly(
        user, venue, data, payload.weeks, skip_conflicts=payload.skip_conflicts
    )
    return Status(201, booked)


@router.post("/bookings/{booking_id}/{action}", response=BookingOut)
def act_on_booking(request: HttpRequest, booking_id: Id, action: str, payload: ActionIn) -> Booking:
    """approve, decline (reason), cancel (reason)."""
    user = User.of(request)
    booking = get_booking_for(user, booking_id)
    done = BOOKING_ACTIONS.perform(user, booking, action, payload.dict(exclude_none=True))
    assert isinstance(done, Booking)
    return done


# ------------------------------------------------------------------ services


@router.get("/services", response=list[ServiceOut], auth=None)
def list_services(request: HttpRequest, community_id: Id | None = None) -> list[dict[str, Any]]:
    found = Service.objects.filter(is_active=True).select_related("provider", "venue")
    if community_id is not None:
        found = found.filter(community_id=community_id)
    out = []
    for s in found:
        slot = services.next_free_slot(s)
        out.append(
            {
                "id": s.pk,
                "title": s.title,
                "provider_id": s.provider_id,
                "provider": s.provider.name,
                "community_id": s.community_id,
                "where": s.where,
                "weekday": s.weekday,
                "nth": s.nth,
                "starts": s.starts,
                "ends": s.ends,
                "slot_minutes": s.slot_minutes,
                "seats": s.seats,
                "next_free_slot": slot.starts_at if slot else None,
            }
        )
    return out


@router.get("/services/{service_id}/slots", response=list[SlotOut], auth=None)
def service_slots(request: HttpRequest, service_id: Id, date: datetime.date) -> list[Any]:
    service = get_service_for(request.user, service_id)
    return [
        {
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "seats": s.seats,
            "taken": s.taken,
            "free": s.free,
        }
        for s in services.slots_on(service, date)
    ]


@router.post("/services/{service_id}/bookings", response={201: SlotBookingOut})
def book_slot(request: HttpRequest, service_id: Id, payload: SlotBookingIn) -> Status[Any]:
    """Book one place of a slot, for oneself or (`person_id`) for a resident one may book for."""
    user = User.of(request)
    service = get_service_for(user, service_id, "activities.book_service")
    person = None
    if payload.person_id is not None:
        person = User.objects.filter(pk=payload.person_id, is_active=True).first()
        if person is None:
            raise DomainError("slot.no_person", _("No such resident."))
    return Status(201, services.book_slot(user, service, payload.starts_at, person))


@router.post("/service-bookings/{booking_id}/{action}", response=SlotBookingOut)
def act_on_slot_booking(
    request: HttpRequest, booking_id: Id, action: str, payload: ActionIn
) -> ServiceBooking:
    """cancel, check-in (the provider)."""
    user = User.of(request)
    booking = get_slot_booking_for(user, booking_id)
    done = SLOT_ACTIONS.perform(user, booking, action, payload.dict(exclude_none=True))
    assert isinstance(done, ServiceBooking)
    return done
