"""Joint party-member training (党员联训) and dual registration (双报到).

- A `PartyMembership` says which party organisation a person belongs to (their home
  organisation) and as what: member, branch secretary or committee member. It is personal
  data: seen by the person, their organisation's secretary and the community's staff only.
- A `StudyNorm` is an organisation's yearly study-hour norm (中国共产党党员教育管理工作条例:
  at least 32 hours for members, 56 for secretaries and committee members).
- A `Session` is organised by one or several party organisations; the party members of each
  may attend. Its `hours_rule` says how many study hours an attendance earns.
- An `Attendance` is one member at one session (a database constraint: once), credited to the
  member's home organisation at the time, with the hours and the rule stored with it. An
  online class is first `opened` from its link and counts once confirmed after the minimum
  time (or by an organiser).
- A `DualRegistration` is a party member registering at the community where they live or
  work (双报到), with the `ServicePost`s they take on there.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

#: the regulation's yearly minimum (第二十条): members, and secretaries and committee members
MEMBER_MINIMUM = 32
LEADER_MINIMUM = 56


def new_token() -> str:
    return secrets.token_urlsafe(16)


class PartyMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", pgettext_lazy("party role", "Party member")
        SECRETARY = "secretary", pgettext_lazy("party role", "Branch secretary")
        COMMITTEE = "committee", pgettext_lazy("party role", "Committee member")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="party_memberships",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        related_name="party_memberships",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")
        ordering = ["organization", "role", "id"]
        constraints = [
            # One home organisation at a time: a transfer ends the old membership first.
            models.UniqueConstraint(
                fields=["person"], condition=Q(is_active=True), name="party_one_home"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.organization}"

    @property
    def is_leader(self) -> bool:
        return self.role in (self.Role.SECRETARY, self.Role.COMMITTEE)


class StudyNorm(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="study_norms"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    member_hours = models.PositiveSmallIntegerField(_("hours for members"), default=MEMBER_MINIMUM)
    leader_hours = models.PositiveSmallIntegerField(
        _("hours for secretaries and committee members"), default=LEADER_MINIMUM
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("study-hour norm")
        verbose_name_plural = _("study-hour norms")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="study_norm_once"),
            models.CheckConstraint(
                condition=Q(member_hours__gte=MEMBER_MINIMUM, leader_hours__gte=LEADER_MINIMUM),
                name="study_norm_minimum",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class Session(models.Model):
    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Lecture")
        VISIT = "visit", pgettext_lazy("training kind", "Visit")
        THEMED_DAY = "themed_day", _("Themed party day")
        ONLINE = "online", _("Online class")
        SELF_STUDY = "self_study", _("Self-study")

    class HoursRule(models.TextChoices):
        HALF_DAY = "half_day", _("Half a day: 4 hours")
        FULL_DAY = "full_day", _("A full day: 8 hours")
        ACTUAL = "actual", _("The actual time")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("training state", "Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("training state", "Cancelled")

    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    organisers = models.ManyToManyField(
        "orgs.Organization", verbose_name=_("organising party organisations"), related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    topics = models.TextField(_("topics"), blank=True)
    hours_rule = models.CharField(
        _("study hours"), max_length=10, choices=HoursRule.choices, default=HoursRule.ACTUAL
    )
    min_minutes = models.PositiveSmallIntegerField(
        _("minimum minutes online"),
        default=45,
        help_text=_("An online class counts once the link has been open this long."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.SCHEDULED, db_index=True
    )
    token = models.CharField(max_length=32, default=new_token, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    if TYPE_CHECKING:
        attendances: RelatedManager[Attendance]

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(min_minutes__gte=1), name="training_min_minutes"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:session", args=[self.pk])

    @property
    def is_online(self) -> bool:
        return self.kind == self.Kind.ONLINE

    @property
    def where(self) -> str:
        return self.place or self.online_url

    @property
    def topic_list(self) -> list[str]:
        text = self.topics.replace("，", ",").replace("、", ",").replace("\n", ",")
        return [t.strip() for t in text.split(",") if t.strip()]


class Attendance(models.Model):
    class Method(models.TextChoices):
        CHECK_IN = "check_in", pgettext_lazy("attendance method", "Checked in")
        ONLINE = "online", pgettext_lazy("attendance method", "Online, from the link")
        CONFIRMED = "confirmed", pgettext_lazy("attendance method", "Confirmed by the organiser")

    class State(models.TextChoices):
        OPENED = "opened", pgettext_lazy("attendance state", "Link opened")
        PRESENT = "present", pgettext_lazy("attendance state", "Attended")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_attendances"
    )
    #: the member's home organisation when they attended: the hours are credited to it
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("credited to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    nonce = models.CharField(max_length=64, blank=True)
    opened_at = models.DateTimeField(_("link opened"), null=True, blank=True)
    attended_at = models.DateTimeField(_("attended"), null=True, blank=True)
    #: the session's rule when the hours were counted, and the hours it gave
    rule = models.CharField(_("rule"), max_length=10, choices=Session.HoursRule.choices)
    hours = models.DecimalField(
        _("study hours"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["session", "id"]
        indexes = [models.Index(fields=["organization", "year"], name="training_credited_year")]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_attend_once"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.session}"


class ServicePost(models.Model):
    """A service post a community offers registered party members (楼栋长, 文明劝导, …)."""

    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="service_post_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class DualRegistration(models.Model):
    class Basis(models.TextChoices):
        RESIDENCE = "residence", _("Where I live")
        WORK = "work", _("Where I work")

    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("registration state", "Registered")
        ENDED = "ended", pgettext_lazy("registration state", "Ended")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dual_registrations"
    )
    membership = models.ForeignKey(
        PartyMembership, on_delete=models.PROTECT, related_name="registrations"
    )
    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(_("registered where I"), max_length=10, choices=Basis.choices)
    posts = models.ManyToManyField(
        ServicePost, verbose_name=_("service posts"), related_name="registrations", blank=True
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    registered_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dual registration")
        verbose_name_plural = _("dual registrations")
        ordering = ["-registered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "community"],
                condition=Q(state="active"),
                name="dual_registration_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.community}"
