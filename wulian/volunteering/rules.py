"""Who may do what with the volunteer-hours ledger.

- A volunteer sees every record of their own, asks for corrections, downloads certificates of
  their own hours and keeps their name off the public roll.
- The organising body answers for its records (谁组织、谁记录): its members enter manual records,
  confirm another member's manual entry (never their own), answer corrections and export the
  body's records; the staff of the record's community (and above) may do all of this too.
- Staff of a community see whole names on its honour roll, issue certificates for its
  residents and award honorary badges; the public roll shows masked names only.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q, QuerySet

from wulian.core.access import Finder, get_for
from wulian.orgs.models import Organization
from wulian.orgs.rules import membership_roles
from wulian.places.models import Region
from wulian.places.rules import covered_regions, covers
from wulian.volunteering.models import CorrectionRequest, RollOptOut, VolunteerRecord


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_record_person(user: Any, record: VolunteerRecord | None) -> bool:
    return record is not None and _authenticated(user) and record.person_id == user.pk


@rules.predicate
def is_record_organiser(user: Any, record: VolunteerRecord | None) -> bool:
    if record is None or not _authenticated(user):
        return False
    return record.organization_id in membership_roles(user) or covers(user, record.community)


@rules.predicate
def is_body_member(user: Any, org: Organization | None) -> bool:
    if org is None or not _authenticated(user):
        return False
    return org.pk in membership_roles(user) or covers(user, org.region)


@rules.predicate
def is_request_person(user: Any, request: CorrectionRequest | None) -> bool:
    return request is not None and is_record_person(user, request.record)


@rules.predicate
def is_request_organiser(user: Any, request: CorrectionRequest | None) -> bool:
    return request is not None and is_record_organiser(user, request.record)


@rules.predicate
def is_community_staff(user: Any, community: Region | None) -> bool:
    return community is not None and covers(user, community)


@rules.predicate
def is_self_or_staff(user: Any, person: Any) -> bool:
    if person is None or not _authenticated(user):
        return False
    if person.pk == user.pk:
        return True
    return person.community_id is not None and covers(user, person.community)


@rules.predicate
def shows_publicly(user: Any, person: Any) -> bool:
    """A person's badges are public unless they keep off the public honour roll."""
    return person is not None and not RollOptOut.objects.filter(person=person).exists()


rules.add_perm("volunteering.view_record", is_record_person | is_record_organiser)
rules.add_perm("volunteering.manage_record", is_record_organiser)
rules.add_perm("volunteering.ask_correction", is_record_person)
rules.add_perm("volunteering.view_correction", is_request_person | is_request_organiser)
rules.add_perm("volunteering.answer_correction", is_request_organiser)
rules.add_perm("volunteering.record_for", is_body_member)
rules.add_perm("volunteering.export_records", is_body_member)
rules.add_perm("volunteering.view_whole_names", is_community_staff)
rules.add_perm("volunteering.award_badge", is_community_staff)
rules.add_perm("volunteering.view_ledger", is_self_or_staff)
rules.add_perm("volunteering.issue_certificate", is_self_or_staff)
rules.add_perm("volunteering.view_badges", is_self_or_staff | shows_publicly)

RECORD_RELATED = ("person", "community", "organization", "recorded_by", "confirmed_by")


def visible_records(user: Any) -> QuerySet[VolunteerRecord]:
    """The records a person may see: their own, their bodies', their regions'."""
    if not _authenticated(user):
        return VolunteerRecord.objects.none()
    query = Q(person=user) | Q(organization_id__in=list(membership_roles(user)))
    regions = covered_regions(user)
    if regions.exists():
        query |= Q(community__in=regions)
    return VolunteerRecord.objects.filter(query)


get_record_for: Finder[VolunteerRecord] = Finder(
    VolunteerRecord.objects.select_related(*RECORD_RELATED), "volunteering.view_record"
)


def get_correction_for(
    user: Any, pk: Any, perm: str = "volunteering.view_correction"
) -> CorrectionRequest:
    return get_for(
        user,
        CorrectionRequest.objects.select_related(
            "record__person", "record__community", "record__organization", "requested_by"
        ),
        pk,
        perm,
        view_perm="volunteering.view_correction",
    )


def get_body_for(user: Any, pk: Any, perm: str = "volunteering.record_for") -> Organization:
    return get_for(user, Organization.objects.select_related("region"), pk, perm)
