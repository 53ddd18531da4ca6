"""The volunteer-hours ledger (志愿服务记录), certificates (志愿服务证明) and badges.

Following the Ministry of Civil Affairs' 志愿服务记录与证明出具办法 (2021): whoever organises a
service records it and answers for it; a record holds the volunteer, the organising body, the
service (what, where, date, start and end), the hours actually served (travel excluded) and who
confirmed it.

- A `VolunteerRecord` is append-only. Its `source` says where it came from: an activity's
  check-in and check-out (system-verified), work reported on a co-built project, or a manual
  entry by an organiser, which waits for a second person of the organising body to confirm it.
  A correction is a new entry (`kind` reversal or adjustment) pointing at the record it corrects,
  with the same source, so a total per source is always the plain sum of the entries.
- A `CorrectionRequest` is a volunteer's request to correct one record, answered by the
  organiser: corrected (the answer writes the adjusting entry) or declined with a reason.
- A `Certificate` is issued for a person and a period, numbered, and verifiable by the token
  its QR code carries.
- A `Badge` is a rule held as data (first service, an hour milestone, leading N services in a
  year, or honorary); an `Award` gives it to a person once per period key.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.core.errors import Conflict


def new_token() -> str:
    return secrets.token_urlsafe(18)


class RecordQuerySet(models.QuerySet["VolunteerRecord"]):
    def delete(self) -> Any:
        raise Conflict("record.append_only", _("Volunteer records are never deleted."))

    def update(self, **kwargs: Any) -> int:
        raise Conflict("record.append_only", _("Volunteer records are never rewritten."))

    def counted(self) -> RecordQuerySet:
        """The entries that count towards hours: confirmed ones (corrections included)."""
        return self.filter(state=VolunteerRecord.State.CONFIRMED)


class VolunteerRecord(models.Model):
    class Source(models.TextChoices):
        ACTIVITY = "activity", _("Activity check-in (system-verified)")
        PROJECT = "project", _("Co-built project work")
        MANUAL = "manual", _("Entered by an organiser")

    class Kind(models.TextChoices):
        ENTRY = "entry", pgettext_lazy("record kind", "Entry")
        REVERSAL = "reversal", pgettext_lazy("record kind", "Reversal")
        ADJUSTMENT = "adjustment", pgettext_lazy("record kind", "Adjustment")

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("record state", "Awaiting confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("record state", "Confirmed")
        DECLINED = "declined", pgettext_lazy("record state", "Not confirmed")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="volunteer_records",
    )
    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organising body"),
        on_delete=models.PROTECT,
        related_name="volunteer_records",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ENTRY)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CONFIRMED, db_index=True
    )
    service = models.CharField(_("service"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    date = models.DateField(_("date"), db_index=True)
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "lists.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: who led the service (the activity's organiser, the reporting organiser): 好连长 counts it
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("led by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    #: one record per source object (an activity's sign-up, a project report's line)
    source_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer record")
        verbose_name_plural = _("volunteer records")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["community", "date"]),
            models.Index(fields=["person", "date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gte=models.F("started_at")), name="record_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind="entry", hours__gt=0, corrects__isnull=True)
                | (~Q(kind="entry") & Q(corrects__isnull=False)),
                name="record_entry_or_correction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.service} {self.hours}h"

    @property
    def is_verified(self) -> bool:
        return self.source == self.Source.ACTIVITY

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise Conflict("record.append_only", _("Volunteer records are never deleted."))


class CorrectionRequest(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("correction state", "Awaiting the organiser")
        CORRECTED = "corrected", pgettext_lazy("correction state", "Corrected")
        DECLINED = "declined", pgettext_lazy("correction state", "Declined")

    record = models.ForeignKey(
        VolunteerRecord, on_delete=models.PROTECT, related_name="correction_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    hours = models.DecimalField(
        _("hours it should be"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    entry = models.ForeignKey(
        VolunteerRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=Q(state="open"), name="correction_one_open_per_record"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.get_state_display()}"

    @property
    def community(self) -> Any:
        return self.record.community


class Certificate(models.Model):
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer_certificates"
    )
    community = models.ForeignKey("places.Region", on_delete=models.PROTECT, related_name="+")
    issuer = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField(_("period"), max_length=10)
    starts_on = models.DateField()
    ends_on = models.DateField()
    hours = models.DecimalField(max_digits=8, decimal_places=2)
    verified_hours = models.DecimalField(max_digits=8, decimal_places=2)
    #: what the certificate states, frozen when issued: [{service, organisation, date, hours}]
    lines = models.JSONField(default=list)
    digest = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("volunteer service certificate")
        verbose_name_plural = _("volunteer service certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period", "digest"], name="certificate_once_per_content"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Badge(models.Model):
    class Rule(models.TextChoices):
        FIRST_SERVICE = "first_service", _("First confirmed service")
        HOURS = "hours", _("Confirmed hours reach the threshold")
        LEADER = "leader", _("Leads at least the threshold of services in a year")
        HONORARY = "honorary", _("Honorary, awarded by staff")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=1, default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        ordering = ["rule", "threshold", "code"]

    def __str__(self) -> str:
        return self.name


class Award(models.Model):
    badge = models.ForeignKey(Badge, on_delete=models.PROTECT, related_name="awards")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="badge_awards"
    )
    #: "" for once in a lifetime, the year for a yearly badge, a token for an honorary one
    period = models.CharField(max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("badge award")
        verbose_name_plural = _("badge awards")
        ordering = ["-awarded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge", "person", "period"], name="award_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.badge} · {self.person}"


class RollOptOut(models.Model):
    """A person who keeps their name off the public honour roll (staff still see it)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roll_opt_out"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("honour roll opt-out")
        verbose_name_plural = _("honour roll opt-outs")

    def __str__(self) -> str:
        return str(self.person)


ZERO = Decimal("0")
