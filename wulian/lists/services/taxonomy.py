"""The editable taxonomy of categories."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.lists.models import (
    Category,
)

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


def add_category(actor: User, name: str, parent: Category | None = None) -> Category:
    _check_taxonomy_staff(actor)
    name = name.strip()
    if not name or len(name) > 50:
        raise DomainError("category.bad_name", _("A category name has 1 to 50 characters."))
    if parent is not None and parent.parent_id is not None:
        raise DomainError("category.too_deep", _("Sub-categories cannot have sub-categories."))
    if Category.objects.filter(parent=parent, name=name).exists():
        raise Conflict("category.exists", _("“%(name)s” already exists.") % {"name": name})
    with transaction.atomic():
        position = Category.objects.filter(parent=parent).count()
        category = Category.objects.create(name=name, parent=parent, position=position)
        audit.record(actor, "lists.category_added", category, after={"name": name})
    return category


def rename_category(actor: User, category: Category, name: str) -> Category:
    _check_taxonomy_staff(actor)
    name = name.strip()
    if not name or len(name) > 50:
        raise DomainError("category.bad_name", _("A category name has 1 to 50 characters."))
    if Category.objects.filter(parent=category.parent, name=name).exclude(pk=category.pk).exists():
        raise Conflict("category.exists", _("“%(name)s” already exists.") % {"name": name})
    with transaction.atomic():
        before = {"name": category.name}
        category.name = name
        category.save(update_fields=["name"])
        audit.record(actor, "lists.category_renamed", category, before=before, after={"name": name})
    return category


def set_category_active(actor: User, category: Category, active: bool) -> Category:
    """Switched-off categories stay on existing needs but are no longer offered."""
    _check_taxonomy_staff(actor)
    with transaction.atomic():
        before = {"is_active": category.is_active}
        category.is_active = active
        category.save(update_fields=["is_active"])
        if not active:
            category.children.update(is_active=False)
        audit.record(
            actor, "lists.category_toggled", category, before=before, after={"is_active": active}
        )
    return category
