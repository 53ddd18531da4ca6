"""Pages of venues, activities and convenience services: parse input, call one service,
render. Phone-first: every resident page is one column with big buttons."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wulian.accounts.models import User, normalize_mobile
from wulian.activities import documents, forms, services
from wulian.activities.actions import (
    ACTIVITY_ACTIONS,
    BOOKING_ACTIONS,
    SIGNUP_ACTIONS,
    SLOT_ACTIONS,
)
from wulian.activities.models import (
    LIVE_SIGNUP,
    Activity,
    Booking,
    Helper,
    Service,
    ServiceBooking,
    SignUp,
    Venue,
)
from wulian.activities.rules import (
    community_unit_ids,
    get_activity_for,
    get_booking_for,
    get_service_for,
    get_signup_for,
    get_slot_booking_for,
    get_venue_for,
)
from wulian.core.actions import perform_on_page
from wulian.core.bounds import parse_int
from wulian.core.errors import DomainError, show_on_form
from wulian.core.idempotency import submit_once
from wulian.core.text import mask_mobile, mask_name
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.places.queries import home_community
from wulian.places.rules import covers, get_region_for


def _community(request: HttpRequest) -> Region | None:
    pk = request.GET.get("community")
    if pk:
        return get_region_for(request.user, pk)
    return home_community(request.user)


def _qr(text: str) -> str:
    return str(segno.make(text, error="m", micro=False).svg_data_uri(scale=5, border=2))


def _day(value: str | None, default: datetime.date) -> datetime.date:
    parsed = parse_date(value or "") if value else None
    return parsed or default


# ------------------------------------------------------------------ activities


def activity_list_view(request: HttpRequest) -> HttpResponse:
    community = _community(request)
    now = timezone.now()
    activities = (
        Activity.objects.filter(community=community)
        .prefetch_related("hosts")
        .select_related("booking__venue")
        .annotate(
            taken=Count(
                "signups",
                filter=Q(signups__state__in=("confirmed", "offered"), signups__role="participant"),
            )
        )
    )
    upcoming = activities.filter(ends_at__gte=now).order_by("starts_at")
    past = activities.filter(ends_at__lt=now).order_by("-starts_at")[:10]
    feed = ""
    if community is not None:
        feed = request.build_absolute_uri(reverse("activities:community_ics", args=[community.pk]))
    return render(
        request,
        "activities/activity_list.html",
        {
            "community": community,
            "upcoming": upcoming,
            "past": past,
            "feed": feed,
            "can_add": community is not None
            and request.user.has_perm("activities.add_activity", community),
        },
    )


def activity_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_activity_for(request.user, pk)
    user = request.user
    mine = None
    if user.is_authenticated:
        mine = (
            SignUp.objects.filter(activity=activity, person=user)
            .order_by("-created_at", "-id")
            .first()
        )
    counts = {
        row["state"]: row["n"]
        for row in activity.signups.filter(role="participant")
        .values("state")
        .annotate(n=Count("id"))
    }
    volunteers = activity.signups.filter(role="volunteer", state__in=("confirmed",)).count()
    taken = counts.get("confirmed", 0) + counts.get("offered", 0)
    is_host = user.has_perm("activities.manage_activity", activity)
    now = timezone.now()
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "hosts": activity.hosts.all(),
            "mine": mine,
            "mine_live": mine is not None and mine.state in LIVE_SIGNUP,
            "taken": taken,
            "left": max(0, activity.capacity - taken),
            "waiting": counts.get("waiting", 0),
            "volunteers": volunteers,
            "volunteers_left": max(0, activity.volunteers_wanted - volunteers),
            "is_host": is_host,
            "is_open": activity.state == Activity.State.PUBLISHED
            and now < (activity.signup_closes_at or activity.starts_at)
            and (activity.signup_opens_at is None or now >= activity.signup_opens_at),
            "is_over": now > activity.ends_at,
            "my_qr": _qr(services.person_code(User.of(request)))
            if mine is not None and mine.state == SignUp.State.CONFIRMED
            else "",
            "photos": activity.photos.all(),
            "rating_form": forms.RatingForm(),
            "volunteer_form": forms.VolunteerForm(),
            "now": now,
        },
    )


@login_required
def activity_manage_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisers' list on a phone: who signed up, check-in buttons, the door's QR."""
    activity = get_activity_for(request.user, pk, "activities.manage_activity")
    signups = list(
        activity.signups.select_related("person").order_by("role", "state", "created_at", "id")
    )
    rows = [
        {
            "signup": s,
            "name": s.person.real_name,
            "mobile": mask_mobile(s.person.mobile),
            "code": services.person_code(s.person) if s.state == SignUp.State.CONFIRMED else "",
        }
        for s in signups
    ]
    door = request.build_absolute_uri(
        reverse("activities:self_check_in", args=[activity.pk]) + f"?t={activity.token}"
    )
    return render(
        request,
        "activities/activity_manage.html",
        {
            "activity": activity,
            "rows": rows,
            "door_qr": _qr(door),
            "door_url": door,
            "nonce": secrets.token_urlsafe(12),
            "scan_form": forms.ScanForm(initial={"nonce": secrets.token_urlsafe(12)}),
            "report_form": forms.ReportForm(initial={"text": activity.report}),
            "reason_form": forms.ReasonForm(),
            "can_export_numbers": request.user.has_perm("activities.export_numbers", activity),
            "is_over": timezone.now() > activity.ends_at,
            "check_in_open": services.check_in_open(activity),
            "attended": sum(1 for s in signups if s.checked_in_at),
            "no_shows": sum(1 for s in signups if s.no_show),
            "ratings": [s.rating for s in signups if s.rating],
        },
    )


@login_required
def activity_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-up list: numbers masked (GET), or in full when an organiser asks (POST)."""
    user = User.of(request)
    activity = get_activity_for(user, pk, "activities.manage_activity")
    full = request.method == "POST" and request.POST.get("numbers") == "full"
    try:
        content = services.export_signups(user, activity, full_numbers=full)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("activities:manage", pk=activity.pk)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"activity-{activity.pk}{'-full' if full else ''}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def self_check_in_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the door's QR leads: one button, carrying this page's nonce."""
    activity = get_activity_for(request.user, pk)
    token = request.GET.get("t", "")
    if token != activity.token:
        raise Http404
    own = SignUp.objects.filter(activity=activity, person=User.of(request)).exclude(
        state__in=[SignUp.State.CANCELLED, SignUp.State.LAPSED]
    )
    mine = own.filter(state=SignUp.State.CONFIRMED).first()
    return render(
        request,
        "activities/self_check_in.html",
        {
            "activity": activity,
            "mine": mine,
            "waiting": mine is None and own.exists(),
            "form": forms.SelfScanForm(
                initial={"token": token, "nonce": secrets.token_urlsafe(12), "kind": "in"}
            ),
        },
    )


@login_required
def scan_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser's scanner: a code typed or read by a scanner into the field."""
    activity = get_activity_for(request.user, pk, "activities.manage_activity")
    if request.method == "POST":
        perform_on_page(request, ACTIVITY_ACTIONS, activity, "check-in")
        return redirect("activities:scan", pk=activity.pk)
    return render(
        request,
        "activities/scan.html",
        {
            "activity": activity,
            "form": forms.ScanForm(initial={"nonce": secrets.token_urlsafe(12)}),
        },
    )


@login_required
@require_POST
def activity_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    activity = get_activity_for(User.of(request), pk)
    perform_on_page(request, ACTIVITY_ACTIONS, activity, action)
    if action in {"check-in", "no-shows", "report", "cancel"} and request.user.has_perm(
        "activities.manage_activity", activity
    ):
        return redirect("activities:manage", pk=activity.pk)
    return redirect("activities:activity", pk=activity.pk)


@login_required
@require_POST
def signup_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    signup = get_signup_for(User.of(request), pk)
    perform_on_page(request, SIGNUP_ACTIONS, signup, action)
    return redirect("activities:activity", pk=signup.activity_id)


def _ics(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="wulian.ics"'
    return response


def community_ics_view(request: HttpRequest, community_pk: int) -> HttpResponse:
    community = Region.objects.filter(pk=community_pk, level=Region.Level.COMMUNITY).first()
    if community is None:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=90)
    activities = Activity.objects.filter(community=community, ends_at__gte=since).select_related(
        "booking__venue"
    )
    base = request.build_absolute_uri("/").rstrip("/")
    return _ics(documents.render_ics(community.name, activities, base_url=base))


def person_ics_view(request: HttpRequest, token: str) -> HttpResponse:
    person = services.person_from_feed_token(token)
    if person is None:
        raise Http404
    since = timezone.now() - datetime.timedelta(days=90)
    activities = Activity.objects.filter(
        signups__person=person, signups__state__in=("confirmed", "offered"), ends_at__gte=since
    ).select_related("booking__venue")
    bookings = ServiceBooking.objects.filter(
        person=person, state="booked", starts_at__gte=since
    ).select_related("service__venue")
    base = request.build_absolute_uri("/").rstrip("/")
    return _ics(
        documents.render_ics(_("My activities"), activities.distinct(), bookings, base_url=base)
    )


@login_required
def activity_create_view(request: HttpRequest, community_pk: int) -> HttpResponse:
    user = User.of(request)
    community = get_region_for(user, community_pk, "activities.add_activity")
    hosts = Organization.objects.filter(
        is_active=True, region_id__in=community.ancestor_ids
    ).order_by("kind", "name")
    bookings = Booking.objects.filter(
        venue__community=community, state__in=("pending", "approved"), ends_at__gte=timezone.now()
    ).select_related("venue")
    if not covers(user, community):
        bookings = bookings.filter(
            Q(booked_by=user) | Q(organization_id__in=community_unit_ids(user, community))
        )
    form = forms.ActivityForm(
        request.POST or None, community=community, hosts=hosts, bookings=bookings
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.create_activity(
                user,
                community,
                services.ActivityInput(
                    title=data["title"],
                    description=data.get("description", ""),
                    hosts=list(data["hosts"]),
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    booking=data.get("booking"),
                    place=data.get("place", ""),
                    online_url=data.get("online_url", ""),
                    capacity=data["capacity"],
                    audience=data["audience"],
                    compound=data.get("compound"),
                    signup_closes_at=data.get("signup_closes_at"),
                    cancel_by=data.get("cancel_by"),
                    volunteers_wanted=data.get("volunteers_wanted") or 0,
                    volunteer_tasks=data.get("volunteer_tasks", ""),
                ),
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The activity is published."))
            return redirect("activities:activity", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "community": community})


# ------------------------------------------------------------------ venues


def venue_list_view(request: HttpRequest) -> HttpResponse:
    """A community's venues, with this week's bookings of all of them (the combined calendar)."""
    community = _community(request)
    today = timezone.localdate()
    start = _day(request.GET.get("week"), today)
    start -= datetime.timedelta(days=start.weekday())
    days = [start + datetime.timedelta(days=n) for n in range(7)]
    venues = list(
        Venue.objects.filter(community=community, is_active=True)
        .select_related("owner", "compound")
        .prefetch_related("hours")
    )
    bookings = Booking.objects.filter(
        venue__in=venues,
        state__in=("pending", "approved"),
        starts_at__date__gte=days[0],
        starts_at__date__lte=days[-1],
    ).select_related("venue", "organization")
    calendar = [
        (day, [b for b in bookings if timezone.localtime(b.starts_at).date() == day])
        for day in days
    ]
    return render(
        request,
        "activities/venue_list.html",
        {
            "community": community,
            "can_add": community is not None
            and request.user.has_perm("activities.add_venue", community),
            "venues": venues,
            "calendar": calendar,
            "previous": days[0] - datetime.timedelta(days=7),
            "next": days[0] + datetime.timedelta(days=7),
        },
    )


def _month(day: datetime.date) -> list[list[datetime.date | None]]:
    first = day.replace(day=1)
    weeks: list[list[datetime.date | None]] = []
    week: list[datetime.date | None] = [None] * first.weekday()
    current = first
    while current.month == first.month:
        week.append(current)
        if len(week) == 7:
            weeks.append(week)
            week = []
        current += datetime.timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks


def venue_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_venue_for(request.user, pk)
    user = request.user
    view = request.GET.get("view", "week")
    today = timezone.localdate()
    anchor = _day(request.GET.get("day"), today)
    if view == "month":
        first = anchor.replace(day=1)
        last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        previous, following = first - datetime.timedelta(days=1), last + datetime.timedelta(days=1)
    else:
        first = anchor - datetime.timedelta(days=anchor.weekday())
        last = first + datetime.timedelta(days=6)
        previous, following = first - datetime.timedelta(days=7), last + datetime.timedelta(days=1)
    bookings = list(
        venue.bookings.filter(
            state__in=("pending", "approved"),
            starts_at__date__gte=first,
            starts_at__date__lte=last,
        ).select_related("organization", "booked_by")
    )
    manager = user.has_perm("activities.manage_venue", venue)
    for b in bookings:
        b.who = (  # type: ignore[attr-defined]
            b.organization.name
            if b.organization
            else (b.booked_by.real_name if manager else mask_name(b.booked_by.real_name))
        )
    by_day: dict[datetime.date, list[Booking]] = {}
    for b in bookings:
        by_day.setdefault(timezone.localtime(b.starts_at).date(), []).append(b)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    pending = (
        list(
            venue.bookings.filter(state="pending", ends_at__gte=timezone.now()).select_related(
                "organization", "booked_by"
            )
        )
        if manager
        else []
    )
    mine = []
    if user.is_authenticated:
        mine = list(
            venue.bookings.filter(
                Q(booked_by=user)
                | Q(organization_id__in=community_unit_ids(user, venue.community)),
                state__in=("pending", "approved", "declined"),
                ends_at__gte=timezone.now(),
            ).select_related("organization")
        )
    return render(
        request,
        "activities/venue_detail.html",
        {
            "venue": venue,
            "can_edit": request.user.has_perm("activities.edit_venue", venue),
            "view": view,
            "week": [(day, by_day.get(day, [])) for day in days] if view != "month" else [],
            "month": [
                [(day, by_day.get(day, [])) if day else (None, []) for day in week]
                for week in _month(first)
            ]
            if view == "month"
            else [],
            "first": first,
            "previous": previous,
            "next": following,
            "hours": venue.hours.all(),
            "closed": venue.closed_dates.filter(date__gte=today)[:10],
            "photos": venue.photos.all(),
            "manager": manager,
            "pending": pending,
            "mine": mine,
            "can_book": user.has_perm("activities.book_venue", venue),
            "reason_form": forms.ReasonForm(),
        },
    )


@login_required
def venue_book_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    venue = get_venue_for(user, pk, "activities.book_venue")
    units = Organization.objects.filter(pk__in=community_unit_ids(user, venue.community))
    form = forms.BookingForm(request.POST or None, units=units, initial={"weeks": 1})
    plan: list[services.PlannedDate] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        booking = services.BookingInput(
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            purpose=data["purpose"],
            attendance=data["attendance"],
            organization=data.get("organization"),
        )
        try:
            if data["weeks"] == 1:
                done = services.book_venue(user, venue, booking)
                messages.success(
                    request,
                    _("Booked.")
                    if done.state == Booking.State.APPROVED
                    else _("Sent to the owner for approval."),
                )
                return redirect("activities:venue", pk=venue.pk)
            if not data.get("skip_conflicts"):
                plan = services.plan_weekly(venue, booking, data["weeks"])
            if plan and any(not p.ok for p in plan):
                again = request.POST.copy()
                again["skip_conflicts"] = "on"
                form = forms.BookingForm(again, units=units)
            else:
                booked, skipped = services.book_weekly(
                    user, venue, booking, data["weeks"], skip_conflicts=True
                )
                messages.success(
                    request,
                    _("%(booked)s dates booked, %(skipped)s left out.")
                    % {"booked": len(booked), "skipped": len(skipped)},
                )
                return redirect("activities:venue", pk=venue.pk)
        except DomainError as exc:
            show_on_form(form, exc, {"starts_at": "starts"})
    return render(
        request,
        "activities/venue_book.html",
        {
            "venue": venue,
            "form": form,
            "plan": plan,
            "refused": [p for p in plan if not p.ok],
            "free": [p for p in plan if p.ok],
        },
    )


@login_required
@require_POST
def booking_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = get_booking_for(User.of(request), pk)
    perform_on_page(request, BOOKING_ACTIONS, booking, action)
    return redirect("activities:venue", pk=booking.venue_id)


# ------------------------------------------------------------------ convenience services


def service_list_view(request: HttpRequest) -> HttpResponse:
    """Every service of the community with the next free slot of each."""
    community = _community(request)
    now = timezone.now()
    rows = [
        (service, services.next_free_slot(service, now))
        for service in Service.objects.filter(community=community, is_active=True)
        .select_related("provider", "venue")
        .prefetch_related("exceptions")
    ]
    return render(
        request,
        "activities/service_list.html",
        {
            "community": community,
            "rows": rows,
            "now": now,
            "can_add": community is not None
            and request.user.has_perm("activities.add_service", community),
            "can_record_helpers": community is not None
            and request.user.has_perm("activities.manage_helpers", community),
        },
    )


def service_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for(request.user, pk)
    today = timezone.localdate()
    days = services.run_days(service, today)
    day = _day(request.GET.get("date"), days[0] if days else today)
    user = request.user
    provider = user.has_perm("activities.manage_service", service)
    return render(
        request,
        "activities/service_detail.html",
        {
            "service": service,
            "can_edit": user.has_perm("activities.edit_service", service),
            "days": days,
            "day": day,
            "slots": services.slots_on(service, day),
            "days_off": service.exceptions.filter(date__gte=today)[:6],
            "provider": provider,
            "can_book_for": provider or (user.is_authenticated and user.helps.exists()),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def service_book_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    service = get_service_for(user, pk, "activities.book_service")
    starts_at = parse_datetime(request.POST.get("starts_at", ""))
    back = reverse("activities:service", args=[service.pk])
    if starts_at is None or timezone.is_naive(starts_at):
        messages.error(request, _("Choose a slot."))
        return redirect(back)
    person: User | None = None
    mobile = request.POST.get("person", "").strip()
    if mobile:
        person = User.objects.filter(mobile=normalize_mobile(mobile), is_active=True).first()
        if person is None:
            messages.error(request, _("No resident has that mobile number."))
            return redirect(back + f"?date={timezone.localtime(starts_at).date().isoformat()}")
    try:
        booking = services.book_slot(user, service, starts_at, person)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(back + f"?date={timezone.localtime(starts_at).date().isoformat()}")
    messages.success(
        request,
        _("Booked: %(time)s, place %(seat)s.")
        % {
            "time": timezone.localtime(booking.starts_at).strftime("%m-%d %H:%M"),
            "seat": booking.seat,
        },
    )
    return redirect("activities:my_services")


@login_required
def my_services_view(request: HttpRequest) -> HttpResponse:
    user = User.of(request)
    bookings = (
        ServiceBooking.objects.filter(Q(person=user) | Q(booked_by=user))
        .select_related("service__venue", "service__provider", "person")
        .order_by("-starts_at")[:50]
    )
    now = timezone.now()
    return render(
        request,
        "activities/my_services.html",
        {
            "upcoming": [b for b in bookings if b.starts_at >= now and b.state == "booked"][::-1],
            "earlier": [b for b in bookings if not (b.starts_at >= now and b.state == "booked")],
            "feed": request.build_absolute_uri(
                reverse("activities:person_ics", args=[services.feed_token(user)])
            ),
        },
    )


@login_required
def day_sheet_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's printable list of the day, with a check-in button per resident."""
    service = get_service_for(request.user, pk)
    if not request.user.has_perm("activities.manage_service", service):
        raise PermissionDenied
    today = timezone.localdate()
    # Without a date: today if the service runs today, else its next day (a Wednesday
    # service's sheet opened on a Saturday shows next Wednesday, not an empty day).
    day = _day(request.GET.get("date"), services.next_run_day(service, today) or today)
    sheet = [
        (
            slot,
            [
                {
                    "booking": b,
                    "name": b.person.real_name,
                    "mobile": mask_mobile(b.person.mobile),
                    "on_behalf": b.booked_by_id != b.person_id,
                }
                for b in bookings
            ],
        )
        for slot, bookings in services.day_sheet(service, day)
    ]
    return render(
        request,
        "activities/day_sheet.html",
        {
            "service": service,
            "day": day,
            "sheet": sheet,
            "is_today": day == today,
            "previous": services.previous_run_day(service, day) or day,
            "next": services.next_run_day(service, day + datetime.timedelta(days=1)) or day,
        },
    )


@login_required
@require_POST
def slot_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = get_slot_booking_for(User.of(request), pk)
    perform_on_page(request, SLOT_ACTIONS, booking, action)
    if request.POST.get("back") == "sheet":
        day = timezone.localtime(booking.starts_at).date().isoformat()
        return redirect(reverse("activities:day_sheet", args=[booking.service_id]) + f"?date={day}")
    return redirect("activities:my_services")


# ------------------------------------------------------------------ setting venues and services up


def _venue_input(data: dict[str, Any]) -> services.VenueInput:
    return services.VenueInput(
        name=data["name"],
        capacity=data["capacity"],
        address=data.get("address") or "",
        compound=data.get("compound"),
        description=data.get("description") or "",
        facilities=data.get("facilities") or "",
        bookers=data["bookers"],
        needs_approval=bool(data.get("needs_approval")),
        is_active=bool(data.get("is_active")),
        hours=data["hours"],
        closed=data.get("closed") or [],
        photos=data.get("photos") or [],
        remove_photos=[int(pk) for pk in data.get("remove_photos") or []],
    )


@login_required
def venue_create_view(request: HttpRequest, community_pk: int) -> HttpResponse:
    """A unit's administrator, or the community's staff, shares a room of the unit."""
    user = User.of(request)
    community = get_region_for(user, community_pk, "activities.add_venue")
    if not community.is_community:
        raise Http404
    form = forms.VenueForm(
        request.POST or None,
        request.FILES or None,
        community=community,
        owners=services.managed_units(user, community),
        initial={"bookers": Venue.Bookers.UNITS, "needs_approval": True, "is_active": True},
    )

    def perform() -> HttpResponse | None:
        try:
            venue = services.create_venue(
                user, form.cleaned_data["owner"], community, _venue_input(form.cleaned_data)
            )
        except DomainError as exc:
            show_on_form(form, exc)
            return None
        messages.success(request, _("The venue is set up; it can be booked now."))
        return redirect("activities:venue", pk=venue.pk)

    if request.method == "POST" and form.is_valid():
        done = submit_once(request, form, perform)
        if done is not None:
            return done
    return render(
        request, "activities/venue_form.html", {"form": form, "community": community, "venue": None}
    )


@login_required
def venue_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    venue = get_venue_for(user, pk, "activities.edit_venue")
    photos = list(venue.photos.all())
    form = forms.VenueForm(
        request.POST or None,
        request.FILES or None,
        community=venue.community,
        photos=photos,
        initial=forms.VenueForm.initial_of(venue),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_venue(user, venue, _venue_input(form.cleaned_data))
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The venue is saved."))
            return redirect("activities:venue", pk=venue.pk)
    return render(
        request,
        "activities/venue_form.html",
        {"form": form, "community": venue.community, "venue": venue, "photos": photos},
    )


def _service_input(data: dict[str, Any]) -> services.ServiceInput:
    return services.ServiceInput(
        title=data["title"],
        weekday=data["weekday"],
        starts=data["starts"],
        ends=data["ends"],
        slot_minutes=data["slot_minutes"],
        seats=data["seats"],
        nth=data.get("nth"),
        description=data.get("description") or "",
        venue=data.get("venue"),
        place=data.get("place") or "",
        per_person=data["per_person"],
        starts_on=data.get("starts_on"),
        ends_on=data.get("ends_on"),
        days_off=data.get("days_off") or [],
    )


@login_required
def service_create_view(request: HttpRequest, community_pk: int) -> HttpResponse:
    user = User.of(request)
    community = get_region_for(user, community_pk, "activities.add_service")
    if not community.is_community:
        raise Http404
    form = forms.ServiceForm(
        request.POST or None,
        community=community,
        providers=services.managed_units(user, community),
        initial={"per_person": 1, "is_active": True, "slot_minutes": 20, "seats": 1},
    )

    def perform() -> HttpResponse | None:
        try:
            service = services.create_service(
                user,
                form.cleaned_data["provider"],
                community,
                _service_input(form.cleaned_data),
            )
        except DomainError as exc:
            show_on_form(form, exc)
            return None
        messages.success(request, _("The service is set up; residents can book its slots."))
        return redirect("activities:service", pk=service.pk)

    if request.method == "POST" and form.is_valid():
        done = submit_once(request, form, perform)
        if done is not None:
            return done
    return render(
        request,
        "activities/service_form.html",
        {"form": form, "community": community, "service": None},
    )


@login_required
def service_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    service = get_service_for(user, pk, "activities.edit_service")
    form = forms.ServiceForm(
        request.POST or None,
        community=service.community,
        initial=forms.ServiceForm.initial_of(service),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_service(
                user,
                service,
                _service_input(form.cleaned_data),
                is_active=bool(form.cleaned_data.get("is_active")),
            )
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("The service is saved."))
            return redirect("activities:service", pk=service.pk)
    return render(
        request,
        "activities/service_form.html",
        {"form": form, "community": service.community, "service": service},
    )


@login_required
def helpers_view(request: HttpRequest, community_pk: int) -> HttpResponse:
    """Staff record the family members who may book services for elderly residents."""
    user = User.of(request)
    community = get_region_for(user, community_pk, "activities.manage_helpers")
    if not community.is_community:
        raise Http404
    if request.method == "POST":
        try:
            if request.POST.get("remove"):
                found = Helper.objects.filter(
                    pk=parse_int(request.POST.get("remove")) or 0, resident__community=community
                ).first()
                if found is None:
                    raise DomainError("helper.unknown", _("There is no such helper."))
                services.remove_helper(user, found)
                messages.info(request, _("The helper is removed."))
            else:
                resident = User.objects.filter(
                    mobile=normalize_mobile(request.POST.get("resident", "")),
                    community=community,
                    is_active=True,
                ).first()
                helper = User.objects.filter(
                    mobile=normalize_mobile(request.POST.get("helper", "")), is_active=True
                ).first()
                if resident is None:
                    raise DomainError(
                        "helper.no_resident", _("No resident of this community has that number.")
                    )
                if helper is None:
                    raise DomainError(
                        "helper.no_helper",
                        _("Nobody with the helper's number uses the platform yet."),
                    )
                services.record_helper(
                    user, resident, helper, request.POST.get("relation", "")[:30]
                )
                messages.success(
                    request, _("Recorded: the helper may now book services for the resident.")
                )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("activities:helpers", community_pk=community.pk)
    helpers = (
        Helper.objects.filter(resident__community=community)
        .select_related("resident", "helper")
        .order_by("resident__real_name", "id")[:500]
    )
    return render(request, "activities/helpers.html", {"community": community, "helpers": helpers})
