"""Places: the region tree (city > district > subdistrict > community) and compounds."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Region(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        SUBDISTRICT = "subdistrict", _("Subdistrict")
        COMMUNITY = "community", _("Community")

    PARENT_LEVEL = {
        Level.CITY: None,
        Level.DISTRICT: Level.CITY,
        Level.SUBDISTRICT: Level.DISTRICT,
        Level.COMMUNITY: Level.SUBDISTRICT,
    }

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ancestor ids and own id, e.g. "/1/2/3/4/": ancestors in one lookup.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    population = models.PositiveIntegerField(_("resident population"), null=True, blank=True)
    party_members = models.PositiveIntegerField(_("party members"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    if TYPE_CHECKING:
        children: RelatedManager[Region]
        compounds: RelatedManager[Compound]

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, level="city")
                | models.Q(parent__isnull=False),
                name="region_only_cities_are_roots",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if path != self.path:
            self.path = path
            Region.objects.filter(pk=self.pk).update(path=path)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this region."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self) -> list[Region]:
        by_id = {r.pk: r for r in Region.objects.filter(pk__in=self.ancestor_ids)}
        return [by_id[pk] for pk in self.ancestor_ids if pk in by_id]

    def descendants(self, include_self: bool = True) -> models.QuerySet[Region]:
        qs = Region.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_within(self, other: Region) -> bool:
        return other.pk in self.ancestor_ids

    @property
    def is_community(self) -> bool:
        return self.level == Region.Level.COMMUNITY


class Compound(models.Model):
    """A residential compound (小区) of a community."""

    community = models.ForeignKey(
        Region,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="compounds",
        limit_choices_to={"level": Region.Level.COMMUNITY},
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(
        _("short name"),
        max_length=50,
        blank=True,
        help_text=_("The name people usually write, such as 42号小区."),
    )
    aliases = models.CharField(
        _("other names"),
        max_length=300,
        blank=True,
        help_text=_("Other names staff write in their lists, separated by 、 or commas."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    buildings = models.PositiveIntegerField(_("buildings"), null=True, blank=True)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        ordering = ["community", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return split_aliases(self.aliases)

    @property
    def known_names(self) -> list[str]:
        """Every name this compound is written as: full name, short name and aliases."""
        return [name for name in [self.name, self.short_name, *self.alias_list] if name]


def split_aliases(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for part in re.split(r"[、,，;；\n]+", text or ""):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return list(seen)


class StaffAssignment(models.Model):
    """A person works for a region; an assignment to a subdistrict or district covers all below."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        SECRETARY = "secretary", _("Party secretary")
        DIRECTOR = "director", _("Director")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="staff_assignments",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    title = models.CharField(pgettext_lazy("job", "title"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="staff_unique_user_region"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.region}"


_Row = TypeVar("_Row", bound="InCommunity")


class InCommunityQuerySet(models.QuerySet[_Row]):
    def bulk_create(self, objs: Iterable[_Row], *args: Any, **kwargs: Any) -> list[_Row]:
        rows = list(objs)
        for row in rows:
            row.fill_community()
        return super().bulk_create(rows, *args, **kwargs)


class InCommunity(models.Model):
    """A row reached through a parent that lies in one community (a claim through its need, a
    sign-up through its activity), keyed by that community itself, so that a city's data can
    be distributed by community (docs/deployment.md, "Past one primary"). The key is filled
    from the parent whenever the row is saved or bulk-created; it never changes after."""

    #: the field naming the parent that lies in the community ("need", "whistle")
    community_parent: ClassVar[str]

    community = models.ForeignKey(
        Region,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = InCommunityQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_community()
        super().save(*args, **kwargs)

    def fill_community(self) -> None:
        if self.community_id is None:
            self.community_id = getattr(self, self.community_parent).community_id
