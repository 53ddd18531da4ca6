"""Shared venues (阵地联享), co-hosted activities (活动联办) and convenience services (便民服务).

- A `Venue` belongs to an organisation and is booked for time ranges (`Booking`): pending →
  approved / declined (with a reason) → cancelled. No two active (pending or approved) bookings
  of one venue overlap: on PostgreSQL an exclusion constraint over the booked range, on SQLite
  a check made in the same serialised transaction (see services.book_venue).
- An `Activity` is co-hosted by several organisations; people sign up (`SignUp`), wait when it
  is full, are offered a freed place with a time to confirm, check in by QR (each scan with a
  nonce, `Scan`), and volunteers check out.
- A `Service` is a recurring convenience service with a slot rule; residents book one seat of
  a slot (`ServiceBooking`), at most one active booking per seat.
"""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.activities.constraints import PostgresExclusion, TsTzRange
from wulian.core.models import StoredFile
from wulian.places.models import InCommunity

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (7, _("Sunday")),
]


def new_token() -> str:
    return secrets.token_urlsafe(16)


# ------------------------------------------------------------------ venues


class Venue(models.Model):
    class Bookers(models.TextChoices):
        UNITS = "units", _("The community's units and teams")
        EVERYONE = "everyone", _("Units, teams and residents")
        OWNER = "owner", _("Only the owner")

    owner = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="venues",
    )
    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    compound = models.ForeignKey(
        "places.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    facilities = models.CharField(
        _("facilities"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    bookers = models.CharField(
        _("who may book"), max_length=10, choices=Bookers.choices, default=Bookers.UNITS
    )
    needs_approval = models.BooleanField(_("bookings need the owner's approval"), default=True)
    is_active = models.BooleanField(_("open for booking"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    if TYPE_CHECKING:
        hours: RelatedManager[OpeningHours]
        closed_dates: RelatedManager[ClosedDate]
        photos: RelatedManager[VenuePhoto]
        bookings: RelatedManager[Booking]

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="venue_unique_name"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="venue_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def facility_list(self) -> list[str]:
        return [f.strip() for f in self.facilities.replace("，", ",").split(",") if f.strip()]


class OpeningHours(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "weekday"], name="venue_hours_once_a_day"),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="venue_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens}–{self.closes}"


class ClosedDate(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="closed_dates")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("closed date")
        verbose_name_plural = _("closed dates")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "date"], name="venue_closed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class VenuePhoto(StoredFile):
    view_perm = "activities.view_venue_photo"

    file = models.FileField(upload_to="venues/%Y/%m/")
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="photos")

    class Meta(StoredFile.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


ACTIVE_BOOKING = ("pending", "approved")


class Booking(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("booking state", "Awaiting approval")
        APPROVED = "approved", pgettext_lazy("booking state", "Approved")
        DECLINED = "declined", pgettext_lazy("booking state", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("booking state", "Cancelled")

    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), on_delete=models.CASCADE, related_name="bookings"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    purpose = models.CharField(_("purpose"), max_length=200)
    attendance = models.PositiveIntegerField(_("expected attendance"))
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("booking unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="venue_bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    series = models.CharField(max_length=32, blank=True, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("venue booking")
        verbose_name_plural = _("venue bookings")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["venue", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
            PostgresExclusion(
                name="booking_no_overlap",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("venue", RangeOperators.EQUAL),
                ],
                condition=Q(state__in=ACTIVE_BOOKING),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} {self.purpose}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_BOOKING


# ------------------------------------------------------------------ activities


class Audience(models.TextChoices):
    ALL = "all", _("All residents")
    COMPOUND = "compound", _("Residents of a compound")
    PARTY_MEMBERS = "party_members", _("Party members")
    NEW_EMPLOYMENT = "new_employment", _("New-employment groups (couriers, drivers)")
    CHILDREN = "children", _("Children with a guardian")
    ELDERLY = "elderly", _("Elderly residents")


class Activity(models.Model):
    class State(models.TextChoices):
        PUBLISHED = "published", pgettext_lazy("activity state", "Open")
        CANCELLED = "cancelled", pgettext_lazy("activity state", "Cancelled")

    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    hosts = models.ManyToManyField(
        "orgs.Organization", verbose_name=_("co-hosts"), related_name="activities"
    )
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("venue booking"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("places"))
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    compound = models.ForeignKey(
        "places.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signup_opens_at = models.DateTimeField(_("sign-up opens"), null=True, blank=True)
    signup_closes_at = models.DateTimeField(_("sign-up closes"), null=True, blank=True)
    cancel_by = models.DateTimeField(_("cancel by"), null=True, blank=True)
    confirm_hours = models.PositiveIntegerField(_("hours to confirm a freed place"), default=24)
    volunteers_wanted = models.PositiveIntegerField(_("volunteers wanted"), default=0)
    volunteer_tasks = models.CharField(
        _("volunteer tasks"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PUBLISHED, db_index=True
    )
    token = models.CharField(max_length=32, default=new_token, unique=True, editable=False)
    report = models.TextField(_("report"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    if TYPE_CHECKING:
        signups: RelatedManager[SignUp]
        photos: RelatedManager[ActivityPhoto]

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:activity", args=[self.pk])

    @property
    def task_list(self) -> list[str]:
        return [t.strip() for t in self.volunteer_tasks.replace("，", ",").split(",") if t.strip()]

    @property
    def where(self) -> str:
        if self.booking_id and self.booking:
            return self.booking.venue.name
        return self.place or self.online_url


HOLDING = ("confirmed", "offered")  # states that hold a place
LIVE_SIGNUP = ("confirmed", "offered", "waiting")


class SignUp(InCommunity):
    community_parent = "activity"

    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("Participant")
        VOLUNTEER = "volunteer", _("Volunteer")

    class State(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("sign-up state", "Signed up")
        WAITING = "waiting", pgettext_lazy("sign-up state", "On the waiting list")
        OFFERED = "offered", pgettext_lazy("sign-up state", "Place offered: please confirm")
        CANCELLED = "cancelled", pgettext_lazy("sign-up state", "Cancelled")
        LAPSED = "lapsed", pgettext_lazy("sign-up state", "Offer lapsed")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_signups"
    )
    role = models.CharField(_("as"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    task = models.CharField(_("task"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    confirm_by = models.DateTimeField(_("confirm by"), null=True, blank=True)
    lapsed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    no_show = models.BooleanField(_("no-show"), default=False)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                condition=Q(state__in=LIVE_SIGNUP),
                name="signup_once_per_person",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="signup_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.activity}"

    @property
    def hours(self) -> float:
        if self.checked_in_at is None or self.checked_out_at is None:
            return 0.0
        return round((self.checked_out_at - self.checked_in_at).total_seconds() / 3600, 2)


class Scan(models.Model):
    """One check-in or check-out scan; the nonce makes a repeated scan count once."""

    class Kind(models.TextChoices):
        IN = "in", _("Check-in")
        OUT = "out", _("Check-out")

    nonce = models.CharField(max_length=64, unique=True)
    signup = models.ForeignKey(SignUp, on_delete=models.CASCADE, related_name="scans")
    kind = models.CharField(max_length=3, choices=Kind.choices)
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.nonce}"


class ActivityPhoto(StoredFile):
    view_perm = "activities.view_activity_photo"

    file = models.FileField(upload_to="activities/%Y/%m/")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")

    class Meta(StoredFile.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


# ------------------------------------------------------------------ convenience services


class Service(models.Model):
    """A recurring convenience service: slots of `slot_minutes` between `starts`
    and `ends` on `weekday`, every week or only the `nth` such weekday of the month
    (1–4, or -1 for the last), each with `seats` places (chairs)."""

    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="convenience_services",
    )
    resource = models.OneToOneField(
        "lists.Resource",
        verbose_name=_("from the resource"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="convenience_service",
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    nth = models.SmallIntegerField(
        _("which week of the month"),
        null=True,
        blank=True,
        help_text=_("Empty for every week; 1 for the first, -1 for the last."),
    )
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))
    slot_minutes = models.PositiveIntegerField(_("minutes per slot"))
    seats = models.PositiveIntegerField(_("places per slot"), default=1)
    per_person = models.PositiveIntegerField(_("active bookings per person"), default=1)
    starts_on = models.DateField(_("first day"), null=True, blank=True)
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    if TYPE_CHECKING:
        exceptions: RelatedManager[ServiceException]
        bookings: RelatedManager[ServiceBooking]

    class Meta:
        verbose_name = _("convenience service")
        verbose_name_plural = _("convenience services")
        ordering = ["community", "weekday", "starts", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="service_order"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, seats__gte=1, per_person__gte=1),
                name="service_slot_sizes",
            ),
            models.CheckConstraint(
                condition=Q(nth__isnull=True) | Q(nth__in=[1, 2, 3, 4, -1]),
                name="service_nth_week",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def where(self) -> str:
        return self.venue.name if self.venue_id and self.venue else self.place


class ServiceException(models.Model):
    """A day the service does not run (a holiday, a cancelled day)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["service", "date"], name="service_exception_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class ServiceBooking(models.Model):
    class State(models.TextChoices):
        BOOKED = "booked", pgettext_lazy("slot booking state", "Booked")
        CANCELLED = "cancelled", pgettext_lazy("slot booking state", "Cancelled")
        ATTENDED = "attended", pgettext_lazy("slot booking state", "Checked in")
        NO_SHOW = "no_show", pgettext_lazy("slot booking state", "Did not come")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="bookings")
    starts_at = models.DateTimeField(_("slot"))
    seat = models.PositiveSmallIntegerField(_("place"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="service_bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.BOOKED, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("service booking")
        verbose_name_plural = _("service bookings")
        ordering = ["starts_at", "seat"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "starts_at", "seat"],
                condition=Q(state__in=["booked", "attended", "no_show"]),
                name="service_seat_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M} #{self.seat}"


class Helper(models.Model):
    """A family member (or carer) who may book services on behalf of an elderly resident,
    recorded by the community's staff."""

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpers"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helps"
    )
    relation = models.CharField(_("relation"), max_length=30, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("helper")
        verbose_name_plural = _("helpers")
        constraints = [
            models.UniqueConstraint(fields=["resident", "helper"], name="helper_once"),
        ]

    def __str__(self) -> str:
        return f"{self.helper} → {self.resident}"


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()
