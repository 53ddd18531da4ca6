"""Invitations to claim: staff ask a unit, one need at a time or as a whole-list assignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.lists.models import (
    Claim,
    Invitation,
    Need,
    Resource,
)
from wulian.lists.services.common import _is_staff
from wulian.notifications.services import tell
from wulian.orgs.models import Organization
from wulian.places.models import Region


def _invite(
    actor: User, need: Need, org: Organization, resource: Resource | None, note: str
) -> Invitation:
    """Invite inside the caller's transaction, with the need locked by the caller."""
    if not org.is_active:
        raise DomainError(
            "invitation.org_inactive",
            _("%(org)s is no longer active and cannot be invited.") % {"org": org.name},
        )
    if resource is not None and resource.provider_org_id != org.pk:
        raise DomainError(
            "invitation.bad_resource", _("That resource is not offered by %(org)s.") % {"org": org}
        )
    if need.state != Need.State.PUBLISHED or need.slots_left == 0:
        raise Conflict(
            "invitation.need_not_open",
            _("“%(title)s” is not open to claim, so nobody can be invited to it.")
            % {"title": need.title},
        )
    if Claim.objects.filter(need=need, organization=org, state=Claim.State.ACTIVE).exists():
        raise Conflict(
            "invitation.already_claimed",
            _("%(org)s has already claimed “%(title)s”.") % {"org": org.name, "title": need.title},
        )
    if Invitation.objects.filter(need=need, organization=org).exists():
        raise Conflict(
            "invitation.duplicate",
            _("%(org)s has already been invited to claim “%(title)s”.")
            % {"org": org.name, "title": need.title},
        )
    invitation = Invitation.objects.create(
        need=need, organization=org, resource=resource, invited_by=actor, note=note.strip()[:300]
    )
    audit.record(
        actor,
        "lists.need_invited",
        need,
        after={
            "organization": org.name,
            "organization_id": org.pk,
            "resource": resource.pk if resource else None,
        },
        community=need.community,
        note=note.strip()[:300],
    )
    tell(
        [org],
        "need.invited",
        gettext_lazy("The community invites %(org)s to claim “%(title)s”."),
        gettext_lazy("Open the need to read it and claim it if you can help."),
        url=reverse("lists:claim", args=[need.pk]),
        obj=need,
        org=org.name,
        title=need.title,
    )
    return invitation


def invite_to_claim(
    actor: User,
    need: Need,
    org: Organization,
    *,
    resource: Resource | None = None,
    note: str = "",
) -> Invitation:
    """Staff invite a unit to claim a published need; the unit is told and sees it first."""
    if not _is_staff(actor, need.community):
        raise NotAllowed(
            "invitation.not_staff", _("Only the community's staff can invite a unit to claim.")
        )
    try:
        with transaction.atomic():
            locked = Need.objects.select_for_update().select_related("community").get(pk=need.pk)
            return _invite(actor, locked, org, resource, note)
    except IntegrityError as exc:
        raise Conflict(
            "invitation.duplicate",
            _("%(org)s has already been invited to claim “%(title)s”.")
            % {"org": org.name, "title": need.title},
        ) from exc


@dataclass(frozen=True)
class InvitationsSent:
    sent: list[Invitation]
    already: list[tuple[Need, Organization]]


def send_invitations(
    actor: User, community: Region, picks: Sequence[tuple[Need, Resource]]
) -> InvitationsSent:
    """Send the invitations of a reviewed assignment in one transaction: each pick invites the
    resource's unit to claim the need. Pairs already invited are skipped (sending twice sends
    once); any other refusal sends nothing and names the need."""
    if not _is_staff(actor, community):
        raise NotAllowed(
            "invitation.not_staff", _("Only the community's staff can invite a unit to claim.")
        )
    if not picks:
        raise DomainError("invitation.none_chosen", _("Choose at least one need to invite for."))
    sent: list[Invitation] = []
    already: list[tuple[Need, Organization]] = []
    with transaction.atomic():
        needs = {
            n.pk: n
            for n in Need.objects.select_for_update(of=("self",))
            .select_related("community")
            .filter(pk__in=sorted({need.pk for need, _r in picks}))
            .order_by("pk")
        }
        seen: set[tuple[int, int]] = set()
        for need, resource in picks:
            locked = needs.get(need.pk)
            if locked is None or locked.community_id != community.pk:
                raise DomainError(
                    "invitation.other_community",
                    _("“%(title)s” is not a need of %(community)s.")
                    % {"title": need.title, "community": community.name},
                )
            org = resource.provider_org if resource.provider_org_id else None
            if org is None:
                raise DomainError(
                    "invitation.not_a_unit",
                    _(
                        "“%(resource)s” is not offered by a registered unit; "
                        "contact %(name)s directly."
                    )
                    % {"resource": resource.title, "name": resource.provider_display},
                )
            if (locked.pk, org.pk) in seen or Invitation.objects.filter(
                need=locked, organization=org
            ).exists():
                already.append((locked, org))
                continue
            seen.add((locked.pk, org.pk))
            sent.append(_invite(actor, locked, org, resource, ""))
    return InvitationsSent(sent, already)
