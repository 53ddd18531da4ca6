"""Claims (揭榜): a unit, team or person takes a slot of a published need; cancelling frees it."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.lists.models import (
    Agreement,
    Claim,
    Need,
    PartyKind,
    Project,
)
from wulian.lists.services.common import (
    CLAIM_FLOW,
    NEED_FLOW,
    PROJECT_FLOW,
    _is_staff,
    _project_url,
    _raiser_recipients,
    org_party_kind,
)
from wulian.notifications.services import tell
from wulian.orgs.models import Organization
from wulian.orgs.rules import membership_roles


def _default_agreement(need: Need, claim: Claim) -> dict[str, Any]:
    today = timezone.localdate()
    ends = need.deadline if need.deadline and need.deadline >= today else today
    if ends == today:
        ends = today + datetime.timedelta(days=90)
    need_side = need.raiser_display or str(need.community)
    if need.raiser_kind == PartyKind.COMMUNITY and not need.raised_for_id:
        need_side = str(need.community)
    return {
        "scope": need.description or need.title,
        "need_side_duties": _(
            "Explain the need clearly, arrange access and a contact person, "
            "and confirm the result when the work is done."
        ),
        "claimant_side_duties": _(
            "Carry out the work described above on time, report progress on the platform, "
            "and record the results when the project is complete."
        ),
        "starts_on": today,
        "ends_on": ends,
        "need_side_name": need_side,
        "claimant_side_name": claim.party_display,
    }


def claim_need(
    actor: User,
    need: Need,
    *,
    organization: Organization | None = None,
    claimant: User | None = None,
    source: str = Claim.Source.WEB,
    note: str = "",
) -> Claim:
    """揭榜: take one slot of a published need. With N slots, exactly N claims succeed."""
    recorded_by: User | None = None
    if claimant is not None and claimant.pk != actor.pk:
        if not _is_staff(actor, need.community):
            raise NotAllowed(
                "claim.not_staff", _("Only community staff can record a claim for someone else.")
            )
        recorded_by = actor
    else:
        claimant = actor
    if (
        organization is not None
        and recorded_by is None
        and organization.pk not in membership_roles(actor)
    ):
        raise NotAllowed("claim.not_member", _("You can only claim for a unit you belong to."))
    if (
        recorded_by is None
        and organization is None
        and not actor.has_perm("lists.claim_need", need)
    ):
        raise NotAllowed("claim.own_need", _("You cannot claim a need you raised yourself."))
    kind = org_party_kind(organization) if organization else PartyKind.RESIDENT
    try:
        with transaction.atomic():
            locked = Need.objects.select_for_update().get(pk=need.pk)
            if locked.state == Need.State.CLAIMED or (
                locked.state == Need.State.PUBLISHED and locked.slots_left == 0
            ):
                raise Conflict(
                    "need.taken", _("Sorry, this need has just been claimed by someone else.")
                )
            if locked.state != Need.State.PUBLISHED:
                raise Conflict("need.not_open", _("This need is not open to claim."))
            active = Claim.objects.filter(need=locked, state=Claim.State.ACTIVE)
            same = (
                active.filter(organization=organization)
                if organization
                else active.filter(claimant=claimant, organization__isnull=True)
            )
            if same.exists():
                raise Conflict("claim.duplicate", _("You have already claimed this need."))
            taken = set(active.values_list("slot", flat=True))
            slot = next(n for n in range(1, locked.slots + 1) if n not in taken)
            claim = Claim.objects.create(
                need=locked,
                slot=slot,
                claimant=claimant,
                organization=organization,
                claimant_kind=kind,
                source=source,
                recorded_by=recorded_by,
                note=note,
            )
            to = Need.State.CLAIMED if len(taken) + 1 >= locked.slots else locked.state
            _count_claims(
                actor,
                locked,
                to,
                "lists.need_claimed",
                claimed_slots=len(taken) + 1,
                after={"claim": claim.pk, "by": claim.party_display},
            )
            project = Project.objects.create(
                claim=claim, need=locked, community=locked.community, title=locked.title
            )
            Agreement.objects.create(project=project, **_default_agreement(locked, claim))
            audit.record(actor, "lists.project_created", project, community=locked.community)
            tell(
                _raiser_recipients(locked),
                "need.claimed",
                gettext_lazy("“%(claimant)s” claimed your need “%(title)s”."),
                gettext_lazy("Read and sign the claim agreement to start the project."),
                url=_project_url(project),
                obj=project,
                claimant=claim.party_display,
                title=locked.title,
            )
    except IntegrityError as exc:
        # A unique constraint caught a race the lock did not (e.g. on a database without it).
        raise Conflict(
            "need.taken", _("Sorry, this need has just been claimed by someone else.")
        ) from exc
    return claim


def _count_claims(
    actor: User | None,
    need: Need,
    to: str,
    action: str,
    *,
    claimed_slots: int,
    note: str = "",
    after: dict[str, Any] | None = None,
) -> None:
    """A claim taken or freed on a locked need: the count changes, the state may follow."""
    before = {"claimed_slots": need.claimed_slots}
    extra = {"claimed_slots": claimed_slots, **(after or {})}
    if to != need.state:
        NEED_FLOW.apply(
            need,
            to,
            actor,
            action=action,
            note=note,
            before=before,
            after=extra,
            claimed_slots=claimed_slots,
        )
        return
    state = {"state": need.state}
    need.claimed_slots = claimed_slots
    need.save(update_fields=["claimed_slots", "updated_at"])
    audit.record(
        actor,
        action,
        need,
        before={**state, **before},
        after={**state, **extra},
        community=need.community,
        note=note,
    )


def cancel_claim(actor: User, claim: Claim, reason: str) -> Claim:
    """Staff correct a mistaken claim, or the claimant withdraws before signing: the slot frees."""
    staff = _is_staff(actor, claim.need.community)
    project = claim.project
    own = claim.claimant_id == actor.pk and project.state == Project.State.SIGNING
    if not (staff or own):
        raise NotAllowed("claim.not_allowed", _("Only community staff can cancel this claim."))
    if not reason.strip():
        raise DomainError("claim.no_reason", _("Say why the claim is cancelled."))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=claim.need_id)
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        current = Project.objects.select_for_update().get(pk=project.pk)
        CLAIM_FLOW.check(locked, Claim.State.CANCELLED)
        if current.state == Project.State.COMPLETED:
            raise Conflict("claim.completed", _("A completed project cannot be cancelled."))
        CLAIM_FLOW.apply(
            locked,
            Claim.State.CANCELLED,
            actor,
            action="lists.claim_cancelled",
            note=reason.strip(),
            cancelled_at=timezone.now(),
        )
        PROJECT_FLOW.apply(
            current,
            Project.State.CANCELLED,
            actor,
            action="lists.project_cancelled",
            note=reason.strip(),
            cancelled_reason=reason.strip(),
        )
        to = Need.State.PUBLISHED if need.state == Need.State.CLAIMED else need.state
        _count_claims(
            actor,
            need,
            to,
            "lists.claim_cancelled",
            claimed_slots=max(0, need.claimed_slots - 1),
            note=reason.strip(),
        )
    locked.refresh_from_db()
    return locked
