"""Organisations: creating them, their members, and co-building partnerships."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.workflow import Workflow, transition
from wulian.orgs.models import Membership, Organization, Partnership
from wulian.places.models import Region

audit.register_actions(
    {
        "orgs.organization_created": gettext_lazy("registered the organisation"),
        "orgs.organization_updated": gettext_lazy("updated the organisation"),
        "orgs.member_added": gettext_lazy("added a member"),
        "orgs.member_role_changed": gettext_lazy("changed a member's role"),
        "orgs.member_removed": gettext_lazy("removed a member"),
        "orgs.partnership_created": gettext_lazy("proposed the partnership"),
        "orgs.partnership_status_changed": gettext_lazy("changed the partnership's status"),
    }
)

ORG_FIELDS = (
    "name",
    "short_name",
    "kind",
    "address",
    "description",
    "contact_name",
    "contact_mobile",
    "has_party_organization",
    "is_active",
)

PARTNERSHIP_FLOW = Workflow(
    Partnership,
    field="status",
    moves={
        Partnership.Status.PROPOSED: {Partnership.Status.ACTIVE, Partnership.Status.ENDED},
        Partnership.Status.ACTIVE: {Partnership.Status.SUSPENDED, Partnership.Status.ENDED},
        Partnership.Status.SUSPENDED: {Partnership.Status.ACTIVE, Partnership.Status.ENDED},
    },
    code="partnership.bad_move",
    refusal=gettext_lazy("A partnership that is %(state)s cannot become %(to)s."),
)


def create_organization(actor: Any, region: Region, **fields: Any) -> Organization:
    if actor is not None and not actor.has_perm("places.change_region", region):
        raise NotAllowed(
            "organization.not_staff", _("Only the region's staff can register organisations.")
        )
    with transaction.atomic():
        org = Organization(region=region, **fields)
        org.full_clean()
        org.save()
        audit.record(
            actor,
            "orgs.organization_created",
            org,
            after=audit.snapshot(org, ORG_FIELDS),
            community=region if region.is_community else None,
        )
    return org


def add_member(
    actor: Any, org: Organization, user: Any, role: str = Membership.Role.MEMBER, title: str = ""
) -> Membership:
    if actor is not None and not actor.has_perm("orgs.manage_members", org):
        raise NotAllowed("member.not_allowed", _("Only the unit's administrators can add members."))
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            organization=org, user=user, defaults={"role": role, "title": title}
        )
        if not created:
            raise Conflict("member.exists", _("%(name)s is already a member.") % {"name": user})
        audit.record(
            actor,
            "orgs.member_added",
            org,
            after={"user": user.pk, "role": role},
            community=org.region if org.region.is_community else None,
        )
    return membership


def set_member_role(actor: Any, membership: Membership, role: str) -> Membership:
    org = membership.organization
    if not actor.has_perm("orgs.manage_members", org):
        raise NotAllowed("member.not_allowed", _("Only the unit's administrators can do this."))
    with transaction.atomic():
        locked = Membership.objects.select_for_update().get(pk=membership.pk)
        if locked.role == role:
            return locked
        if (
            locked.role == Membership.Role.ADMIN
            and not Membership.objects.filter(organization=org, role=Membership.Role.ADMIN)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise DomainError(
                "member.last_admin", _("A unit must keep at least one administrator.")
            )
        before = {"user": locked.user_id, "role": locked.role}
        locked.role = role
        locked.save(update_fields=["role"])
        audit.record(
            actor,
            "orgs.member_role_changed",
            org,
            before=before,
            after={"user": locked.user_id, "role": role},
        )
    return locked


def create_partnership(
    actor: Any,
    community: Region,
    host: Organization,
    partner: Organization,
    *,
    started_on: datetime.date,
    content: str,
) -> Partnership:
    if not actor.has_perm("orgs.add_partnership", community):
        raise NotAllowed(
            "partnership.not_staff", _("Only the community's staff can record partnerships.")
        )
    if host.kind != Organization.Kind.COMMUNITY:
        raise DomainError(
            "partnership.bad_host", _("The first party must be the community's party committee.")
        )
    if host.pk == partner.pk:
        raise DomainError("partnership.same_party", _("A partnership needs two different parties."))
    if not content.strip():
        raise DomainError(
            "partnership.no_content", _("Describe what the parties will do together.")
        )
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                community=community,
                host=host,
                partner=partner,
                started_on=started_on,
                content=content.strip(),
            )
            audit.record(
                actor,
                "orgs.partnership_created",
                partnership,
                after=audit.snapshot(partnership, ["host", "partner", "started_on", "status"]),
                community=community,
            )
    except IntegrityError as exc:
        raise Conflict(
            "partnership.exists",
            _("%(partner)s already has an open partnership with %(host)s.")
            % {"partner": partner, "host": host},
        ) from exc
    return partnership


def set_partnership_status(
    actor: Any, partnership: Partnership, status: str, note: str = ""
) -> Partnership:
    if not actor.has_perm("orgs.change_partnership", partnership):
        raise NotAllowed(
            "partnership.not_staff", _("Only the community's staff can change partnerships.")
        )
    today = datetime.date.today()  # noqa: DTZ011
    ended: dict[str, Any] = {"ended_on": today} if status == Partnership.Status.ENDED else {}
    return transition(
        PARTNERSHIP_FLOW,
        partnership,
        status,
        actor,
        action="orgs.partnership_status_changed",
        note=note,
        after=audit.snapshot_of(ended),
        **ended,
    )
