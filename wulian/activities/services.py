"""Venues, activities and convenience services: every change is one function here,
transactional, audited, and refusing with a coded `DomainError`; people are told after
commit (wulian.notifications.services.tell).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.activities.models import (
    ACTIVE_BOOKING,
    HOLDING,
    WEEKDAYS,
    Activity,
    ActivityPhoto,
    Audience,
    Booking,
    ClosedDate,
    Helper,
    OpeningHours,
    Scan,
    Service,
    ServiceBooking,
    ServiceException,
    SignUp,
    Venue,
    VenuePhoto,
)
from wulian.audit import services as audit
from wulian.core import deadlines
from wulian.core.deadlines import Step
from wulian.core.errors import Conflict, DomainError, NotAllowed, refuse_all
from wulian.core.workflow import Workflow, transition
from wulian.notifications.services import tell
from wulian.orgs.models import Membership, Organization
from wulian.orgs.rules import membership_roles
from wulian.places.models import Compound, Region
from wulian.places.rules import covers

audit.register_actions(
    {
        "venue.booked": gettext_lazy("booked the venue"),
        "venue.approved": gettext_lazy("approved the booking"),
        "venue.declined": gettext_lazy("declined the booking"),
        "venue.cancelled": gettext_lazy("cancelled the booking"),
        "activity.created": gettext_lazy("put on the activity"),
        "activity.cancelled": gettext_lazy("cancelled the activity"),
        "activity.signed_up": gettext_lazy("signed up"),
        "activity.waitlisted": gettext_lazy("joined the waiting list"),
        "activity.offered": gettext_lazy("a freed place was offered"),
        "activity.confirmed": gettext_lazy("confirmed the offered place"),
        "activity.lapsed": gettext_lazy("the offer lapsed unconfirmed"),
        "activity.withdrawn": gettext_lazy("cancelled the sign-up"),
        "activity.checked_in": gettext_lazy("checked in"),
        "activity.checked_out": gettext_lazy("checked out"),
        "activity.no_shows": gettext_lazy("marked the no-shows"),
        "activity.reported": gettext_lazy("wrote the report"),
        "activity.rated": gettext_lazy("rated the activity"),
        "activity.exported": gettext_lazy("exported the sign-up list"),
        "service.created": gettext_lazy("set up the convenience service"),
        "service.booked": gettext_lazy("booked a slot"),
        "service.cancelled": gettext_lazy("cancelled a slot booking"),
        "service.checked_in": gettext_lazy("checked in for the slot"),
        "service.no_show": gettext_lazy("did not come to the slot"),
    }
)

#: sent after commit with `records` (a list of `VolunteerHours`) when a volunteer checks out;
#: the volunteer-hour ledger listens to it.
volunteer_hours_recorded = Signal()


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _aware(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, at))


# ================================================================== venues

_B = Booking.State
BOOKING_FLOW = Workflow(
    Booking,
    moves={
        _B.PENDING: {_B.APPROVED, _B.DECLINED, _B.CANCELLED},
        _B.APPROVED: {_B.CANCELLED},
    },
    code="booking.bad_state",
    refusal=gettext_lazy("This booking is %(state)s; that step is not possible now."),
    community=lambda booking: booking.venue.community,
    subject=lambda booking: booking.venue,
    describe=lambda booking: {
        "from": _local(booking.starts_at),
        "to": _local(booking.ends_at),
        "purpose": booking.purpose,
    },
)


def overlaps(
    a_start: datetime.datetime,
    a_end: datetime.datetime,
    b_start: datetime.datetime,
    b_end: datetime.datetime,
) -> bool:
    """Half-open ranges [start, end): touching ends do not overlap (as PostgreSQL's `&&`)."""
    return a_start < b_end and b_start < a_end


def range_problem(
    venue: Venue,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> str | None:
    """Why a venue cannot be booked for a range (not counting other bookings), or None."""
    now = now or timezone.now()
    if ends_at <= starts_at:
        return _("The end must be after the start.")
    if starts_at < now:
        return _("That time has passed.")
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if start.date() != end.date() and end.time() != datetime.time(0):
        return _("A booking ends on the day it starts.")
    closed = venue.closed_dates.filter(date=start.date()).first()
    if closed is not None:
        reason = f"（{closed.reason}）" if closed.reason else ""
        return _("The venue is closed on %(date)s%(reason)s.") % {
            "date": start.date().isoformat(),
            "reason": reason,
        }
    hours = {h.weekday: h for h in venue.hours.all()}
    if hours:
        today = hours.get(start.isoweekday())
        if today is None:
            return _("The venue is not open on %(date)s.") % {"date": start.date().isoformat()}
        if start.time() < today.opens or end.time() > today.closes or end.date() != start.date():
            return _("The venue is open %(opens)s–%(closes)s on that day.") % {
                "opens": today.opens.strftime("%H:%M"),
                "closes": today.closes.strftime("%H:%M"),
            }
    return None


def conflicts(
    venue: Venue, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> list[Booking]:
    return list(
        Booking.objects.filter(
            venue=venue, state__in=ACTIVE_BOOKING, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
    )


def _conflict_message(clash: Booking) -> str:
    return _("The venue is already booked %(from)s–%(to)s.") % {
        "from": _local(clash.starts_at),
        "to": timezone.localtime(clash.ends_at).strftime("%H:%M"),
    }


@dataclass(frozen=True)
class BookingInput:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    purpose: str
    attendance: int
    organization: Organization | None = None


def _check_booking(
    actor: User, venue: Venue, data: BookingInput, *, one_range: bool = False
) -> None:
    """Whether `actor` may book, then everything wrong with what they asked for at once (and,
    for `one_range`, with its time), so a form is sent back once, not once per problem."""
    if not actor.has_perm("activities.book_venue", venue):
        raise NotAllowed("booking.not_allowed", _("You may not book this venue."))
    if data.organization is not None and data.organization.pk not in _unit_ids(actor):
        raise NotAllowed("booking.not_member", _("You can book only for a unit you belong to."))
    problems: dict[str, tuple[str, str]] = {}
    if not data.purpose.strip():
        problems["purpose"] = ("booking.no_purpose", _("Say what the venue is booked for."))
    if data.attendance < 1:
        problems["attendance"] = ("booking.no_attendance", _("Say how many people are expected."))
    elif data.attendance > venue.capacity:
        problems["attendance"] = (
            "booking.over_capacity",
            _("The venue holds %(capacity)s people; %(attendance)s are expected.")
            % {"capacity": venue.capacity, "attendance": data.attendance},
        )
    if one_range:
        when = range_problem(venue, data.starts_at, data.ends_at)
        if when:
            problems["starts_at"] = ("booking.bad_time", when)
    refuse_all(problems, several="booking.invalid")


def _unit_ids(actor: User) -> set[int]:
    from wulian.activities.rules import unit_ids

    return unit_ids(actor)


def _create_booking(
    actor: User, venue: Venue, data: BookingInput, starts_at: Any, ends_at: Any, series: str = ""
) -> Booking:
    """Inside the caller's transaction, with the venue row locked: check and insert one."""
    problem = range_problem(venue, starts_at, ends_at)
    if problem:
        raise DomainError("booking.bad_time", problem)
    clash = conflicts(venue, starts_at, ends_at)
    if clash:
        raise Conflict("booking.conflict", _conflict_message(clash[0]))
    approved = not venue.needs_approval or actor.has_perm("activities.manage_venue", venue)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                venue=venue,
                starts_at=starts_at,
                ends_at=ends_at,
                purpose=data.purpose.strip()[:200],
                attendance=data.attendance,
                organization=data.organization,
                booked_by=actor,
                state=Booking.State.APPROVED if approved else Booking.State.PENDING,
                series=series,
            )
    except IntegrityError as exc:  # the exclusion constraint: someone else got there first
        raise Conflict("booking.conflict", _("The venue was just booked for that time.")) from exc
    audit.record(
        actor,
        "venue.booked",
        venue,
        after={
            "from": _local(starts_at),
            "to": _local(ends_at),
            "purpose": booking.purpose,
            "state": booking.state,
        },
        community=venue.community,
    )
    return booking


def _lock_venue(venue: Venue) -> Venue:
    return (
        Venue.objects.select_for_update(of=("self",))
        .select_related("community", "owner")
        .get(pk=venue.pk)
    )


def _tell_owner(venue: Venue, bookings: Sequence[Booking]) -> None:
    pending = [b for b in bookings if b.state == Booking.State.PENDING]
    if pending:
        tell(
            [venue.owner],
            "venue.pending",
            gettext_lazy("A booking of %(venue)s awaits your approval"),
            gettext_lazy("%(count)s date(s) from %(time)s."),
            url=reverse("activities:venue", args=[venue.pk]),
            obj=venue,
            venue=venue.name,
            count=len(pending),
            time=_local(pending[0].starts_at),
        )


def book_venue(actor: User, venue: Venue, data: BookingInput) -> Booking:
    """Book a venue for one range; approved at once unless the owner must approve."""
    _check_booking(actor, venue, data, one_range=True)
    # A range already taken is told so without a turn at the venue's lock; only the locked
    # check (and on PostgreSQL the exclusion constraint) gives the range.
    clash = conflicts(venue, data.starts_at, data.ends_at)
    if clash and not range_problem(venue, data.starts_at, data.ends_at):
        raise Conflict("booking.conflict", _conflict_message(clash[0]))
    with transaction.atomic():
        locked = _lock_venue(venue)
        booking = _create_booking(actor, locked, data, data.starts_at, data.ends_at)
        _tell_owner(locked, [booking])
    return booking


@dataclass(frozen=True)
class PlannedDate:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def weekly_ranges(
    starts_at: datetime.datetime, ends_at: datetime.datetime, weeks: int
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The same local time on `weeks` consecutive weeks (a DST change keeps the wall time)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    out = []
    for week in range(weeks):
        day = start.date() + datetime.timedelta(weeks=week)
        length = end - start
        s = _aware(day, start.time())
        out.append((s, s + length))
    return out


MAX_WEEKS = 52


def plan_weekly(venue: Venue, data: BookingInput, weeks: int) -> list[PlannedDate]:
    """Every date of a weekly repetition, each with the reason it cannot be booked (if any)."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise DomainError(
            "booking.bad_weeks", _("Repeat for 1 to %(max)s weeks.") % {"max": MAX_WEEKS}
        )
    plan = []
    for starts_at, ends_at in weekly_ranges(data.starts_at, data.ends_at, weeks):
        problem = range_problem(venue, starts_at, ends_at)
        if not problem:
            clash = conflicts(venue, starts_at, ends_at)
            problem = _conflict_message(clash[0]) if clash else ""
        plan.append(PlannedDate(starts_at, ends_at, problem or ""))
    return plan


def book_weekly(
    actor: User, venue: Venue, data: BookingInput, weeks: int, *, skip_conflicts: bool = False
) -> tuple[list[Booking], list[PlannedDate]]:
    """Book the same time every week. When a date cannot be booked, nothing is written unless
    `skip_conflicts` is given (the person has seen the list): then the rest are booked."""
    _check_booking(actor, venue, data)
    series = uuid.uuid4().hex
    with transaction.atomic():
        locked = _lock_venue(venue)
        plan = plan_weekly(locked, data, weeks)
        refused = [p for p in plan if not p.ok]
        if refused and not skip_conflicts:
            listed = "；".join(
                f"{timezone.localtime(p.starts_at):%Y-%m-%d}：{p.problem}" for p in refused
            )
            raise Conflict(
                "booking.conflicts",
                _("These dates cannot be booked: %(dates)s") % {"dates": listed},
            )
        booked = [
            _create_booking(actor, locked, data, p.starts_at, p.ends_at, series)
            for p in plan
            if p.ok
        ]
        if not booked:
            raise Conflict("booking.none_free", _("None of these dates can be booked."))
        _tell_owner(locked, booked)
    return booked, refused


def approve_booking(actor: User, booking: Booking) -> Booking:
    if not actor.has_perm("activities.decide_booking", booking):
        raise NotAllowed("booking.not_owner", _("Only the venue's owner decides on bookings."))
    done = transition(
        BOOKING_FLOW,
        booking,
        Booking.State.APPROVED,
        actor,
        action="venue.approved",
        decided_by=actor,
        decided_at=timezone.now(),
    )
    tell(
        [done.booked_by],
        "venue.approved",
        gettext_lazy("Your booking of %(venue)s is approved"),
        gettext_lazy("%(time)s."),
        url=reverse("activities:venue", args=[done.venue_id]),
        obj=done.venue,
        venue=done.venue.name,
        time=_local(done.starts_at),
    )
    return done


def decline_booking(actor: User, booking: Booking, reason: str) -> Booking:
    if not actor.has_perm("activities.decide_booking", booking):
        raise NotAllowed("booking.not_owner", _("Only the venue's owner decides on bookings."))
    if not reason.strip():
        raise DomainError("booking.no_reason", _("Give the reason for declining."))
    done = transition(
        BOOKING_FLOW,
        booking,
        Booking.State.DECLINED,
        actor,
        action="venue.declined",
        note=reason.strip(),
        reason=reason.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    tell(
        [done.booked_by],
        "venue.declined",
        gettext_lazy("Your booking of %(venue)s was declined"),
        reason.strip(),
        url=reverse("activities:venue", args=[done.venue_id]),
        obj=done.venue,
        venue=done.venue.name,
    )
    return done


def cancel_booking(actor: User, booking: Booking, reason: str = "") -> Booking:
    if not actor.has_perm("activities.cancel_booking", booking):
        raise NotAllowed("booking.not_yours", _("Only who booked it or the owner can cancel."))
    return transition(
        BOOKING_FLOW,
        booking,
        Booking.State.CANCELLED,
        actor,
        action="venue.cancelled",
        note=reason.strip(),
        reason=reason.strip(),
        cancelled_at=timezone.now(),
    )


# ================================================================== activities

_S = SignUp.State
SIGNUP_FLOW = Workflow(
    SignUp,
    moves={
        _S.CONFIRMED: {_S.CANCELLED},
        _S.WAITING: {_S.OFFERED, _S.CANCELLED},
        _S.OFFERED: {_S.CONFIRMED, _S.CANCELLED, _S.LAPSED},
    },
    code="signup.bad_state",
    refusal=gettext_lazy("This sign-up is %(state)s; that step is not possible now."),
    community=lambda signup: signup.activity.community,
    subject=lambda signup: signup.activity,
    describe=lambda signup: {"role": signup.role},
)
ACTIVITY_FLOW = Workflow(
    Activity,
    moves={Activity.State.PUBLISHED: {Activity.State.CANCELLED}},
    code="activity.cancelled",
    refusal=gettext_lazy("This activity has been cancelled."),
)


@dataclass(frozen=True)
class ActivityInput:
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    hosts: Sequence[Organization]
    description: str = ""
    booking: Booking | None = None
    place: str = ""
    online_url: str = ""
    audience: str = Audience.ALL
    compound: Any = None
    signup_opens_at: datetime.datetime | None = None
    signup_closes_at: datetime.datetime | None = None
    cancel_by: datetime.datetime | None = None
    confirm_hours: int = 24
    volunteers_wanted: int = 0
    volunteer_tasks: str = ""


def create_activity(actor: User, community: Region, data: ActivityInput) -> Activity:
    if not actor.has_perm("activities.add_activity", community):
        raise NotAllowed(
            "activity.not_allowed", _("Only the community's staff and units put on activities.")
        )
    if not data.title.strip():
        raise DomainError("activity.no_title", _("Give the activity a title."))
    hosts = list({org.pk: org for org in data.hosts}.values())
    if not hosts:
        raise DomainError("activity.no_hosts", _("Name at least one host."))
    if any(not org.is_active for org in hosts):
        raise DomainError("activity.inactive_host", _("A host is no longer active."))
    if not covers(actor, community) and not {o.pk for o in hosts} & _unit_ids(actor):
        raise NotAllowed("activity.not_host", _("Your unit must be one of the hosts."))
    now = timezone.now()
    if data.ends_at <= data.starts_at:
        raise DomainError("activity.bad_time", _("The end must be after the start."))
    if data.starts_at < now:
        raise DomainError("activity.past", _("That time has passed."))
    if data.capacity < 1:
        raise DomainError("activity.no_capacity", _("Give the number of places."))
    if data.booking is not None:
        booking = data.booking
        if not booking.is_active or booking.venue.community_id != community.pk:
            raise DomainError(
                "activity.bad_booking", _("Choose an active booking of this community.")
            )
        if data.starts_at < booking.starts_at or data.ends_at > booking.ends_at:
            raise DomainError("activity.outside_booking", _("The activity must fit its booking."))
        if data.capacity > booking.venue.capacity:
            raise DomainError(
                "activity.over_capacity",
                _("The venue holds %(capacity)s people.") % {"capacity": booking.venue.capacity},
            )
    elif not data.place.strip() and not data.online_url.strip():
        raise DomainError("activity.no_place", _("Give a venue booking, a place or a link."))
    if (
        data.signup_closes_at
        and data.signup_opens_at
        and data.signup_closes_at <= data.signup_opens_at
    ):
        raise DomainError("activity.bad_window", _("Sign-up must close after it opens."))
    if data.signup_closes_at and data.signup_closes_at > data.starts_at:
        raise DomainError(
            "activity.late_window", _("Sign-up must close by the time the activity starts.")
        )
    if data.audience == Audience.COMPOUND and data.compound is None:
        raise DomainError("activity.no_compound", _("Choose the compound."))
    with transaction.atomic():
        activity = Activity.objects.create(
            community=community,
            title=data.title.strip()[:120],
            description=data.description.strip(),
            booking=data.booking,
            place=data.place.strip()[:200],
            online_url=data.online_url.strip(),
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            capacity=data.capacity,
            audience=data.audience,
            compound=data.compound,
            signup_opens_at=data.signup_opens_at,
            signup_closes_at=data.signup_closes_at,
            cancel_by=data.cancel_by,
            confirm_hours=max(1, data.confirm_hours),
            volunteers_wanted=max(0, data.volunteers_wanted),
            volunteer_tasks=data.volunteer_tasks.strip()[:300],
            created_by=actor,
        )
        activity.hosts.set(hosts)
        audit.record(
            actor,
            "activity.created",
            activity,
            after={"title": activity.title, "hosts": [o.name for o in hosts]},
            community=community,
        )
    return activity


def cancel_activity(actor: User, activity: Activity, reason: str) -> Activity:
    if not actor.has_perm("activities.manage_activity", activity):
        raise NotAllowed("activity.not_host", _("Only the hosts can do this."))
    if not reason.strip():
        raise DomainError("activity.no_reason", _("Give the reason."))
    done = transition(
        ACTIVITY_FLOW,
        activity,
        Activity.State.CANCELLED,
        actor,
        action="activity.cancelled",
        note=reason.strip(),
    )
    people = User.objects.filter(
        activity_signups__activity=done,
        activity_signups__state__in=("confirmed", "offered", "waiting"),
    ).distinct()
    tell(
        people,
        "activity.cancelled",
        gettext_lazy("%(title)s is cancelled"),
        reason.strip(),
        url=activity_url(done),
        obj=done,
        title=done.title,
    )
    return done


def activity_url(activity: Activity) -> str:
    return reverse("activities:activity", args=[activity.pk])


def _lock_activity(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=activity.pk)
    )


def holding(activity: Activity, role: str) -> int:
    return SignUp.objects.filter(activity=activity, role=role, state__in=HOLDING).count()


def places_of(activity: Activity, role: str) -> int:
    return activity.capacity if role == SignUp.Role.PARTICIPANT else activity.volunteers_wanted


def _check_audience(actor: User, activity: Activity) -> None:
    if activity.audience == Audience.COMPOUND and actor.compound_id != activity.compound_id:
        raise NotAllowed(
            "signup.audience",
            _("This activity is for the residents of %(compound)s.")
            % {"compound": activity.compound},
        )
    if activity.audience == Audience.PARTY_MEMBERS and not actor.is_party_member:
        raise NotAllowed("signup.audience", _("This activity is for party members."))


def sign_up(
    actor: User, activity: Activity, role: str = SignUp.Role.PARTICIPANT, task: str = ""
) -> SignUp:
    """Take a place, or the next place on the waiting list when it is full."""
    if not actor.has_perm("activities.sign_up", activity):
        raise NotAllowed("signup.sign_in", _("Sign in to sign up."))
    now = timezone.now()
    if role not in SignUp.Role.values:
        raise DomainError("signup.bad_role", _("Sign up as a participant or a volunteer."))
    with transaction.atomic():
        locked = _lock_activity(activity)
        if locked.state != Activity.State.PUBLISHED:
            raise Conflict("activity.cancelled", _("This activity has been cancelled."))
        if locked.signup_opens_at and now < locked.signup_opens_at:
            raise Conflict(
                "signup.not_open",
                _("Sign-up opens %(time)s.") % {"time": _local(locked.signup_opens_at)},
            )
        if now >= (locked.signup_closes_at or locked.starts_at):
            raise Conflict("signup.closed", _("Sign-up has closed."))
        if role == SignUp.Role.PARTICIPANT:
            _check_audience(actor, locked)
        if role == SignUp.Role.VOLUNTEER:
            if not locked.volunteers_wanted:
                raise DomainError("signup.no_volunteers", _("No volunteers are wanted."))
            if task and task not in locked.task_list:
                raise DomainError("signup.bad_task", _("Choose one of the tasks listed."))
        if SignUp.objects.filter(
            activity=locked, person=actor, state__in=("confirmed", "offered", "waiting")
        ).exists():
            raise Conflict("signup.already", _("You have already signed up."))
        free = holding(locked, role) < places_of(locked, role)
        if not free and role == SignUp.Role.VOLUNTEER:
            raise Conflict("signup.full", _("Enough volunteers have signed up."))
        signup = SignUp.objects.create(
            activity=locked,
            person=actor,
            role=role,
            task=task,
            state=SignUp.State.CONFIRMED if free else SignUp.State.WAITING,
            created_at=now,
        )
        audit.record(
            actor,
            "activity.signed_up" if free else "activity.waitlisted",
            locked,
            after={"role": role, "state": signup.state},
            community=locked.community,
        )
    return signup


def _offer_next(
    activity: Activity, now: datetime.datetime, actor: User | None = None
) -> list[SignUp]:
    """Offer freed participant places to the first on the waiting list (activity locked)."""
    offered: list[SignUp] = []
    free = places_of(activity, SignUp.Role.PARTICIPANT) - holding(activity, SignUp.Role.PARTICIPANT)
    if free <= 0 or activity.state != Activity.State.PUBLISHED or now >= activity.starts_at:
        return offered
    waiting = (
        SignUp.objects.select_for_update(of=("self",))
        .filter(activity=activity, role=SignUp.Role.PARTICIPANT, state=SignUp.State.WAITING)
        .select_related("person", "activity__community")
        .order_by("created_at", "id")[:free]
    )
    for signup in waiting:
        confirm_by = min(now + datetime.timedelta(hours=activity.confirm_hours), activity.starts_at)
        SIGNUP_FLOW.apply(
            signup,
            SignUp.State.OFFERED,
            actor,
            action="activity.offered",
            offered_at=now,
            confirm_by=confirm_by,
        )
        tell(
            [signup.person],
            "activity.offered",
            gettext_lazy("A place at %(title)s is yours if you confirm"),
            gettext_lazy("Confirm by %(time)s, or the place goes to the next person."),
            url=activity_url(activity),
            obj=activity,
            urgent=True,
            title=activity.title,
            time=_local(confirm_by),
        )
        offered.append(signup)
    return offered


def cancel_signup(actor: User, signup: SignUp) -> SignUp:
    """Give up a place (or a place on the waiting list); the first waiting is offered it."""
    if not actor.has_perm("activities.change_signup", signup):
        raise NotAllowed("signup.not_yours", _("This is not your sign-up."))
    now = timezone.now()
    with transaction.atomic():
        activity = _lock_activity(signup.activity)
        locked = SignUp.objects.select_for_update().get(pk=signup.pk)
        locked.activity = activity
        if activity.cancel_by and now > activity.cancel_by and locked.state in HOLDING:
            raise Conflict(
                "signup.too_late",
                _("Cancellations closed at %(time)s.") % {"time": _local(activity.cancel_by)},
            )
        SIGNUP_FLOW.apply(
            locked, SignUp.State.CANCELLED, actor, action="activity.withdrawn", cancelled_at=now
        )
        _offer_next(activity, now)
    return locked


def confirm_offer(actor: User, signup: SignUp) -> SignUp:
    if not actor.has_perm("activities.change_signup", signup):
        raise NotAllowed("signup.not_yours", _("This is not your sign-up."))
    now = timezone.now()
    with transaction.atomic():
        activity = _lock_activity(signup.activity)
        locked = SignUp.objects.select_for_update().get(pk=signup.pk)
        locked.activity = activity
        if locked.state == SignUp.State.OFFERED and locked.confirm_by and now > locked.confirm_by:
            raise Conflict("signup.offer_lapsed", _("The time to confirm has passed."))
        SIGNUP_FLOW.apply(locked, SignUp.State.CONFIRMED, actor, action="activity.confirmed")
    return locked


def _lapse(signup: SignUp, now: datetime.datetime) -> None:
    SIGNUP_FLOW.apply(signup, SignUp.State.LAPSED, None, action="activity.lapsed")
    tell(
        [signup.person],
        "activity.lapsed",
        gettext_lazy("The place at %(title)s has gone to the next person"),
        gettext_lazy("It was not confirmed in time."),
        url=activity_url(signup.activity),
        obj=signup.activity,
        title=signup.activity.title,
    )
    _offer_next(signup.activity, now)


OFFER_STEPS: list[Step[SignUp]] = [
    Step(
        "lapsed",
        "lapsed_at",
        lambda s, now: (
            s.state == SignUp.State.OFFERED and s.confirm_by is not None and now > s.confirm_by
        ),
        _lapse,
    ),
]


def sweep_offers(now: datetime.datetime | None = None) -> dict[str, int]:
    """Let unconfirmed offers lapse and offer the place to the next; each once."""
    now = now or timezone.now()
    ids = SignUp.objects.filter(state=SignUp.State.OFFERED, confirm_by__lt=now).values_list(
        "pk", flat=True
    )

    def locked(pk: int) -> SignUp | None:
        signup = (
            SignUp.objects.select_for_update().filter(pk=pk, state=SignUp.State.OFFERED).first()
        )
        if signup is None:
            return None
        signup.activity = _lock_activity(signup.activity)
        return signup

    return deadlines.sweep(locked, list(ids), OFFER_STEPS, now)


# ---------------------------------------------------------------- check-in

PERSON_QR_SALT = "wulian.activities.person"


def person_code(person: User) -> str:
    """What the person's QR carries: their id, signed (staff scan it at the door)."""
    return signing.dumps(person.pk, salt=PERSON_QR_SALT)


def person_from_code(code: str) -> User:
    try:
        pk = signing.loads(code, salt=PERSON_QR_SALT)
    except signing.BadSignature as exc:
        raise DomainError("checkin.bad_code", _("This QR code is not a Wulian code.")) from exc
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None:
        raise DomainError("checkin.bad_code", _("This QR code is not a Wulian code."))
    return person


FEED_SALT = "wulian.activities.feed"


def feed_token(person: User) -> str:
    """The secret part of a person's own calendar address."""
    return signing.dumps(person.pk, salt=FEED_SALT)


def person_from_feed_token(token: str) -> User | None:
    try:
        pk = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


CHECK_IN_EARLY = datetime.timedelta(hours=1)


def _scan(actor: User, activity: Activity, person: User, nonce: str, kind: str) -> SignUp:
    nonce = nonce.strip()
    if not nonce or len(nonce) > 64:
        raise DomainError("checkin.no_nonce", _("The scan carries no valid nonce."))
    now = timezone.now()
    with transaction.atomic():
        seen = Scan.objects.filter(nonce=nonce).select_related("signup").first()
        if seen is not None:
            if seen.signup.activity_id != activity.pk or seen.signup.person_id != person.pk:
                raise Conflict("checkin.nonce_reused", _("This scan was used for someone else."))
            return seen.signup  # a repeated scan or a retried request counts once
        locked_activity = _lock_activity(activity)
        if locked_activity.state != Activity.State.PUBLISHED:
            raise Conflict("activity.cancelled", _("This activity has been cancelled."))
        if not check_in_open(locked_activity, now):
            raise Conflict("checkin.not_now", _("Check-in opens an hour before the start."))
        signup = (
            SignUp.objects.select_for_update()
            .filter(activity=locked_activity, person=person, state=SignUp.State.CONFIRMED)
            .first()
        )
        if signup is None:
            raise Conflict(
                "checkin.not_signed_up", _("%(name)s has not signed up.") % {"name": _mask(person)}
            )
        signup.activity = locked_activity
        if kind == Scan.Kind.OUT:
            if signup.role != SignUp.Role.VOLUNTEER:
                raise DomainError("checkin.not_volunteer", _("Only volunteers check out."))
            if signup.checked_in_at is None:
                raise Conflict("checkin.not_in", _("Check in first."))
            if signup.checked_out_at is None:
                signup.checked_out_at = now
                signup.save(update_fields=["checked_out_at"])
                records = volunteer_hours(signup)
                transaction.on_commit(
                    lambda: volunteer_hours_recorded.send(sender=SignUp, records=records)
                )
        elif signup.checked_in_at is None:
            signup.checked_in_at = now
            signup.no_show = False
            signup.save(update_fields=["checked_in_at", "no_show"])
        Scan.objects.create(nonce=nonce, signup=signup, kind=kind, scanned_by=actor, at=now)
        audit.record(
            actor,
            "activity.checked_in" if kind == Scan.Kind.IN else "activity.checked_out",
            locked_activity,
            after={"person": _mask(person), "role": signup.role},
            community=locked_activity.community,
        )
    return signup


def _mask(person: User) -> str:
    from wulian.core.text import mask_name

    return mask_name(person.real_name)


def check_in_open(activity: Activity, now: datetime.datetime | None = None) -> bool:
    """Check-in runs from an hour before the start to an hour after the end."""
    now = now or timezone.now()
    return activity.starts_at - CHECK_IN_EARLY <= now <= activity.ends_at + CHECK_IN_EARLY


def check_in(
    actor: User, activity: Activity, code: str, nonce: str, kind: str = Scan.Kind.IN
) -> SignUp:
    """The organiser scans a person's QR at the door (or on the printed list)."""
    if not actor.has_perm("activities.manage_activity", activity):
        raise NotAllowed("checkin.not_host", _("Only the hosts check people in."))
    return _scan(actor, activity, person_from_code(code), nonce, kind)


def self_check_in(
    actor: User, activity: Activity, token: str, nonce: str, kind: str = Scan.Kind.IN
) -> SignUp:
    """The person scans the activity's QR with their own phone."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed("checkin.sign_in", _("Sign in to check in."))
    if token != activity.token:
        raise DomainError("checkin.bad_code", _("This QR code is not for this activity."))
    return _scan(actor, activity, actor, nonce, kind)


def mark_no_shows(actor: User, activity: Activity) -> int:
    if not actor.has_perm("activities.manage_activity", activity):
        raise NotAllowed("activity.not_host", _("Only the hosts can do this."))
    if timezone.now() < activity.ends_at:
        raise Conflict("activity.not_over", _("No-shows are marked after the activity."))
    with transaction.atomic():
        locked = _lock_activity(activity)
        count = SignUp.objects.filter(
            activity=locked, state=SignUp.State.CONFIRMED, checked_in_at__isnull=True, no_show=False
        ).update(no_show=True)
        audit.record(
            actor, "activity.no_shows", locked, after={"count": count}, community=locked.community
        )
    return count


def write_report(
    actor: User, activity: Activity, text: str, photos: Sequence[Any] = ()
) -> Activity:
    if not actor.has_perm("activities.manage_activity", activity):
        raise NotAllowed("activity.not_host", _("Only the hosts can do this."))
    if not text.strip() and not photos:
        raise DomainError("activity.no_report", _("Write the report or add photos."))
    from wulian.core.uploads import CleanFile, clean_upload

    with transaction.atomic():
        locked = _lock_activity(activity)
        if text.strip():
            locked.report = text.strip()
            locked.save(update_fields=["report"])
        for upload in photos:
            clean = (
                upload if isinstance(upload, CleanFile) else clean_upload(upload, allow=("image",))
            )
            ActivityPhoto.store(clean, actor, activity=locked)
        audit.record(
            actor,
            "activity.reported",
            locked,
            after={"photos": len(photos)},
            community=locked.community,
        )
    return locked


def export_signups(actor: User, activity: Activity, *, full_numbers: bool = False) -> bytes:
    """The organisers' sign-up list as .xlsx: numbers masked, or in full for the activity's
    organisers, who asked for them; either way the audit says who exported what."""
    from wulian.activities import documents

    if not actor.has_perm("activities.manage_activity", activity):
        raise NotAllowed("activity.not_host", _("Only the hosts can do this."))
    if full_numbers and not actor.has_perm("activities.export_numbers", activity):
        raise NotAllowed(
            "activity.numbers_hidden",
            _("Only the activity's organisers may export full mobile numbers."),
        )
    content = documents.render_signups_xlsx(activity, full_numbers=full_numbers)
    audit.record(
        actor,
        "activity.exported",
        activity,
        after={
            "rows": activity.signups.count(),
            "numbers": "full" if full_numbers else "masked",
        },
        community=activity.community,
    )
    return content


def rate_activity(actor: User, signup: SignUp, score: int, comment: str = "") -> SignUp:
    if not actor.has_perm("activities.change_signup", signup):
        raise NotAllowed("signup.not_yours", _("This is not your sign-up."))
    if not 1 <= int(score) <= 5:
        raise DomainError("signup.bad_score", _("Rate from 1 to 5."))
    with transaction.atomic():
        locked = (
            SignUp.objects.select_for_update(of=("self",))
            .select_related("activity__community")
            .get(pk=signup.pk)
        )
        if locked.checked_in_at is None:
            raise Conflict("signup.not_attended", _("Only those who came can rate it."))
        locked.rating = int(score)
        locked.comment = comment.strip()[:1000]
        locked.save(update_fields=["rating", "comment"])
        audit.record(
            actor,
            "activity.rated",
            locked.activity,
            after={"score": locked.rating},
            community=locked.activity.community,
        )
    return locked


@dataclass(frozen=True)
class VolunteerHours:
    """One volunteer's confirmed service at an activity, for the volunteer-hour ledger:
    hours from check-in to check-out, rounded to a hundredth."""

    person_id: int
    activity_id: int
    community_id: int
    organisation_ids: tuple[int, ...]
    task: str
    started_at: datetime.datetime
    ended_at: datetime.datetime
    hours: float
    source: str = "activity"


def volunteer_hours(*signups: SignUp) -> list[VolunteerHours]:
    """The volunteer-hour records the given sign-ups earn: only volunteers with both a
    check-in and a check-out (a confirmed presence) count; nothing is written here."""
    records = []
    for s in signups:
        if s.role != SignUp.Role.VOLUNTEER or s.checked_in_at is None or s.checked_out_at is None:
            continue
        if s.checked_out_at <= s.checked_in_at:
            continue
        records.append(
            VolunteerHours(
                person_id=s.person_id,
                activity_id=s.activity_id,
                community_id=s.activity.community_id,
                organisation_ids=tuple(s.activity.hosts.values_list("pk", flat=True)),
                task=s.task,
                started_at=s.checked_in_at,
                ended_at=s.checked_out_at,
                hours=s.hours,
            )
        )
    return records


def activity_volunteer_hours(activity: Activity) -> list[VolunteerHours]:
    return volunteer_hours(
        *activity.signups.filter(role=SignUp.Role.VOLUNTEER).select_related("activity")
    )


# ================================================================== convenience services


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    seats: int
    taken: int

    @property
    def free(self) -> int:
        return max(0, self.seats - self.taken)


def nth_weekday_of(day: datetime.date) -> tuple[int, bool]:
    """(which occurrence of its weekday in the month, whether it is the last one)."""
    nth = (day.day - 1) // 7 + 1
    last = (day + datetime.timedelta(days=7)).month != day.month
    return nth, last


def runs_on(service: Service, day: datetime.date, days_off: Iterable[datetime.date] = ()) -> bool:
    """Whether the service's rule gives slots on a day (before exceptions are asked)."""
    if not service.is_active or day.isoweekday() != service.weekday:
        return False
    if service.starts_on and day < service.starts_on:
        return False
    if service.ends_on and day > service.ends_on:
        return False
    if service.nth is not None:
        nth, last = nth_weekday_of(day)
        if not (service.nth == nth or (service.nth == -1 and last)):
            return False
    return day not in set(days_off)


RUN_DAYS_AHEAD = 120
"""How far the service days are looked for (a monthly service runs four times in it)."""


def run_days(service: Service, start: datetime.date, count: int = 6) -> list[datetime.date]:
    """The service's next ``count`` days from ``start`` on (``start`` itself included)."""
    days = []
    for offset in range(RUN_DAYS_AHEAD):
        day = start + datetime.timedelta(days=offset)
        if runs_on(service, day):
            days.append(day)
            if len(days) == count:
                break
    return days


def next_run_day(service: Service, start: datetime.date) -> datetime.date | None:
    """The service's first day from ``start`` on, if it runs within four months."""
    found = run_days(service, start, count=1)
    return found[0] if found else None


def previous_run_day(service: Service, day: datetime.date) -> datetime.date | None:
    """The service's last day before ``day``, if it ran within four months."""
    for offset in range(1, RUN_DAYS_AHEAD):
        earlier = day - datetime.timedelta(days=offset)
        if runs_on(service, earlier):
            return earlier
    return None


def slot_times(
    service: Service, day: datetime.date
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    out = []
    start = _aware(day, service.starts)
    end_of_day = _aware(day, service.ends)
    step = datetime.timedelta(minutes=service.slot_minutes)
    while start + step <= end_of_day:
        out.append((start, start + step))
        start += step
    return out


TAKING = ("booked", "attended", "no_show")


def slots_on(service: Service, day: datetime.date) -> list[Slot]:
    """The day's slots with the places taken (none when the service does not run)."""
    days_off = service.exceptions.filter(date=day).values_list("date", flat=True)
    if not runs_on(service, day, days_off):
        return []
    times = slot_times(service, day)
    if not times:
        return []
    taken: dict[datetime.datetime, int] = {}
    for starts_at in service.bookings.filter(
        starts_at__gte=times[0][0], starts_at__lt=times[-1][1], state__in=TAKING
    ).values_list("starts_at", flat=True):
        taken[starts_at] = taken.get(starts_at, 0) + 1
    return [Slot(s, e, service.seats, taken.get(s, 0)) for s, e in times]


def next_free_slot(
    service: Service, now: datetime.datetime | None = None, days: int = 120
) -> Slot | None:
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    for offset in range(days):
        day = today + datetime.timedelta(days=offset)
        if day.isoweekday() != service.weekday:
            continue
        for slot in slots_on(service, day):
            if slot.starts_at > now and slot.free:
                return slot
    return None


NO_SHOW_LIMIT = 3
NO_SHOW_DAYS = 90


def recent_no_shows(person: User, now: datetime.datetime) -> int:
    return ServiceBooking.objects.filter(
        person=person,
        state=ServiceBooking.State.NO_SHOW,
        starts_at__gte=now - datetime.timedelta(days=NO_SHOW_DAYS),
    ).count()


def may_book_for(actor: User, person: User, service: Service) -> bool:
    if actor.pk == person.pk:
        return True
    if covers(actor, service.community) or service.provider_id in _unit_ids(actor):
        return True
    return Helper.objects.filter(resident=person, helper=actor).exists()


def book_slot(
    actor: User, service: Service, starts_at: datetime.datetime, person: User | None = None
) -> ServiceBooking:
    """Book one place of a slot, for oneself or (staff, provider, a recorded family member)
    for a resident."""
    person = person or actor
    if not actor.has_perm("activities.book_service", service):
        raise NotAllowed("slot.sign_in", _("Sign in to book."))
    if not may_book_for(actor, person, service):
        raise NotAllowed(
            "slot.not_for_you", _("You may book only for yourself or a resident you help.")
        )
    now = timezone.now()
    if starts_at <= now:
        raise DomainError("slot.past", _("That slot has passed."))
    day = timezone.localtime(starts_at).date()
    # Most of a rush's requests are for slots already gone: tell them so without a turn at the
    # service's lock. Only the locked check below gives a seat.
    if (
        ServiceBooking.objects.filter(
            service=service, starts_at=starts_at, state__in=TAKING
        ).count()
        >= service.seats
    ):
        raise Conflict("slot.full", _("This slot is full; choose another."))
    with transaction.atomic():
        locked = (
            Service.objects.select_for_update(of=("self",))
            .select_related("community", "provider")
            .get(pk=service.pk)
        )
        if not locked.is_active:
            raise Conflict("slot.inactive", _("This service is not running."))
        slot = next((s for s in slots_on(locked, day) if s.starts_at == starts_at), None)
        if slot is None:
            raise DomainError("slot.no_slot", _("The service has no slot at that time."))
        if recent_no_shows(person, now) >= NO_SHOW_LIMIT and day != timezone.localtime(now).date():
            raise Conflict(
                "slot.same_day_only",
                _(
                    "You missed %(limit)s bookings in the last %(period)s days: "
                    "book on the day only."
                )
                % {"limit": NO_SHOW_LIMIT, "period": NO_SHOW_DAYS},
            )
        active = ServiceBooking.objects.filter(
            service=locked, person=person, state=ServiceBooking.State.BOOKED, starts_at__gt=now
        ).count()
        if active >= locked.per_person:
            raise Conflict("slot.already", _("You already have a booking for this service."))
        taken = set(
            ServiceBooking.objects.filter(
                service=locked, starts_at=starts_at, state__in=TAKING
            ).values_list("seat", flat=True)
        )
        free = [seat for seat in range(1, locked.seats + 1) if seat not in taken]
        if not free:
            raise Conflict("slot.full", _("This slot is full; choose another."))
        try:
            with transaction.atomic():
                booking = ServiceBooking.objects.create(
                    service=locked,
                    starts_at=starts_at,
                    seat=free[0],
                    person=person,
                    booked_by=actor,
                )
        except IntegrityError as exc:
            raise Conflict("slot.full", _("This slot was just taken; choose another.")) from exc
        audit.record(
            actor,
            "service.booked",
            locked,
            after={"slot": _local(starts_at), "person": _mask(person), "seat": booking.seat},
            community=locked.community,
        )
    return booking


def cancel_slot(actor: User, booking: ServiceBooking) -> ServiceBooking:
    if not actor.has_perm("activities.cancel_slot_booking", booking):
        raise NotAllowed("slot.not_yours", _("This is not your booking."))
    with transaction.atomic():
        locked = (
            ServiceBooking.objects.select_for_update(of=("self",))
            .select_related("service__community")
            .get(pk=booking.pk)
        )
        if locked.state != ServiceBooking.State.BOOKED:
            raise Conflict(
                "slot.bad_state",
                _("This booking is %(state)s.") % {"state": locked.get_state_display()},
            )
        locked.state = ServiceBooking.State.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["state", "cancelled_at"])
        audit.record(
            actor,
            "service.cancelled",
            locked.service,
            after={"slot": _local(locked.starts_at)},
            community=locked.service.community,
        )
    return locked


def check_in_slot(actor: User, booking: ServiceBooking) -> ServiceBooking:
    """The provider ticks a resident off the day sheet (a second tick changes nothing)."""
    if not actor.has_perm("activities.check_in_slot", booking):
        raise NotAllowed("slot.not_provider", _("Only the provider checks people in."))
    with transaction.atomic():
        locked = (
            ServiceBooking.objects.select_for_update(of=("self",))
            .select_related("service__community", "person")
            .get(pk=booking.pk)
        )
        if locked.state == ServiceBooking.State.ATTENDED:
            return locked
        if locked.state == ServiceBooking.State.CANCELLED:
            raise Conflict("slot.bad_state", _("This booking was cancelled."))
        if timezone.localtime(locked.starts_at).date() != timezone.localdate():
            raise Conflict("slot.not_today", _("Check in on the day of the slot."))
        locked.state = ServiceBooking.State.ATTENDED
        locked.checked_in_at = timezone.now()
        locked.save(update_fields=["state", "checked_in_at"])
        audit.record(
            actor,
            "service.checked_in",
            locked.service,
            after={"slot": _local(locked.starts_at), "person": _mask(locked.person)},
            community=locked.service.community,
        )
    return locked


def day_sheet(service: Service, day: datetime.date) -> list[tuple[Slot, list[ServiceBooking]]]:
    bookings = list(
        service.bookings.filter(starts_at__date=day, state__in=TAKING).select_related(
            "person", "booked_by"
        )
    )
    by_start: dict[datetime.datetime, list[ServiceBooking]] = {}
    for b in bookings:
        by_start.setdefault(b.starts_at, []).append(b)
    return [
        (slot, sorted(by_start.get(slot.starts_at, []), key=lambda b: b.seat))
        for slot in slots_on(service, day)
    ]


NO_SHOW_GRACE = datetime.timedelta(hours=1)


def _remind(booking: ServiceBooking, now: datetime.datetime) -> None:
    tell(
        [booking.person],
        "service.reminder",
        gettext_lazy("Tomorrow: %(service)s at %(time)s"),
        gettext_lazy("%(place)s. Cancel if you cannot come."),
        url=reverse("activities:my_services"),
        obj=booking.service,
        service=booking.service.title,
        time=_local(booking.starts_at),
        place=booking.service.where,
    )


def _no_show(booking: ServiceBooking, now: datetime.datetime) -> None:
    booking.state = ServiceBooking.State.NO_SHOW
    booking.save(update_fields=["state"])
    audit.record(
        None,
        "service.no_show",
        booking.service,
        after={"slot": _local(booking.starts_at), "person": _mask(booking.person)},
        community=booking.service.community,
    )


def _tomorrow(booking: ServiceBooking, now: datetime.datetime) -> bool:
    return booking.state == ServiceBooking.State.BOOKED and timezone.localtime(
        booking.starts_at
    ).date() == timezone.localtime(now).date() + datetime.timedelta(days=1)


REMINDER_STEPS: list[Step[ServiceBooking]] = [Step("reminded", "reminded_at", _tomorrow, _remind)]


def sweep_services(now: datetime.datetime | None = None) -> dict[str, int]:
    """Reminders the day before (once each) and no-shows for slots long past."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    ids = ServiceBooking.objects.filter(
        state=ServiceBooking.State.BOOKED, reminded_at__isnull=True, starts_at__date=tomorrow
    ).values_list("pk", flat=True)

    def locked(pk: int) -> ServiceBooking | None:
        return (
            ServiceBooking.objects.select_for_update(of=("self",))
            .select_related("service__community", "person")
            .filter(pk=pk)
            .first()
        )

    counts = deadlines.sweep(locked, list(ids), REMINDER_STEPS, now)
    missed = 0
    for pk in ServiceBooking.objects.filter(
        state=ServiceBooking.State.BOOKED, starts_at__lt=now - NO_SHOW_GRACE
    ).values_list("pk", flat=True):
        with transaction.atomic():
            booking = locked(pk)
            if booking is not None and booking.state == ServiceBooking.State.BOOKED:
                _no_show(booking, now)
                missed += 1
    return {**counts, "no_show": missed}


@dataclass(frozen=True)
class ServiceInput:
    title: str
    weekday: int
    starts: datetime.time
    ends: datetime.time
    slot_minutes: int
    seats: int = 1
    nth: int | None = None
    description: str = ""
    venue: Venue | None = None
    place: str = ""
    per_person: int = 1
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    #: days the service does not run: dates, or (date, reason) for a holiday or cancelled day
    days_off: Sequence[datetime.date | tuple[datetime.date, str]] = field(default_factory=tuple)


def _check_service(community: Region, data: ServiceInput) -> None:
    if not data.title.strip():
        raise DomainError("service.no_title", _("Give the service a title."))
    if not 1 <= data.weekday <= 7:
        raise DomainError("service.bad_weekday", _("Choose a weekday."))
    if data.ends <= data.starts:
        raise DomainError("service.bad_time", _("The end must be after the start."))
    if data.slot_minutes < 5 or data.seats < 1 or data.per_person < 1:
        raise DomainError("service.bad_slots", _("Slots last at least 5 minutes and have a place."))
    if data.nth is not None and data.nth not in (1, 2, 3, 4, -1):
        raise DomainError("service.bad_nth", _("Choose the first to fourth, or the last week."))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise DomainError("service.bad_days", _("The last day must not be before the first."))
    if data.venue is not None and data.venue.community_id != community.pk:
        raise DomainError("service.bad_venue", _("The venue is not in this community."))


def create_service(
    actor: User, provider: Organization, community: Region, data: ServiceInput, resource: Any = None
) -> Service:
    if not (covers(actor, community) or provider.pk in _unit_ids(actor)):
        raise NotAllowed(
            "service.not_provider", _("Only the provider or the community's staff can do this.")
        )
    _check_service(community, data)
    days = _days_off(data)
    with transaction.atomic():
        service = Service.objects.create(
            community=community,
            provider=provider,
            resource=resource,
            title=data.title.strip()[:120],
            description=data.description.strip(),
            venue=data.venue,
            place=data.place.strip()[:200],
            weekday=data.weekday,
            nth=data.nth,
            starts=data.starts,
            ends=data.ends,
            slot_minutes=data.slot_minutes,
            seats=data.seats,
            per_person=data.per_person,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
        )
        for day, reason in days:
            service.exceptions.create(date=day, reason=reason.strip()[:100])
        audit.record(
            actor, "service.created", service, after={"title": service.title}, community=community
        )
    return service


def service_from_resource(actor: User, resource: Any, data: ServiceInput | None = None) -> Service:
    """Turn a listed resource of kind service into a bookable service (its weekdays and hours
    give the rule when no other is given)."""
    if resource.kind != "service" or resource.provider_org_id is None:
        raise DomainError("service.not_a_service", _("Only a unit's service can become bookable."))
    if data is None:
        if not resource.weekdays or resource.hours_from is None or resource.hours_to is None:
            raise DomainError("service.no_rule", _("Give the weekday, hours and slot length."))
        data = ServiceInput(
            title=resource.title,
            description=resource.description,
            weekday=int(resource.weekdays[0]),
            starts=resource.hours_from,
            ends=resource.hours_to,
            slot_minutes=30,
            seats=max(1, resource.capacity_number or 1),
        )
    return create_service(actor, resource.provider_org, resource.community, data, resource=resource)


# ------------------------------------------------------------------ venues and services set up

audit.register_actions(
    {
        "venue.created": gettext_lazy("set up the venue"),
        "venue.changed": gettext_lazy("changed the venue"),
        "service.changed": gettext_lazy("changed the convenience service"),
    }
)


def managed_units(actor: User, community: Region) -> Any:
    """The units whose venues and services this person may set up in the community: the
    staff, any unit based there; a unit's administrator, their own units."""
    units = Organization.objects.filter(is_active=True, region_id__in=community.ancestor_ids)
    admin_of = [pk for pk, role in membership_roles(actor).items() if role == Membership.Role.ADMIN]
    if covers(actor, community):
        return units.filter(Q(region=community) | Q(pk__in=admin_of)).order_by("name")
    return units.filter(pk__in=admin_of).order_by("name")


@dataclass(frozen=True)
class VenueInput:
    name: str
    capacity: int
    address: str = ""
    compound: Compound | None = None
    description: str = ""
    facilities: str = ""
    bookers: str = Venue.Bookers.UNITS
    needs_approval: bool = True
    is_active: bool = True
    #: (weekday 1–7, opens, closes); a weekday not listed is closed
    hours: Sequence[tuple[int, datetime.time, datetime.time]] = ()
    #: (date, reason): days the venue is closed
    closed: Sequence[tuple[datetime.date, str]] = ()
    photos: Sequence[Any] = ()  # uploads or `CleanFile`s to add
    remove_photos: Sequence[int] = ()  # ids of the venue's photos to remove

    @classmethod
    def from_venue(cls, venue: Venue) -> VenueInput:
        return cls(
            name=venue.name,
            capacity=venue.capacity,
            address=venue.address,
            compound=venue.compound,
            description=venue.description,
            facilities=venue.facilities,
            bookers=venue.bookers,
            needs_approval=venue.needs_approval,
            is_active=venue.is_active,
            hours=[(h.weekday, h.opens, h.closes) for h in venue.hours.all()],
            closed=[(c.date, c.reason) for c in venue.closed_dates.all()],
        )


def _check_venue(community: Region, data: VenueInput) -> None:
    if not data.name.strip():
        raise DomainError("venue.no_name", _("Give the venue a name."))
    if not 1 <= data.capacity <= 100_000:
        raise DomainError("venue.bad_capacity", _("The capacity is at least one person."))
    if data.bookers not in Venue.Bookers.values:
        raise DomainError("venue.bad_bookers", _("Choose who may book the venue."))
    if data.compound is not None and data.compound.community_id != community.pk:
        raise DomainError("venue.bad_compound", _("The compound is not in this community."))
    weekdays = [day for day, _opens, _closes in data.hours]
    if len(set(weekdays)) != len(weekdays) or not all(1 <= day <= 7 for day in weekdays):
        raise DomainError("venue.bad_hours", _("Give each weekday's hours once."))
    for day, opens, closes in data.hours:
        if closes <= opens:
            raise DomainError(
                "venue.bad_hours",
                _("On %(day)s the venue must close after it opens.") % {"day": _weekday(day)},
            )
    dates = [day for day, _reason in data.closed]
    if len(set(dates)) != len(dates):
        raise DomainError("venue.bad_closed", _("A closed date is given twice."))


def _weekday(day: int) -> str:
    return str(dict(WEEKDAYS).get(day, day))


def _write_venue(actor: User, venue: Venue, data: VenueInput) -> None:
    venue.name = data.name.strip()[:120]
    venue.capacity = data.capacity
    venue.address = data.address.strip()[:200]
    venue.compound = data.compound
    venue.description = data.description.strip()
    venue.facilities = data.facilities.strip()[:300]
    venue.bookers = data.bookers
    venue.needs_approval = data.needs_approval
    venue.is_active = data.is_active
    try:
        with transaction.atomic():
            venue.save()
    except IntegrityError as exc:
        raise Conflict("venue.name_taken", _("The unit already has a venue of this name.")) from exc
    venue.hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(venue=venue, weekday=day, opens=opens, closes=closes)
        for day, opens, closes in sorted(data.hours)
    )
    venue.closed_dates.all().delete()
    ClosedDate.objects.bulk_create(
        ClosedDate(venue=venue, date=day, reason=reason.strip()[:100])
        for day, reason in sorted(data.closed)
    )
    if data.remove_photos:
        venue.photos.filter(pk__in=data.remove_photos).delete()
    from wulian.core.uploads import CleanFile, clean_upload

    for upload in data.photos:
        clean = upload if isinstance(upload, CleanFile) else clean_upload(upload, allow=("image",))
        VenuePhoto.store(clean, actor, venue=venue)


def _venue_facts(venue: Venue) -> dict[str, Any]:
    return {
        "name": venue.name,
        "capacity": venue.capacity,
        "bookers": venue.bookers,
        "needs_approval": venue.needs_approval,
        "is_active": venue.is_active,
        "hours": [
            f"{h.weekday} {h.opens:%H:%M}–{h.closes:%H:%M}" for h in venue.hours.order_by("weekday")
        ],
        "closed": [str(c.date) for c in venue.closed_dates.order_by("date")],
    }


def create_venue(actor: User, owner: Organization, community: Region, data: VenueInput) -> Venue:
    """A unit's administrator (or the community's staff) shares one of its rooms."""
    if not managed_units(actor, community).filter(pk=owner.pk).exists():
        raise NotAllowed(
            "venue.not_admin",
            _("Only the unit's administrators or the community's staff can do this."),
        )
    _check_venue(community, data)
    with transaction.atomic():
        venue = Venue(owner=owner, community=community)
        _write_venue(actor, venue, data)
        audit.record(actor, "venue.created", venue, after=_venue_facts(venue), community=community)
    return venue


def update_venue(actor: User, venue: Venue, data: VenueInput) -> Venue:
    if not actor.has_perm("activities.edit_venue", venue):
        raise NotAllowed(
            "venue.not_admin",
            _("Only the unit's administrators or the community's staff can do this."),
        )
    _check_venue(venue.community, data)
    with transaction.atomic():
        locked = Venue.objects.select_for_update().get(pk=venue.pk)
        before = _venue_facts(locked)
        _write_venue(actor, locked, data)
        audit.record(
            actor,
            "venue.changed",
            locked,
            before=before,
            after=_venue_facts(locked),
            community=locked.community,
        )
    return locked


def _days_off(data: ServiceInput) -> list[tuple[datetime.date, str]]:
    days = [item if isinstance(item, tuple) else (item, "") for item in data.days_off]
    if len({day for day, _reason in days}) != len(days):
        raise DomainError("service.bad_days_off", _("A day off is given twice."))
    return days


def service_input_of(service: Service) -> ServiceInput:
    return ServiceInput(
        title=service.title,
        weekday=service.weekday,
        starts=service.starts,
        ends=service.ends,
        slot_minutes=service.slot_minutes,
        seats=service.seats,
        nth=service.nth,
        description=service.description,
        venue=service.venue,
        place=service.place,
        per_person=service.per_person,
        starts_on=service.starts_on,
        ends_on=service.ends_on,
        days_off=[(e.date, e.reason) for e in service.exceptions.all()],
    )


def update_service(
    actor: User, service: Service, data: ServiceInput, *, is_active: bool | None = None
) -> Service:
    """Change a service's rule, places and days off; slots already booked keep their bookings
    (the provider tells those people if a change concerns them)."""
    if not actor.has_perm("activities.edit_service", service):
        raise NotAllowed(
            "service.not_admin",
            _("Only the provider's administrators or the community's staff can do this."),
        )
    _check_service(service.community, data)
    days = _days_off(data)
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        before = {"title": locked.title, "rule": _rule_text(locked), "seats": locked.seats}
        for name in (
            "weekday",
            "nth",
            "starts",
            "ends",
            "slot_minutes",
            "seats",
            "per_person",
            "starts_on",
            "ends_on",
            "venue",
        ):
            setattr(locked, name, getattr(data, name))
        locked.title = data.title.strip()[:120]
        locked.description = data.description.strip()
        locked.place = data.place.strip()[:200]
        if is_active is not None:
            locked.is_active = is_active
        locked.save()
        locked.exceptions.all().delete()
        ServiceException.objects.bulk_create(
            ServiceException(service=locked, date=day, reason=reason.strip()[:100])
            for day, reason in sorted(days)
        )
        audit.record(
            actor,
            "service.changed",
            locked,
            before=before,
            after={"title": locked.title, "rule": _rule_text(locked), "seats": locked.seats},
            community=locked.community,
        )
    return locked


def _rule_text(service: Service) -> str:
    week = f"#{service.nth} " if service.nth else ""
    return (
        f"{week}{service.weekday} {service.starts:%H:%M}–{service.ends:%H:%M}"
        f" /{service.slot_minutes}min ×{service.seats}"
    )


# ------------------------------------------------------------------ family helpers

audit.register_actions(
    {
        "helper.recorded": gettext_lazy("recorded a family helper"),
        "helper.removed": gettext_lazy("removed a family helper"),
    }
)


def record_helper(actor: User, resident: User, helper: User, relation: str = "") -> Helper:
    """The community's staff record that a family member (or carer) may book services for an
    elderly resident of the community."""
    community = (
        Region.objects.filter(pk=resident.community_id).first() if resident.community_id else None
    )
    if community is None or not actor.has_perm("activities.manage_helpers", community):
        raise NotAllowed(
            "helper.not_staff", _("Only the staff of the resident's community can do this.")
        )
    if resident.pk == helper.pk:
        raise DomainError("helper.self", _("A resident cannot be their own helper."))
    with transaction.atomic():
        found, created = Helper.objects.get_or_create(
            resident=resident,
            helper=helper,
            defaults={"relation": relation.strip()[:30], "added_by": actor},
        )
        if not created:
            raise Conflict("helper.exists", _("This helper is already recorded."))
        audit.record(
            actor,
            "helper.recorded",
            found,
            after={"resident": _mask(resident), "helper": _mask(helper), "relation": relation},
            community=community,
        )
    return found


def remove_helper(actor: User, helper: Helper) -> None:
    resident_community = helper.resident.community_id
    community = Region.objects.filter(pk=resident_community).first() if resident_community else None
    if community is None or not actor.has_perm("activities.manage_helpers", community):
        raise NotAllowed(
            "helper.not_staff", _("Only the staff of the resident's community can do this.")
        )
    with transaction.atomic():
        audit.record(
            actor,
            "helper.removed",
            helper.resident,
            before={"resident": _mask(helper.resident), "helper": _mask(helper.helper)},
            community=community,
        )
        helper.delete()
