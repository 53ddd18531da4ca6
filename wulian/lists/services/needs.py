"""Needs: raised, edited, published, rejected, withdrawn, merged, expired."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.workflow import transition
from wulian.lists.models import (
    Category,
    Need,
    PartyKind,
    Resource,
)
from wulian.lists.services.attachments import attach
from wulian.lists.services.common import (
    NEED_FIELDS,
    NEED_FLOW,
    OPEN_STATES,
    _check_compound,
    _community,
    _is_staff,
    _need_url,
    _raiser_recipients,
    _tag_and_index,
    org_party_kind,
)
from wulian.lists.services.invitations import _invite
from wulian.notifications.services import tell
from wulian.orgs.models import Organization
from wulian.orgs.rules import membership_roles
from wulian.places.models import Compound, Region


@dataclass(frozen=True)
class NeedInput:
    title: str
    description: str = ""
    category: Category | None = None
    tags: Sequence[str] = ()
    compound: Compound | None = None
    beneficiaries: int | None = None
    deadline: datetime.date | None = None
    urgency: int = Need.Urgency.NORMAL
    channel: str = Need.Channel.WEB
    slots: int = 1

    @classmethod
    def from_need(cls, need: Need) -> NeedInput:
        """The need as it stands: edits and partial updates are `replace(input, **sent)`."""
        return cls(
            title=need.title,
            description=need.description,
            category=need.category,
            tags=tuple(tag.name for tag in need.tags.all()),
            compound=need.compound,
            beneficiaries=need.beneficiaries,
            deadline=need.deadline,
            urgency=need.urgency,
            channel=need.channel,
            slots=need.slots,
        )


def _validate_need(
    data: NeedInput, community: Region, old_deadline: datetime.date | None = None
) -> None:
    if not data.title.strip():
        raise DomainError("need.no_title", _("Give the need a title."))
    if len(data.title) > 120:
        raise DomainError("need.title_too_long", _("Keep the title under 120 characters."))
    if data.slots < 1 or data.slots > 50:
        raise DomainError("need.bad_slots", _("A need has between 1 and 50 claim slots."))
    changed = data.deadline != old_deadline
    if changed and data.deadline is not None and data.deadline < timezone.localdate():
        raise DomainError("need.deadline_past", _("The deadline has already passed."))
    _check_compound(data.compound, community)


def raise_need(
    actor: User,
    community: Region,
    data: NeedInput,
    *,
    for_org: Organization | None = None,
    on_behalf_of: User | None = None,
    raiser_name: str = "",
    photos: Sequence[Any] = (),
    external_id: str = "",
    raiser_kind: str | None = None,
) -> Need:
    """Anyone signed in raises a need: for themselves, for their unit, or (staff) for someone."""
    if not actor.has_perm("lists.raise_need", community):
        raise NotAllowed("need.not_signed_in", _("Sign in to raise a need."))
    community = _community(community)
    _validate_need(data, community)
    staff = _is_staff(actor, community)
    if for_org is not None and not (for_org.pk in membership_roles(actor) or staff):
        raise NotAllowed("need.not_member", _("You can only raise needs for a unit you belong to."))
    if (on_behalf_of is not None or raiser_name) and not staff:
        raise NotAllowed(
            "need.not_staff", _("Only community staff can raise a need on someone's behalf.")
        )
    if data.channel in {Need.Channel.PHONE, Need.Channel.VISIT, Need.Channel.IMPORT} and not staff:
        raise NotAllowed("need.not_staff", _("Only community staff can record needs this way."))
    anonymous_raiser = (raiser_name and for_org is None) or data.channel == Need.Channel.IMPORT
    raised_by: User | None = on_behalf_of or (None if anonymous_raiser else actor)
    if for_org is not None:
        kind = org_party_kind(for_org)
    elif raiser_kind:
        kind = raiser_kind
    else:
        kind = PartyKind.RESIDENT
    compound = data.compound
    if (
        compound is None
        and raised_by is not None
        and kind == PartyKind.RESIDENT
        and raised_by.compound_id
        and raised_by.community_id == community.pk
    ):
        compound = raised_by.compound
    with transaction.atomic():
        need = Need.objects.create(
            community=community,
            external_id=external_id,
            title=data.title.strip(),
            description=data.description.strip(),
            category=data.category,
            compound=compound,
            beneficiaries=data.beneficiaries,
            deadline=data.deadline,
            urgency=data.urgency,
            channel=data.channel,
            slots=data.slots,
            raiser_kind=kind,
            raised_by=raised_by,
            raised_for=for_org,
            raiser_name=raiser_name or (for_org.name if for_org else ""),
            entered_by=actor if (raised_by is None or raised_by.pk != actor.pk) else None,
        )
        _tag_and_index(need, data.tags)
        need.save(update_fields=["search_text"])
        for photo in photos:
            attach(actor, photo, need=need)
        audit.record(
            actor,
            "lists.need_raised",
            need,
            after=audit.snapshot(need, NEED_FIELDS),
            community=community,
        )
    return need


def ask_for_resource(
    actor: User,
    community: Region,
    resource: Resource,
    data: NeedInput,
    *,
    for_org: Organization | None = None,
    photos: Sequence[Any] = (),
) -> Need:
    """A resident or a unit asks a resource's provider for it: a need of the asker's community,
    reviewed by staff like any other, addressed to the provider, who is told at once and is
    invited to claim it when it is published."""
    if resource.status != Resource.Status.ACTIVE:
        raise Conflict(
            "resource.not_active",
            _("“%(title)s” is not on offer at the moment.") % {"title": resource.title},
        )
    own = (resource.provider_user_id is not None and resource.provider_user_id == actor.pk) or (
        resource.provider_org_id is not None and resource.provider_org_id in membership_roles(actor)
    )
    if own:
        raise DomainError("need.own_resource", _("You offer this resource yourself."))
    if data.category is None and resource.category_id is not None:
        data = replace(data, category=resource.category)
    with transaction.atomic():
        need = raise_need(actor, community, data, for_org=for_org, photos=photos)
        need.asked_resource = resource
        need.save(update_fields=["asked_resource"])
        audit.record(
            actor,
            "lists.resource_asked",
            resource,
            after={"need": need.pk, "title": need.title},
            community=resource.community,
        )
    provider: list[Any] = [resource.provider_org or resource.provider_user]
    tell(
        [one for one in provider if one is not None],
        "resource.asked",
        gettext_lazy("Someone asks for “%(resource)s”: “%(title)s”."),
        gettext_lazy("The community reviews the request first; then you are invited to claim it."),
        url=reverse("lists:resource", args=[resource.pk]),
        obj=resource,
        resource=resource.title,
        title=need.title,
    )
    return need


def _invite_asked_provider(actor: User, need: Need) -> None:
    """On publication, the provider a need asked is invited to claim it (or, a person, told)."""
    resource = need.asked_resource
    if resource is None:
        return
    org = resource.provider_org
    if org is None:
        if resource.provider_user is not None:
            tell(
                [resource.provider_user],
                "need.asked_published",
                gettext_lazy("“%(title)s”, asked of your “%(resource)s”, is open to claim."),
                url=_need_url(need),
                obj=need,
                title=need.title,
                resource=resource.title,
            )
        return
    try:
        with transaction.atomic():
            locked = Need.objects.select_for_update().select_related("community").get(pk=need.pk)
            _invite(actor, locked, org, resource, "")
    except (DomainError, IntegrityError):
        # Inactive, already invited or already claimed: the publication stands either way.
        return


def update_need(actor: User, need: Need, data: NeedInput) -> Need:
    """The raiser edits a need before it is published; staff edit any open need."""
    staff = _is_staff(actor, need.community)
    if not staff and not (need.raised_by_id == actor.pk and need.state == Need.State.SUBMITTED):
        raise NotAllowed("need.not_editable", _("Only staff can edit a need once it is published."))
    with transaction.atomic():
        locked = (
            Need.objects.select_for_update(of=("self",))
            .select_related("community", "category__parent", "compound", "raised_by", "raised_for")
            .get(pk=need.pk)
        )
        if locked.state not in OPEN_STATES:
            raise Conflict("need.closed", _("This need can no longer be edited."))
        if data.slots < locked.claimed_slots:
            raise Conflict(
                "need.slots_below_claims",
                ngettext(
                    "%(n)d slot is already claimed; the need cannot have fewer.",
                    "%(n)d slots are already claimed; the need cannot have fewer.",
                    locked.claimed_slots,
                )
                % {"n": locked.claimed_slots},
            )
        _validate_need(data, locked.community, old_deadline=locked.deadline)
        before = audit.snapshot(locked, NEED_FIELDS)
        for name in (
            "title",
            "description",
            "category",
            "compound",
            "beneficiaries",
            "deadline",
            "urgency",
            "slots",
        ):
            setattr(locked, name, getattr(data, name))
        _tag_and_index(locked, data.tags)
        locked.save()
        audit.record(
            actor,
            "lists.need_updated",
            locked,
            before=before,
            after=audit.snapshot(locked, NEED_FIELDS),
            community=locked.community,
        )
    return locked


def _move(
    actor: User | None,
    need: Need,
    to: str,
    action: str,
    *,
    note: str = "",
    unclaimed: str | None = None,
    **changes: Any,
) -> Need:
    def no_claims(locked: Need) -> None:
        if unclaimed is not None and locked.claimed_slots:
            raise Conflict("need.has_claims", unclaimed)

    return transition(
        NEED_FLOW, need, to, actor, action=action, note=note, guard=no_claims, **changes
    )


def publish_need(actor: User, need: Need) -> Need:
    if not actor.has_perm("lists.review_need", need):
        raise NotAllowed("need.not_staff", _("Only the community's staff can publish needs."))
    published = _move(
        actor,
        need,
        Need.State.PUBLISHED,
        "lists.need_published",
        published_at=timezone.now(),
    )
    _invite_asked_provider(actor, published)
    tell(
        _raiser_recipients(published),
        "need.published",
        gettext_lazy("Your need “%(title)s” is on the opportunity list."),
        url=_need_url(published),
        obj=published,
        title=published.title,
    )
    return published


def reject_need(actor: User, need: Need, reason: str) -> Need:
    if not actor.has_perm("lists.review_need", need):
        raise NotAllowed("need.not_staff", _("Only the community's staff can reject needs."))
    if not reason.strip():
        raise DomainError("need.no_reason", _("Tell the raiser why the need is rejected."))
    rejected = _move(
        actor,
        need,
        Need.State.REJECTED,
        "lists.need_rejected",
        unclaimed=_("A need that has been claimed cannot be rejected."),
        note=reason.strip(),
        rejection_reason=reason.strip(),
        closed_at=timezone.now(),
    )
    tell(
        _raiser_recipients(rejected),
        "need.rejected",
        gettext_lazy("Your need “%(title)s” was not accepted."),
        gettext_lazy("Reason: %(reason)s"),
        url=_need_url(rejected),
        obj=rejected,
        title=rejected.title,
        reason=reason.strip(),
    )
    return rejected


def withdraw_need(actor: User, need: Need) -> Need:
    if not actor.has_perm("lists.withdraw_need", need):
        raise NotAllowed("need.not_raiser", _("Only the person who raised a need can withdraw it."))
    return _move(
        actor,
        need,
        Need.State.WITHDRAWN,
        "lists.need_withdrawn",
        unclaimed=_("Someone has already claimed this need; ask the community staff to help."),
        closed_at=timezone.now(),
    )


def merge_need(actor: User, need: Need, into: Need) -> Need:
    if not actor.has_perm("lists.review_need", need):
        raise NotAllowed("need.not_staff", _("Only the community's staff can merge needs."))
    if into.pk == need.pk:
        raise DomainError("need.merge_self", _("A need cannot be merged into itself."))
    if into.community_id != need.community_id:
        raise DomainError(
            "need.merge_other_community", _("Needs can only be merged within one community.")
        )
    if into.state not in {*OPEN_STATES, Need.State.CLAIMED}:
        raise Conflict("need.merge_closed", _("The need to merge into is already closed."))
    merged = _move(
        actor,
        need,
        Need.State.MERGED,
        "lists.need_merged",
        unclaimed=_("A need that has been claimed cannot be merged."),
        note=_("Merged into “%(title)s” (#%(id)d).") % {"title": into.title, "id": into.pk},
        merged_into=into,
        closed_at=timezone.now(),
    )
    tell(
        _raiser_recipients(merged),
        "need.merged",
        gettext_lazy("Your need “%(title)s” was merged with a similar one: “%(other)s”."),
        gettext_lazy("Follow the merged need to see who takes it on."),
        url=_need_url(into),
        obj=merged,
        title=merged.title,
        other=into.title,
    )
    return merged


def expire_needs(today: datetime.date | None = None) -> list[Need]:
    """Published needs whose deadline has passed with no claim become expired."""
    today = today or timezone.localdate()
    expired = []
    for need in Need.objects.filter(
        state=Need.State.PUBLISHED, deadline__lt=today, claimed_slots=0
    ):
        try:
            expired.append(
                _move(
                    None,
                    need,
                    Need.State.EXPIRED,
                    "lists.need_expired",
                    unclaimed="",
                    closed_at=timezone.now(),
                )
            )
        except Conflict:
            continue  # claimed meanwhile
    return expired
