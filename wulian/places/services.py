"""Places: building the region tree, compounds, statistics and staff assignments."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.audit import services as audit
from wulian.core.errors import DomainError, NotAllowed
from wulian.places.models import Compound, Region, StaffAssignment, split_aliases

audit.register_actions(
    {
        "places.statistics_updated": gettext_lazy("updated the statistics"),
        "places.compound_added": gettext_lazy("added a compound"),
        "places.compound_names": gettext_lazy("changed the names a compound is written as"),
        "places.staff_assigned": gettext_lazy("assigned staff"),
        "places.staff_removed": gettext_lazy("removed staff"),
    }
)


def create_region(name: str, level: str, parent: Region | None = None, **fields: Any) -> Region:
    expected = Region.PARENT_LEVEL[Region.Level(level)]
    if (parent.level if parent else None) != expected:
        raise DomainError(
            "region.bad_parent", _("A region of this level must sit under the right parent.")
        )
    return Region.objects.create(name=name, level=level, parent=parent, **fields)


def add_compound(actor: Any, community: Region, name: str, **fields: Any) -> Compound:
    if not community.is_community:
        raise DomainError("compound.not_community", _("Compounds belong to a community."))
    if actor is not None and not actor.has_perm("places.change_region", community):
        raise NotAllowed("compound.not_staff", _("Only the community's staff can add compounds."))
    with transaction.atomic():
        compound = Compound.objects.create(community=community, name=name, **fields)
        audit.record(actor, "places.compound_added", compound, community=community)
    return compound


def update_statistics(
    actor: Any, community: Region, *, population: int | None, party_members: int | None
) -> Region:
    if not actor.has_perm("places.change_region", community):
        raise NotAllowed("region.not_staff", _("Only the region's staff can change its figures."))
    if population is not None and party_members is not None and party_members > population:
        raise DomainError(
            "region.bad_statistics", _("There cannot be more party members than residents.")
        )
    with transaction.atomic():
        region = Region.objects.select_for_update().get(pk=community.pk)
        before = audit.snapshot(region, ["population", "party_members"])
        region.population = population
        region.party_members = party_members
        region.save(update_fields=["population", "party_members"])
        audit.record(
            actor,
            "places.statistics_updated",
            region,
            before=before,
            after=audit.snapshot(region, ["population", "party_members"]),
            community=region if region.is_community else None,
        )
    return region


def assign_staff(
    actor: Any, user: Any, region: Region, role: str = StaffAssignment.Role.STAFF, title: str = ""
) -> StaffAssignment:
    """Make a person staff of a region. Staff above the region (or a superuser) may do it."""
    allowed = actor is None or getattr(actor, "is_superuser", False)
    if not allowed and region.parent is not None:
        allowed = actor.has_perm("places.change_region", region.parent)
    if not allowed:
        raise NotAllowed(
            "staff.not_allowed", _("Only staff of the region above can assign staff here.")
        )
    with transaction.atomic():
        assignment, created = StaffAssignment.objects.get_or_create(
            user=user, region=region, defaults={"role": role, "title": title}
        )
        if created:
            audit.record(
                actor,
                "places.staff_assigned",
                region,
                after={"user": user.pk, "role": role},
                community=region if region.is_community else None,
            )
    return assignment


def set_compound_names(actor: Any, compound: Compound, short_name: str, aliases: str) -> Compound:
    """Staff say how people write a compound: a short name (42号小区) and other names, which
    list imports recognise. A name may belong to one compound of the community only."""
    community = compound.community
    if not actor.has_perm("places.change_region", community):
        raise NotAllowed(
            "compound.not_staff", _("Only the community's staff can rename compounds.")
        )
    from wulian.core.text import fold

    short_name = short_name.strip()
    names = split_aliases(aliases)
    if len(short_name) > 50 or len("、".join(names)) > 300:
        raise DomainError("compound.names_too_long", _("Keep the names shorter."))
    taken: dict[str, str] = {}
    for other in community.compounds.exclude(pk=compound.pk):
        for name in other.known_names:
            taken[fold(name).replace(" ", "")] = other.name
    for name in [short_name, *names]:
        if name and fold(name).replace(" ", "") in taken:
            raise DomainError(
                "compound.name_taken",
                _("“%(name)s” already names %(other)s.")
                % {"name": name, "other": taken[fold(name).replace(" ", "")]},
            )
    with transaction.atomic():
        locked = Compound.objects.select_for_update().get(pk=compound.pk)
        before = {"short_name": locked.short_name, "aliases": locked.aliases}
        locked.short_name = short_name
        locked.aliases = "、".join(names)
        locked.save(update_fields=["short_name", "aliases"])
        audit.record(
            actor,
            "places.compound_names",
            locked,
            before=before,
            after={"short_name": locked.short_name, "aliases": locked.aliases},
            community=community,
        )
    return locked
