"""Whistle and report (社区吹哨、单位报到).

Community staff blow a `Whistle`: one `WhistleCall` per unit called. Each call moves
called → signed (签收) → arrived (报到) → handled, or declined (with a reason) and then
rerouted by staff to another unit; staff confirm the whistle's closure or send a handled call
back; the resident who raised it rates the result. Every call carries its own report-by and
resolve-by deadlines; the deadline sweep reminds, marks overdue and escalates, each once.

Default deadlines (hours to report, hours to resolve), changed per community with
`DeadlinePolicy`: emergency 2 h / 24 h, joint action 24 h / 7 days, everyday 24 h / 3 days.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.core.models import StoredFile
from wulian.places.models import InCommunity

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class WhistleType(models.TextChoices):
    EVERYDAY = "everyday", _("Everyday case")
    JOINT = "joint", _("Joint action")
    EMERGENCY = "emergency", _("Emergency")


# (hours to report, hours to resolve) when a community has set nothing else.
DEFAULT_DEADLINES: dict[str, tuple[int, int]] = {
    WhistleType.EMERGENCY: (2, 24),
    WhistleType.JOINT: (24, 7 * 24),
    WhistleType.EVERYDAY: (24, 3 * 24),
}


class DeadlinePolicy(models.Model):
    """A community's own deadlines for one type of whistle."""

    community = models.ForeignKey(
        "places.Region", on_delete=models.CASCADE, related_name="whistle_policies"
    )
    type = models.CharField(_("type"), max_length=20, choices=WhistleType.choices)
    report_hours = models.PositiveIntegerField(_("hours to report"))
    resolve_hours = models.PositiveIntegerField(_("hours to resolve"))

    class Meta:
        verbose_name = _("whistle deadline")
        verbose_name_plural = _("whistle deadlines")
        constraints = [
            models.UniqueConstraint(fields=["community", "type"], name="deadline_once_per_type"),
            models.CheckConstraint(
                condition=Q(report_hours__gte=1, resolve_hours__gte=models.F("report_hours")),
                name="deadline_report_before_resolve",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.type}: {self.report_hours} h / {self.resolve_hours} h"


class Whistle(models.Model):
    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("whistle state", "Open")
        CLOSED = "closed", pgettext_lazy("whistle state", "Closed")

    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(_("type"), max_length=20, choices=WhistleType.choices)
    title = models.CharField(_("what"), max_length=120)
    text = models.TextField(_("details"), blank=True)
    compound = models.ForeignKey(
        "places.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place = models.CharField(_("where"), max_length=200, blank=True)
    report_by = models.DateTimeField(_("report by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.OPEN, db_index=True
    )
    need = models.ForeignKey(
        "lists.Need",
        verbose_name=_("from the need"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="whistles",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("blown at"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    if TYPE_CHECKING:
        calls: RelatedManager[WhistleCall]
        photos: RelatedManager[WhistlePhoto]

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolve_by__gte=models.F("report_by")), name="whistle_deadlines_order"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="whistle_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WhistleCall(InCommunity):
    community_parent = "whistle"

    class State(models.TextChoices):
        CALLED = "called", _("Called")
        SIGNED = "signed", _("Signed for")
        ARRIVED = "arrived", _("Reported for duty")
        HANDLED = "handled", _("Handled")
        DECLINED = "declined", _("Declined")
        REROUTED = "rerouted", _("Rerouted")

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="calls")
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="whistle_calls",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.CALLED, db_index=True
    )
    report_by = models.DateTimeField(_("report by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    called_at = models.DateTimeField(_("called at"), default=timezone.now)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    rerouted_at = models.DateTimeField(null=True, blank=True)
    rerouted_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("closure confirmed at"), null=True, blank=True)
    sent_back_at = models.DateTimeField(null=True, blank=True)
    sent_back_count = models.PositiveSmallIntegerField(default=0)
    report_overdue = models.BooleanField(_("late to report"), default=False)
    resolve_overdue = models.BooleanField(_("late to resolve"), default=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    resolve_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    if TYPE_CHECKING:
        actions: RelatedManager[WhistleAction]

    class Meta:
        verbose_name = _("whistle call")
        verbose_name_plural = _("whistle calls")
        ordering = ["called_at", "id"]
        indexes = [models.Index(fields=["state", "report_by"]), models.Index(fields=["resolve_by"])]
        constraints = [
            models.UniqueConstraint(
                fields=["whistle", "organization"],
                condition=~Q(state__in=["declined", "rerouted"]),
                name="whistle_call_once_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.whistle} → {self.organization}"

    @property
    def is_live(self) -> bool:
        return self.state in {self.State.CALLED, self.State.SIGNED, self.State.ARRIVED}

    @property
    def arrived_on_time(self) -> bool:
        return self.arrived_at is not None and self.arrived_at <= self.report_by


class WhistleAction(models.Model):
    """What a unit did, posted with photos."""

    call = models.ForeignKey(WhistleCall, on_delete=models.CASCADE, related_name="actions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("what was done"))
    created_at = models.DateTimeField(default=timezone.now)

    if TYPE_CHECKING:
        photos: RelatedManager[WhistlePhoto]

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class WhistlePhoto(StoredFile):
    """A checked, cleaned photo of a whistle or of an action."""

    view_perm = "whistle.view_photo"

    file = models.FileField(upload_to="whistles/%Y/%m/")
    whistle = models.ForeignKey(
        Whistle, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    action = models.ForeignKey(
        WhistleAction, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=Q(whistle__isnull=False, action__isnull=True)
                | Q(whistle__isnull=True, action__isnull=False),
                name="whistle_photo_has_one_owner",
            ),
        ]
