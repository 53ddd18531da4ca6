"""Rollups: what the worker computed from the apps' indicators, the only thing pages read.

`DailyFigure` holds each indicator's facts per community and day, with the compound, the unit
and the breakdown they concern. `MonthlyFigure` sums them per month at three grains: per
region (every community and every region above it, all compounds and units together), per
compound and per unit (in their community). Unit and compound ids are plain integers (0 for
"not applicable"), so a rollup survives the rows it counted and unique keys need no NULLs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyFigure(models.Model):
    indicator = models.CharField(max_length=60)
    community = models.ForeignKey("places.Region", on_delete=models.CASCADE, related_name="+")
    compound_id = models.PositiveIntegerField(default=0)
    unit_id = models.PositiveIntegerField(default=0)
    breakdown = models.CharField(max_length=60, blank=True, default="")
    day = models.DateField()
    value = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["community", "day"], name="daily_community_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "community", "compound_id", "unit_id", "breakdown", "day"],
                name="daily_figure_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.community_id} {self.day}: {self.value}"


class MonthlyFigure(models.Model):
    class Grain(models.TextChoices):
        REGION = "region", _("Region")
        COMPOUND = "compound", _("Compound")
        UNIT = "unit", _("Unit")

    indicator = models.CharField(max_length=60)
    region = models.ForeignKey("places.Region", on_delete=models.CASCADE, related_name="+")
    grain = models.CharField(max_length=10, choices=Grain.choices)
    compound_id = models.PositiveIntegerField(default=0)
    unit_id = models.PositiveIntegerField(default=0)
    breakdown = models.CharField(max_length=60, blank=True, default="")
    month = models.DateField()
    value = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["region", "grain", "month"], name="monthly_region_month"),
            models.Index(fields=["unit_id", "grain", "month"], name="monthly_unit_month"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "region",
                    "grain",
                    "compound_id",
                    "unit_id",
                    "breakdown",
                    "month",
                ],
                name="monthly_figure_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_id} {self.month:%Y-%m}: {self.value}"


class RollupState(models.Model):
    """One row: how far the worker has read the audit log, its last daily round, and how many
    times the rollups were written (what a page's cached figures are keyed by)."""

    audit_mark = models.BigIntegerField(default=0)
    daily_on = models.DateField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"audit #{self.audit_mark}, {self.daily_on}"


class ReportSubscription(models.Model):
    """Staff chose this person to receive a region's monthly report by e-mail."""

    region = models.ForeignKey(
        "places.Region",
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
    )
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Empty: the address in the person's notification settings."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("monthly report recipient")
        verbose_name_plural = _("monthly report recipients")
        constraints = [
            models.UniqueConstraint(fields=["region", "recipient"], name="report_subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} ← {self.region}"


class ReportDelivery(models.Model):
    """A month's report sent (or withheld) to one recipient: each month once."""

    subscription = models.ForeignKey(
        ReportSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    month = models.DateField()
    sent = models.BooleanField(default=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "month"], name="report_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.month:%Y-%m}"


class MonthlyReport(models.Model):
    """A region's month as the worker wrote it on the 1st (or on demand): every figure by key."""

    region = models.ForeignKey("places.Region", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    data = models.JSONField()
    generated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="monthly_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"
