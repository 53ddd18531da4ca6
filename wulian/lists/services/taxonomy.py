"""The editable taxonomy of categories."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core import versions
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.lists.models import (
    Category,
)
from wulian.places.models import Region
from wulian.places.rules import covers

audit.register_actions(
    {
        "lists.category_added": gettext_lazy("added a category"),
        "lists.category_renamed": gettext_lazy("renamed a category"),
        "lists.category_toggled": gettext_lazy("switched a category on or off"),
    }
)


def _check_taxonomy_staff(actor: User) -> None:
    if not actor.has_perm("lists.manage_categories"):
        raise NotAllowed("category.not_staff", _("Only staff can edit the categories."))


def _check_may_edit(actor: User, category: Category) -> None:
    _check_taxonomy_staff(actor)
    if not actor.has_perm("lists.edit_category", category):
        raise NotAllowed(
            "category.shared",
            _(
                "This category is shared by every community: only district staff can rename "
                "it or switch it off."
            ),
        )


def add_category(
    actor: User,
    name: str,
    parent: Category | None = None,
    community: Region | None = None,
) -> Category:
    """A shared category (district staff), or a community's own sub-category (its staff)."""
    _check_taxonomy_staff(actor)
    if community is None and not actor.has_perm("lists.manage_shared_categories"):
        raise NotAllowed(
            "category.shared",
            _("Only district staff can add to the categories every community shares."),
        )
    if community is not None:
        if not covers(actor, community) or not community.is_community:
            raise NotAllowed(
                "category.not_staff", _("Only the community's staff can add its categories.")
            )
        if parent is None:
            raise DomainError(
                "category.own_top",
                _("A community adds sub-categories under a shared category."),
            )
        if parent.community_id is not None:
            raise DomainError("category.too_deep", _("Sub-categories cannot have sub-categories."))
    name = name.strip()
    if not name or len(name) > 50:
        raise DomainError("category.bad_name", _("A category name has 1 to 50 characters."))
    if parent is not None and parent.parent_id is not None:
        raise DomainError("category.too_deep", _("Sub-categories cannot have sub-categories."))
    same = Category.objects.filter(parent=parent, name=name)
    if same.filter(Q(community=None) | Q(community=community)).exists():
        raise Conflict("category.exists", _("“%(name)s” already exists.") % {"name": name})
    with transaction.atomic():
        position = Category.objects.filter(parent=parent).count()
        category = Category.objects.create(
            name=name, parent=parent, position=position, community=community
        )
        audit.record(
            actor,
            "lists.category_added",
            category,
            after={"name": name, "community": community.pk if community else None},
        )
    return category


def rename_category(actor: User, category: Category, name: str) -> Category:
    _check_may_edit(actor, category)
    name = name.strip()
    if not name or len(name) > 50:
        raise DomainError("category.bad_name", _("A category name has 1 to 50 characters."))
    same = Category.objects.filter(parent=category.parent, name=name).exclude(pk=category.pk)
    if same.filter(Q(community=None) | Q(community=category.community_id)).exists():
        raise Conflict("category.exists", _("“%(name)s” already exists.") % {"name": name})
    with transaction.atomic():
        before = {"name": category.name}
        category.name = name
        category.save(update_fields=["name"])
        audit.record(actor, "lists.category_renamed", category, before=before, after={"name": name})
    return category


def set_category_active(actor: User, category: Category, active: bool) -> Category:
    """Switched-off categories stay on existing needs but are no longer offered."""
    _check_may_edit(actor, category)
    with transaction.atomic():
        before = {"is_active": category.is_active}
        category.is_active = active
        category.save(update_fields=["is_active"])
        if not active:
            category.children.update(is_active=False)
            versions.bump("categories")
        audit.record(
            actor, "lists.category_toggled", category, before=before, after={"is_active": active}
        )
    return category
