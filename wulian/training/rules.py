"""Who may see and do what in joint training and dual registration.

Party membership is personal data: a person's membership, attendance and study record are
seen by the person, by their organisation's branch secretary, and by the staff of the
community (or a region above it) where the organisation is based or where the person has
registered (双报到). Never by anyone else, and never on a public page.

- Sessions are seen by the party members of their organising organisations and by the staff
  of their community; they are run by the staff and by the organisers' secretaries.
- An organisation's progress, norms and members are kept by its secretary and the staff.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import QuerySet

from wulian.core.access import Finder, get_for
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.places.rules import covers, staff_region_ids
from wulian.training.models import DualRegistration, PartyMembership, Session


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def party_roles(user: Any) -> dict[int, str]:
    """{organisation id: party role} of a person's active memberships (cached per request)."""
    if not _authenticated(user):
        return {}
    cached: dict[int, str] | None = getattr(user, "_wulian_party_roles", None)
    if cached is None:
        cached = dict(
            PartyMembership.objects.filter(person=user, is_active=True).values_list(
                "organization_id", "role"
            )
        )
        user._wulian_party_roles = cached
    return cached


def secretary_of(user: Any) -> set[int]:
    """The organisations whose branch secretary the person is."""
    return {org for org, role in party_roles(user).items() if role == "secretary"}


def _organiser_ids(session: Session) -> set[int]:
    cached: set[int] | None = getattr(session, "_organiser_ids", None)
    if cached is None:
        cached = set(session.organisers.values_list("pk", flat=True))
        session._organiser_ids = cached  # type: ignore[attr-defined]
    return cached


@rules.predicate
def is_party_member(user: Any) -> bool:
    return bool(party_roles(user))


@rules.predicate
def is_org_secretary(user: Any, org: Organization | None) -> bool:
    return org is not None and org.pk in secretary_of(user)


@rules.predicate
def is_org_party_staff(user: Any, org: Organization | None) -> bool:
    return org is not None and covers(user, org.region)


@rules.predicate
def is_record_person(user: Any, membership: PartyMembership | None) -> bool:
    return membership is not None and _authenticated(user) and membership.person_id == user.pk


@rules.predicate
def is_record_secretary(user: Any, membership: PartyMembership | None) -> bool:
    return membership is not None and membership.organization_id in secretary_of(user)


@rules.predicate
def is_record_staff(user: Any, membership: PartyMembership | None) -> bool:
    if membership is None or not staff_region_ids(user):
        return False
    if covers(user, membership.organization.region):
        return True
    communities = Region.objects.filter(
        pk__in=DualRegistration.objects.filter(
            person_id=membership.person_id, state=DualRegistration.State.ACTIVE
        ).values("community_id")
    )
    return any(covers(user, community) for community in communities)


rules.add_perm("training.view_record", is_record_person | is_record_secretary | is_record_staff)
rules.add_perm("training.view_progress", is_org_secretary | is_org_party_staff)
rules.add_perm("training.manage_members", is_org_secretary | is_org_party_staff)
rules.add_perm("training.set_norm", is_org_secretary | is_org_party_staff)


@rules.predicate
def may_organise_in(user: Any, community: Region | None) -> bool:
    """The community's staff, or the branch secretary of any party organisation."""
    if community is None or not _authenticated(user):
        return False
    return covers(user, community) or bool(secretary_of(user))


@rules.predicate
def is_session_staff(user: Any, session: Session | None) -> bool:
    return session is not None and covers(user, session.community)


@rules.predicate
def is_session_secretary(user: Any, session: Session | None) -> bool:
    return session is not None and bool(secretary_of(user) & _organiser_ids(session))


@rules.predicate
def is_session_member(user: Any, session: Session | None) -> bool:
    return session is not None and bool(set(party_roles(user)) & _organiser_ids(session))


rules.add_perm("training.add_session", may_organise_in)
rules.add_perm("training.view_session", is_session_staff | is_session_secretary | is_session_member)
rules.add_perm("training.manage_session", is_session_staff | is_session_secretary)
rules.add_perm("training.attend", is_session_member)


@rules.predicate
def is_registration_person(user: Any, registration: DualRegistration | None) -> bool:
    return registration is not None and _authenticated(user) and registration.person_id == user.pk


@rules.predicate
def is_registration_staff(user: Any, registration: DualRegistration | None) -> bool:
    return registration is not None and covers(user, registration.community)


@rules.predicate
def is_registration_secretary(user: Any, registration: DualRegistration | None) -> bool:
    return registration is not None and registration.membership.organization_id in secretary_of(
        user
    )


rules.add_perm("training.register", is_party_member)
rules.add_perm(
    "training.view_registration",
    is_registration_person | is_registration_staff | is_registration_secretary,
)
rules.add_perm("training.end_registration", is_registration_person | is_registration_staff)
rules.add_perm("training.manage_posts", lambda user, community: covers(user, community))


def visible_sessions(user: Any) -> QuerySet[Session]:
    """Sessions of the communities a person works for, and those their organisation joins."""
    if not _authenticated(user):
        return Session.objects.none()
    from wulian.places.rules import covered_regions

    ids = (
        Session.objects.filter(community__in=covered_regions(user))
        | Session.objects.filter(organisers__in=list(party_roles(user)))
    ).values("pk")
    return Session.objects.filter(pk__in=ids)


get_session_for: Finder[Session] = Finder(
    Session.objects.select_related("community"), "training.view_session"
)


get_record_for: Finder[PartyMembership] = Finder(
    PartyMembership.objects.select_related("person", "organization__region"), "training.view_record"
)


get_party_org_for: Finder[Organization] = Finder(
    Organization.objects.select_related("region"), "training.view_progress"
)


def get_registration_for(
    user: Any, pk: Any, perm: str = "training.view_registration"
) -> DualRegistration:
    return get_for(
        user,
        DualRegistration.objects.select_related("community", "membership__organization", "person"),
        pk,
        perm,
        view_perm="training.view_registration",
    )
