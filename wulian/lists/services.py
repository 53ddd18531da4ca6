"""The three lists: every change to a need, resource, claim or project is one function here.

Each is transactional, locks the scarce row, writes an audit entry, and refuses with a
`DomainError` that carries a stable code when the move is not allowed.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.text import fold
from wulian.core.workflow import Workflow, transition
from wulian.lists.models import (
    Agreement,
    Attachment,
    Category,
    Claim,
    Invitation,
    Milestone,
    Need,
    PartyKind,
    ProgressUpdate,
    Project,
    Rating,
    Resource,
    Signature,
    Tag,
)
from wulian.notifications.services import tell
from wulian.orgs.models import Organization
from wulian.orgs.rules import membership_roles
from wulian.places.models import Compound, Region

audit.register_actions(
    {
        "lists.need_raised": gettext_lazy("raised the need"),
        "lists.need_updated": gettext_lazy("edited the need"),
        "lists.need_published": gettext_lazy("published the need"),
        "lists.need_rejected": gettext_lazy("rejected the need"),
        "lists.need_withdrawn": gettext_lazy("withdrew the need"),
        "lists.need_merged": gettext_lazy("merged the need into another"),
        "lists.need_expired": gettext_lazy("the deadline passed unclaimed"),
        "lists.need_claimed": gettext_lazy("claimed the need"),
        "lists.need_reopened": gettext_lazy("reopened the need"),
        "lists.need_done": gettext_lazy("the need was met"),
        "lists.claim_cancelled": gettext_lazy("cancelled a claim"),
        "lists.resource_created": gettext_lazy("listed the resource"),
        "lists.resource_updated": gettext_lazy("edited the resource"),
        "lists.resource_status": gettext_lazy("changed the resource's status"),
        "lists.project_created": gettext_lazy("started the project from a claim"),
        "lists.agreement_updated": gettext_lazy("edited the agreement"),
        "lists.agreement_signed": gettext_lazy("signed the agreement"),
        "lists.agreement_frozen": gettext_lazy("both sides signed; the agreement is final"),
        "lists.milestone_added": gettext_lazy("added a milestone"),
        "lists.progress_posted": gettext_lazy("posted progress"),
        "lists.project_completed": gettext_lazy("completed the project"),
        "lists.project_cancelled": gettext_lazy("cancelled the project"),
        "lists.project_stalled": gettext_lazy("no progress for a long time: marked stalled"),
        "lists.project_rated": gettext_lazy("rated the project"),
        "lists.exported": gettext_lazy("exported a list"),
        "lists.need_invited": gettext_lazy("invited a unit to claim the need"),
    }
)

NEED_FIELDS = (
    "title",
    "description",
    "category",
    "compound",
    "beneficiaries",
    "deadline",
    "urgency",
    "channel",
    "slots",
    "state",
)
RESOURCE_FIELDS = (
    "title",
    "description",
    "kind",
    "category",
    "capacity_text",
    "capacity_number",
    "capacity_unit",
    "capacity_period",
    "service_area",
    "availability",
    "weekdays",
    "status",
)
OPEN_STATES = {Need.State.SUBMITTED, Need.State.PUBLISHED}
LIVE_PROJECT_STATES = {Project.State.SIGNING, Project.State.ACTIVE, Project.State.STALLED}

_CLOSABLE = {Need.State.REJECTED, Need.State.WITHDRAWN, Need.State.MERGED}
NEED_FLOW = Workflow(
    Need,
    moves={
        Need.State.SUBMITTED: {Need.State.PUBLISHED, *_CLOSABLE},
        Need.State.PUBLISHED: {Need.State.CLAIMED, Need.State.EXPIRED, *_CLOSABLE},
        Need.State.CLAIMED: {Need.State.PUBLISHED, Need.State.DONE, *_CLOSABLE},
    },
    code="need.bad_state",
    refusal=gettext_lazy("This need is %(state)s and cannot be moved that way."),
)
PROJECT_FLOW = Workflow(
    Project,
    moves={
        Project.State.SIGNING: {Project.State.ACTIVE, Project.State.CANCELLED},
        Project.State.ACTIVE: {
            Project.State.STALLED,
            Project.State.COMPLETED,
            Project.State.CANCELLED,
        },
        Project.State.STALLED: {
            Project.State.ACTIVE,
            Project.State.COMPLETED,
            Project.State.CANCELLED,
        },
    },
    code="project.not_active",
    refusal=gettext_lazy("The project is %(state)s; this is only possible while it is under way."),
)
CLAIM_FLOW = Workflow(
    Claim,
    moves={Claim.State.ACTIVE: {Claim.State.CANCELLED}},
    code="claim.not_active",
    refusal=gettext_lazy("This claim was already cancelled."),
    community=lambda claim: claim.need.community,
)
RESOURCE_FLOW = Workflow(
    Resource,
    field="status",
    moves={
        Resource.Status.ACTIVE: {Resource.Status.PAUSED, Resource.Status.RETIRED},
        Resource.Status.PAUSED: {Resource.Status.ACTIVE, Resource.Status.RETIRED},
    },
    code="resource.retired",
    refusal=gettext_lazy("A resource that is %(state)s cannot become %(to)s."),
)


def org_party_kind(org: Organization) -> str:
    return PartyKind.COMMUNITY if org.kind == Organization.Kind.COMMUNITY else org.kind


def split_tags(raw: str | Iterable[str] | None) -> list[str]:
    if raw is None:
        return []
    parts = re.split(r"[、,，;；\s]+", raw) if isinstance(raw, str) else list(raw)
    seen: dict[str, None] = {}
    for part in parts:
        name = part.strip().lstrip("#")[:30]
        if name:
            seen.setdefault(name, None)
    return list(seen)


def _set_tags(obj: Need | Resource, names: Sequence[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    obj.tags.set([existing[n] for n in names])


def _tag_and_index(obj: Need | Resource, raw_tags: str | Iterable[str] | None) -> None:
    """Set the tags and refresh the folded search text; the caller saves the object."""
    tags = split_tags(raw_tags)
    _set_tags(obj, tags)
    obj.search_text = _search_text(obj, tags)


def _search_text(obj: Need | Resource, tags: Sequence[str]) -> str:
    category = str(obj.category) if obj.category_id else ""
    extra = obj.raiser_display if isinstance(obj, Need) else obj.provider_display
    return fold(" ".join([obj.title, obj.description, category, " ".join(tags), extra]))


def _community(region: Region) -> Region:
    if not region.is_community:
        raise DomainError("lists.not_community", _("Lists belong to a community."))
    return region


def _check_compound(compound: Compound | None, community: Region) -> None:
    if compound is not None and compound.community_id != community.pk:
        raise DomainError(
            "need.bad_compound",
            _("%(compound)s is not in %(community)s.")
            % {"compound": compound, "community": community},
        )


def _raiser_recipients(need: Need) -> list[Any]:
    if need.raised_for_id and need.raised_for is not None:
        return [need.raised_for]
    return [need.raised_by] if need.raised_by_id and need.raised_by is not None else []


def _need_url(need: Need) -> str:
    return reverse("lists:need", args=[need.pk])


def _project_url(project: Project) -> str:
    return reverse("lists:project", args=[project.pk])


def _is_staff(actor: Any, community: Region) -> bool:
    """Staff of the community (or above it), or a superuser."""
    return bool(actor.has_perm("lists.manage_lists", community))


# ---------------------------------------------------------------- needs


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
                _("%(n)d slots are already claimed; the need cannot have fewer.")
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


# ---------------------------------------------------------------- claims


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
    if recorded_by is None and need.raised_by_id == actor.pk and organization is None:
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


# ---------------------------------------------------------------- agreements


AGREEMENT_FIELDS = ("scope", "need_side_duties", "claimant_side_duties", "starts_on", "ends_on")


def agreement_text(agreement: Agreement) -> str:
    """The canonical text both sides sign; its hash is kept when the agreement is frozen."""
    parts = [
        agreement.project.title,
        agreement.need_side_name,
        agreement.claimant_side_name,
        *(str(getattr(agreement, name)) for name in AGREEMENT_FIELDS),
    ]
    return "\n".join(parts)


def update_agreement(actor: User, agreement: Agreement, **fields: Any) -> Agreement:
    project = agreement.project
    if not (
        actor.has_perm("lists.sign_agreement", project)
        or actor.has_perm("lists.manage_project", project)
    ):
        raise NotAllowed("agreement.not_party", _("Only the two parties can edit the agreement."))
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise DomainError("agreement.unknown_field", _("These fields cannot be changed."))
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.signatures.exists():
            raise Conflict(
                "agreement.signed",
                _("Someone has already signed; the agreement can no longer be changed."),
            )
        before = audit.snapshot(locked, AGREEMENT_FIELDS)
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if locked.ends_on < locked.starts_on:
            raise DomainError("agreement.bad_dates", _("The end date is before the start date."))
        if not locked.scope.strip():
            raise DomainError("agreement.no_scope", _("Describe the scope of the project."))
        locked.save()
        audit.record(
            actor,
            "lists.agreement_updated",
            project,
            before=before,
            after=audit.snapshot(locked, AGREEMENT_FIELDS),
            community=project.community,
        )
    return locked


def sides_for(actor: User, project: Project) -> list[str]:
    from wulian.lists.rules import claimant_side, need_side

    sides: list[str] = []
    if need_side(actor, project):
        sides.append(Signature.Side.NEED)
    if claimant_side(actor, project):
        sides.append(Signature.Side.CLAIMANT)
    return sides


def _check_drawn_signature(png: bytes) -> None:
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    if len(png) > 2 * 1024 * 1024:
        raise DomainError("signature.too_large", _("The drawn signature is too large."))
    try:
        image = Image.open(BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise DomainError(
            "signature.not_image", _("Draw your signature in the box before signing.")
        ) from exc
    if image.format != "PNG":
        raise DomainError(
            "signature.not_image", _("Draw your signature in the box before signing.")
        )
    grey = image.convert("LA") if image.mode in {"RGBA", "LA", "P"} else image.convert("L")
    if grey.mode == "LA":
        inked = sum(grey.getchannel("A").histogram()[41:])
    else:
        inked = sum(grey.histogram()[:200])
    if inked < 30:
        raise DomainError(
            "signature.blank", _("The signature box is empty. Draw your signature with a finger.")
        )


def sign_agreement(
    actor: User,
    agreement: Agreement,
    *,
    side: str,
    typed_name: str,
    drawn_png: bytes,
    ip_address: str | None = None,
) -> Signature:
    """One side confirms the agreement: their full name typed, their signature drawn."""
    project = agreement.project
    if side not in sides_for(actor, project):
        raise NotAllowed(
            "agreement.not_party", _("You cannot sign for this side of the agreement.")
        )
    if "".join(typed_name.split()) != "".join(actor.real_name.split()):
        raise DomainError(
            "signature.name_mismatch",
            _("Type your full name exactly as registered: %(name)s.") % {"name": actor.real_name},
        )
    _check_drawn_signature(drawn_png)
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        current = Project.objects.select_for_update().get(pk=project.pk)
        if current.state != Project.State.SIGNING:
            raise Conflict(
                "agreement.not_signing", _("This agreement is no longer open for signing.")
            )
        if locked.signatures.filter(side=side).exists():
            raise Conflict("agreement.already_signed", _("This side has already signed."))
        signature = Signature(
            agreement=locked,
            side=side,
            signer=actor,
            typed_name=actor.real_name,
            ip_address=ip_address,
        )
        signature.image.save(
            f"agreement-{locked.pk}-{side}.png", ContentFile(drawn_png), save=False
        )
        signature.save()
        audit.record(
            actor,
            "lists.agreement_signed",
            current,
            after={"side": side},
            community=current.community,
        )
        if locked.signatures.count() == 2:
            now = timezone.now()
            locked.frozen_at = now
            locked.content_hash = hashlib.sha256(agreement_text(locked).encode()).hexdigest()
            locked.save(update_fields=["frozen_at", "content_hash"])
            PROJECT_FLOW.apply(
                current,
                Project.State.ACTIVE,
                None,
                action="lists.agreement_frozen",
                after={"hash": locked.content_hash},
                started_at=now,
                last_activity_at=now,
            )
            claim_side = [current.claim.organization or current.claim.claimant]
            tell(
                [*_raiser_recipients(current.need), *claim_side],
                "agreement.final",
                gettext_lazy("Both sides signed the claim agreement for “%(title)s”."),
                gettext_lazy("The project has started; the agreement can be downloaded as a PDF."),
                url=_project_url(current),
                obj=current,
                title=current.title,
            )
    return signature


def agreement_pdf(agreement: Agreement) -> bytes:
    """The frozen agreement as a PDF, rendered once and kept."""
    if agreement.frozen_at is None:
        raise Conflict("agreement.not_final", _("The agreement is not signed by both sides yet."))
    if agreement.pdf:
        with agreement.pdf.open("rb") as fh:
            return bytes(fh.read())
    from wulian.lists.documents import render_agreement

    pdf = render_agreement(agreement)
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if not locked.pdf:
            locked.pdf.save(f"agreement-{locked.pk}.pdf", ContentFile(pdf), save=True)
    return pdf


# ---------------------------------------------------------------- projects


def _live_project(project_id: int) -> Project:
    project = Project.objects.select_for_update().get(pk=project_id)
    if project.state not in {Project.State.ACTIVE, Project.State.STALLED}:
        raise Conflict(
            "project.not_active",
            _("The project is %(state)s; this is only possible while it is under way.")
            % {"state": project.get_state_display()},
        )
    return project


def add_milestone(
    actor: User, project: Project, title: str, due_on: datetime.date | None = None
) -> Milestone:
    if not actor.has_perm("lists.report_progress", project):
        raise NotAllowed("project.not_party", _("Only the claiming side can plan milestones."))
    if not title.strip():
        raise DomainError("milestone.no_title", _("Give the milestone a title."))
    with transaction.atomic():
        if project.state not in LIVE_PROJECT_STATES:
            raise Conflict("project.closed", _("The project is closed."))
        milestone = Milestone.objects.create(
            project=project,
            title=title.strip(),
            due_on=due_on,
            position=project.milestones.count(),
        )
        audit.record(
            actor,
            "lists.milestone_added",
            project,
            after={"title": milestone.title},
            community=project.community,
        )
    return milestone


def post_progress(
    actor: User,
    project: Project,
    text: str,
    *,
    photos: Sequence[Any] = (),
    milestone: Milestone | None = None,
) -> ProgressUpdate:
    if not actor.has_perm("lists.report_progress", project):
        raise NotAllowed(
            "project.not_party", _("Only the claiming side and staff can post progress.")
        )
    if not text.strip():
        raise DomainError("progress.empty", _("Write what has been done."))
    if milestone is not None and milestone.project_id != project.pk:
        raise DomainError("progress.bad_milestone", _("That milestone belongs to another project."))
    with transaction.atomic():
        locked = _live_project(project.pk)
        update = ProgressUpdate.objects.create(
            project=locked, author=actor, text=text.strip(), milestone=milestone
        )
        for photo in photos:
            attach(actor, photo, update=update)
        if milestone is not None and milestone.done_at is None:
            Milestone.objects.filter(pk=milestone.pk).update(done_at=timezone.now())
        if locked.state == Project.State.STALLED:
            PROJECT_FLOW.apply(
                locked,
                Project.State.ACTIVE,
                actor,
                action="lists.progress_posted",
                after={"update": update.pk},
                last_activity_at=timezone.now(),
            )
        else:
            locked.last_activity_at = timezone.now()
            locked.save(update_fields=["last_activity_at"])
            state = {"state": locked.state}
            audit.record(
                actor,
                "lists.progress_posted",
                locked,
                before=state,
                after={**state, "update": update.pk},
                community=locked.community,
            )
    return update


@dataclass(frozen=True)
class Outcomes:
    summary: str
    people_served: int | None = None
    volunteer_hours: Decimal | None = None
    money: Decimal | None = None
    materials: str = ""


def complete_project(actor: User, project: Project, outcomes: Outcomes) -> Project:
    if not actor.has_perm("lists.report_progress", project):
        raise NotAllowed(
            "project.not_party", _("Only the claiming side and staff can complete the project.")
        )
    if not outcomes.summary.strip():
        raise DomainError("project.no_summary", _("Describe what the project achieved."))
    for value in (outcomes.people_served, outcomes.volunteer_hours, outcomes.money):
        if value is not None and value < 0:
            raise DomainError("project.negative", _("Outcomes cannot be negative."))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=project.need_id)
        locked = _live_project(project.pk)
        now = timezone.now()
        PROJECT_FLOW.apply(
            locked,
            Project.State.COMPLETED,
            actor,
            action="lists.project_completed",
            after={
                "people_served": outcomes.people_served,
                "volunteer_hours": str(outcomes.volunteer_hours or ""),
            },
            completed_at=now,
            last_activity_at=now,
            summary=outcomes.summary.strip(),
            people_served=outcomes.people_served,
            volunteer_hours=outcomes.volunteer_hours,
            money=outcomes.money,
            materials=outcomes.materials.strip(),
        )
        live = need.projects.exclude(state=Project.State.CANCELLED)
        if (
            need.state == Need.State.CLAIMED
            and not live.exclude(state=Project.State.COMPLETED).exists()
        ):
            NEED_FLOW.apply(need, Need.State.DONE, actor, action="lists.need_done", closed_at=now)
        tell(
            _raiser_recipients(need),
            "project.completed",
            gettext_lazy("“%(title)s” is complete."),
            gettext_lazy("Please rate how it went."),
            url=_project_url(locked),
            obj=locked,
            title=locked.title,
        )
    return locked


def cancel_project(actor: User, project: Project, reason: str) -> Project:
    cancel_claim(actor, project.claim, reason)
    project.refresh_from_db()
    return project


def mark_stalled_projects(now: datetime.datetime | None = None) -> list[Project]:
    """Projects under way with no activity for PROJECT_STALLED_DAYS are marked stalled."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.PROJECT_STALLED_DAYS)
    stalled = []
    for project in Project.objects.filter(state=Project.State.ACTIVE, last_activity_at__lt=limit):

        def still_idle(locked: Project) -> None:
            if locked.last_activity_at >= limit:
                raise Conflict("project.active", _("The project has moved meanwhile."))

        try:
            stalled.append(
                transition(
                    PROJECT_FLOW,
                    project,
                    Project.State.STALLED,
                    None,
                    action="lists.project_stalled",
                    guard=still_idle,
                )
            )
        except Conflict:
            continue  # progress was posted meanwhile
    return stalled


def rate_project(actor: User, project: Project, score: int, comment: str = "") -> Rating:
    if not actor.has_perm("lists.rate_project", project):
        raise NotAllowed(
            "rating.not_beneficiary",
            _("Only the person who raised the need and residents who benefited can rate it."),
        )
    if score not in range(1, 6):
        raise DomainError("rating.bad_score", _("Give between 1 and 5 stars."))
    try:
        with transaction.atomic():
            current = Project.objects.select_for_update().get(pk=project.pk)
            if current.state != Project.State.COMPLETED:
                raise Conflict("rating.not_completed", _("Only completed projects can be rated."))
            rating = Rating.objects.create(
                project=current, rater=actor, score=score, comment=comment.strip()
            )
            audit.record(
                actor,
                "lists.project_rated",
                current,
                after={"score": score},
                community=current.community,
            )
    except IntegrityError as exc:
        raise Conflict("rating.duplicate", _("You have already rated this project.")) from exc
    return rating


# ---------------------------------------------------------------- resources


CAPACITY_PERIODS = {
    "次": Resource.Period.ONCE,
    "总": Resource.Period.ONCE,
    "总计": Resource.Period.ONCE,
    "天": Resource.Period.DAY,
    "日": Resource.Period.DAY,
    "每天": Resource.Period.DAY,
    "周": Resource.Period.WEEK,
    "星期": Resource.Period.WEEK,
    "每周": Resource.Period.WEEK,
    "月": Resource.Period.MONTH,
    "每月": Resource.Period.MONTH,
    "年": Resource.Period.YEAR,
    "每年": Resource.Period.YEAR,
}
_CAPACITY = re.compile(
    r"^\s*(?:每(?P<pre>[天日周月年]|星期))?\s*(?P<n>\d+)\s*(?P<unit>[^\d/／每\s]*)\s*"
    r"(?:[/／每]\s*(?P<period>[天日周月年]|星期))?\s*$"
)


def parse_capacity(text: str) -> tuple[int | None, str, str]:
    """Read a capacity written by people.

    '40 人次/月' → (40, '人次', 'month'); '每周 10 人' → (10, '人', 'week'); else (None, '', '').
    """
    match = _CAPACITY.match(fold(text).replace("per", "/"))
    if not match:
        return None, "", ""
    period_word = match.group("period") or match.group("pre") or ""
    period = CAPACITY_PERIODS.get(period_word, "")
    return int(match.group("n")), match.group("unit").strip(), str(period)


@dataclass(frozen=True)
class ResourceInput:
    title: str
    description: str = ""
    kind: str = Resource.Kind.SERVICE
    category: Category | None = None
    tags: Sequence[str] = ()
    capacity_text: str = ""
    service_area: Region | None = None
    availability: str = ""
    weekdays: str = ""
    hours_from: datetime.time | None = None
    hours_to: datetime.time | None = None


def _resource_fields(data: ResourceInput) -> dict[str, Any]:
    if not data.title.strip():
        raise DomainError("resource.no_title", _("Give the resource a title."))
    if data.weekdays and not re.fullmatch(r"[1-7]{1,7}", data.weekdays):
        raise DomainError("resource.bad_weekdays", _("Weekdays are digits 1 (Monday) to 7."))
    if data.hours_from and data.hours_to and data.hours_to <= data.hours_from:
        raise DomainError("resource.bad_hours", _("The end time must be after the start time."))
    number, unit, period = parse_capacity(data.capacity_text)
    return {
        "title": data.title.strip(),
        "description": data.description.strip(),
        "kind": data.kind,
        "category": data.category,
        "capacity_text": data.capacity_text.strip(),
        "capacity_number": number,
        "capacity_unit": unit,
        "capacity_period": period,
        "service_area": data.service_area,
        "availability": data.availability.strip(),
        "weekdays": "".join(sorted(set(data.weekdays))),
        "hours_from": data.hours_from,
        "hours_to": data.hours_to,
    }


def create_resource(
    actor: User,
    community: Region,
    data: ResourceInput,
    *,
    provider_org: Organization | None = None,
    provider_user: User | None = None,
    provider_name: str = "",
    provider_kind: str | None = None,
    external_id: str = "",
) -> Resource:
    community = _community(community)
    staff = _is_staff(actor, community)
    if provider_org is not None:
        if not (provider_org.pk in membership_roles(actor) or staff):
            raise NotAllowed(
                "resource.not_member", _("You can only list resources for a unit you belong to.")
            )
        kind = org_party_kind(provider_org)
    elif provider_name:
        if not staff:
            raise NotAllowed("resource.not_staff", _("Only staff can list resources for others."))
        kind = provider_kind or PartyKind.RESIDENT
    else:
        provider_user = provider_user or actor
        if provider_user.pk != actor.pk and not staff:
            raise NotAllowed("resource.not_staff", _("Only staff can list resources for others."))
        kind = PartyKind.RESIDENT
    with transaction.atomic():
        resource = Resource.objects.create(
            community=community,
            provider_org=provider_org,
            provider_user=provider_user,
            provider_name=provider_name or (provider_org.name if provider_org else ""),
            provider_kind=kind,
            created_by=actor,
            external_id=external_id,
            **_resource_fields(data),
        )
        _tag_and_index(resource, data.tags)
        resource.save(update_fields=["search_text"])
        audit.record(
            actor,
            "lists.resource_created",
            resource,
            after=audit.snapshot(resource, RESOURCE_FIELDS),
            community=community,
        )
    return resource


def update_resource(actor: User, resource: Resource, data: ResourceInput) -> Resource:
    if not actor.has_perm("lists.change_resource", resource):
        raise NotAllowed("resource.not_provider", _("Only the provider and staff can edit this."))
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        before = audit.snapshot(locked, RESOURCE_FIELDS)
        for name, value in _resource_fields(data).items():
            setattr(locked, name, value)
        _tag_and_index(locked, data.tags)
        locked.save()
        audit.record(
            actor,
            "lists.resource_updated",
            locked,
            before=before,
            after=audit.snapshot(locked, RESOURCE_FIELDS),
            community=locked.community,
        )
    return locked


def set_resource_status(actor: User, resource: Resource, status: str) -> Resource:
    if not actor.has_perm("lists.change_resource", resource):
        raise NotAllowed("resource.not_provider", _("Only the provider and staff can do this."))
    if status not in Resource.Status.values:
        raise DomainError("resource.bad_status", _("Unknown status."))
    return transition(RESOURCE_FLOW, resource, status, actor, action="lists.resource_status")


# ---------------------------------------------------------------- attachments


def attach(
    actor: User, upload: Any, *, need: Need | None = None, update: ProgressUpdate | None = None
) -> Attachment:
    """Keep a photo or PDF, checked and cleaned by content first (see wulian.core.uploads)."""
    from wulian.core.uploads import CleanFile, clean_upload

    clean = upload if isinstance(upload, CleanFile) else clean_upload(upload)
    stored = Attachment.store(clean, actor, need=need, update=update)
    assert isinstance(stored, Attachment)
    return stored


def record_export(actor: User, community: Region, what: str, rows: int, filters: str) -> None:
    """Exports that contain personal data are written to the audit log."""
    audit.record(
        actor,
        "lists.exported",
        community,
        after={"list": what, "rows": rows, "filters": filters},
        community=community,
    )


def needs_matching(query: str) -> Q:
    """A filter that finds needs whatever script the text and the query were written in."""
    condition = Q()
    for term in fold(query).split():
        condition &= Q(search_text__contains=term)
    return condition


# ---------------------------------------------------------------- taxonomy

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


# ---------------------------------------------------------------- invitations


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
