"""Organisations of a community, their members, and co-building partnerships (组织联动)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.core.text import fold

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community party committee / residents' committee")
        SCHOOL = "school", _("School")
        ENTERPRISE = "enterprise", _("Enterprise")
        AGENCY = "agency", _("Government agency")
        SOCIAL_ORGANIZATION = "social_organization", _("Social organisation")
        VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")

    name = models.CharField(_("name"), max_length=150)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    region = models.ForeignKey(
        "places.Region",
        verbose_name=_("home community or region"),
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=11, blank=True)
    has_party_organization = models.BooleanField(_("has a party organisation"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    if TYPE_CHECKING:
        memberships: RelatedManager[Membership]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="organization_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = fold(" ".join([self.name, self.short_name, self.description]))
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        MEMBER = "member", _("Member")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    title = models.CharField(pgettext_lazy("job", "title"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "-role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization}"


class Partnership(models.Model):
    """组织联动: a co-building agreement between the community and a unit."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Ended")

    community = models.ForeignKey(
        "places.Region",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    host = models.ForeignKey(
        Organization,
        verbose_name=_("community party organisation"),
        on_delete=models.PROTECT,
        related_name="hosted_partnerships",
    )
    partner = models.ForeignKey(
        Organization,
        verbose_name=_("partner unit"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    content = models.TextField(_("content of the co-building"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["-started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["host", "partner"],
                condition=models.Q(status__in=["proposed", "active", "suspended"]),
                name="partnership_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(host=models.F("partner")), name="partnership_two_parties"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host} ⇄ {self.partner}"
