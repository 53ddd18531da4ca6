"""What the pages, the API, the command line and other apps read about training, as plain
data: each member's yearly progress against their organisation's norm, who is behind, a
member's yearly study record, and the service hours of registered members (双报到).

Every function here reads; the callers have checked who may see it (party data is personal).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from wulian.orgs.models import Organization
from wulian.training.models import Attendance, DualRegistration, PartyMembership
from wulian.training.services import Norm, norm_for
from wulian.volunteering.queries import hours_by_person as volunteer_hours_by_person

ZERO = Decimal("0")
CENT = Decimal("0.01")


def service_hours(person_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Confirmed volunteer service hours per person in a year, read from the volunteering
    ledger: the one place the service hours of registered members (双报到) come from."""
    return volunteer_hours_by_person(person_ids, year)


def year_fraction(year: int, today: datetime.date | None = None) -> Decimal:
    """How much of the year has passed: 0 before it, 1 after it."""
    today = today or timezone.localdate()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if today < first:
        return ZERO
    if today >= last:
        return Decimal(1)
    days = (last - first).days + 1
    return Decimal((today - first).days + 1) / Decimal(days)


@dataclass(frozen=True)
class MemberProgress:
    membership_id: int
    person_id: int
    name: str
    role: str
    role_label: str
    required: int
    hours: Decimal
    sessions: int
    #: the share of the year's norm due by today
    expected: Decimal
    service_hours: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, Decimal(self.required) - self.hours)

    @property
    def behind(self) -> bool:
        return self.hours < self.expected

    @property
    def done(self) -> bool:
        return self.hours >= self.required

    @property
    def percent(self) -> int:
        return min(100, int(self.hours * 100 / self.required)) if self.required else 100


@dataclass(frozen=True)
class OrgProgress:
    organization_id: int
    organization: str
    year: int
    norm: Norm
    members: list[MemberProgress] = field(default_factory=list)

    @property
    def behind(self) -> list[MemberProgress]:
        return [m for m in self.members if m.behind]

    def as_dict(self) -> dict[str, object]:
        return {
            "organization_id": self.organization_id,
            "organization": self.organization,
            "year": self.year,
            "norm": {
                "member_hours": self.norm.member_hours,
                "leader_hours": self.norm.leader_hours,
            },
            "behind": len(self.behind),
            "members": [
                {
                    "membership_id": m.membership_id,
                    "name": m.name,
                    "role": m.role,
                    "required": m.required,
                    "hours": float(m.hours),
                    "sessions": m.sessions,
                    "expected_by_now": float(m.expected.quantize(Decimal("0.1"))),
                    "remaining": float(m.remaining),
                    "behind": m.behind,
                    "service_hours": float(m.service_hours),
                }
                for m in self.members
            ],
        }


def hours_by_person(org: Organization, year: int) -> dict[int, tuple[Decimal, int]]:
    """{person id: (hours, sessions)} credited to the organisation in the year."""
    rows = (
        Attendance.objects.filter(organization=org, year=year, state=Attendance.State.PRESENT)
        .values("person_id")
        .annotate(hours=Sum("hours"), n=Count("id"))
    )
    # SQLite sums decimals as floats: back to the field's two places.
    return {row["person_id"]: ((row["hours"] or ZERO).quantize(CENT), row["n"]) for row in rows}


def progress(org: Organization, year: int, today: datetime.date | None = None) -> OrgProgress:
    """Each active member's hours credited to the organisation in the year, against the norm
    for their role; those behind are those below the share of the norm due by today."""
    norm = norm_for(org, year)
    fraction = year_fraction(year, today)
    credited = hours_by_person(org, year)
    memberships = list(
        PartyMembership.objects.filter(organization=org, is_active=True)
        .select_related("person")
        .order_by("person__real_name", "id")
    )
    served = service_hours([m.person_id for m in memberships], year)
    members = []
    for m in memberships:
        hours, sessions = credited.get(m.person_id, (ZERO, 0))
        required = norm.required(m.role)
        members.append(
            MemberProgress(
                membership_id=m.pk,
                person_id=m.person_id,
                name=m.person.real_name,
                role=m.role,
                role_label=str(m.get_role_display()),
                required=required,
                hours=hours,
                sessions=sessions,
                expected=Decimal(required) * fraction,
                service_hours=served.get(m.person_id, ZERO),
            )
        )
    return OrgProgress(org.pk, org.name, year, norm, members)


@dataclass(frozen=True)
class RecordRow:
    date: datetime.date
    title: str
    kind: str
    organisers: str
    place: str
    method: str
    rule: str
    hours: Decimal


@dataclass(frozen=True)
class StudyRecord:
    """A member's yearly study record (学习档案): what they attended and what it gave."""

    name: str
    organization: str
    role: str
    joined_on: datetime.date | None
    year: int
    required: int
    rows: list[RecordRow]
    service_hours: Decimal
    registrations: list[str]

    @property
    def total(self) -> Decimal:
        return sum((row.hours for row in self.rows), ZERO)

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, Decimal(self.required) - self.total)


def study_record(membership: PartyMembership, year: int) -> StudyRecord:
    attendances = (
        Attendance.objects.filter(
            person_id=membership.person_id,
            organization_id=membership.organization_id,
            year=year,
            state=Attendance.State.PRESENT,
        )
        .select_related("session")
        .prefetch_related("session__organisers")
        .order_by("session__starts_at", "id")
    )
    rows = [
        RecordRow(
            date=timezone.localtime(a.session.starts_at).date(),
            title=a.session.title,
            kind=str(a.session.get_kind_display()),
            organisers="、".join(o.short_name or o.name for o in a.session.organisers.all()),
            place=a.session.where,
            method=str(a.get_method_display()),
            rule=str(a.get_rule_display()),
            hours=a.hours,
        )
        for a in attendances
    ]
    registrations = [
        f"{r.community.name}（{r.get_basis_display()}）"
        + (f"：{'、'.join(p.name for p in r.posts.all())}" if r.posts.exists() else "")
        for r in DualRegistration.objects.filter(
            membership=membership, state=DualRegistration.State.ACTIVE
        ).select_related("community")
    ]
    return StudyRecord(
        name=membership.person.real_name,
        organization=membership.organization.name,
        role=str(membership.get_role_display()),
        joined_on=membership.joined_on,
        year=year,
        required=norm_for(membership.organization, year).required(membership.role),
        rows=rows,
        service_hours=service_hours([membership.person_id], year).get(membership.person_id, ZERO),
        registrations=registrations,
    )


@dataclass(frozen=True)
class RegistrationReport:
    """A registered member's service at a community, reported to their home organisation."""

    registration_id: int
    person_id: int
    name: str
    organization: str
    community: str
    basis: str
    posts: list[str]
    registered_on: datetime.date
    service_hours: Decimal


def registration_reports(
    registrations: Iterable[DualRegistration], year: int
) -> list[RegistrationReport]:
    found = list(registrations)
    served = service_hours({r.person_id for r in found}, year)
    return [
        RegistrationReport(
            registration_id=r.pk,
            person_id=r.person_id,
            name=r.person.real_name,
            organization=r.membership.organization.name,
            community=r.community.name,
            basis=str(r.get_basis_display()),
            posts=[p.name for p in r.posts.all()],
            registered_on=timezone.localtime(r.registered_at).date(),
            service_hours=served.get(r.person_id, ZERO),
        )
        for r in found
    ]


def org_registrations(org: Organization, year: int) -> list[RegistrationReport]:
    """The registrations of an organisation's members, with their service hours in the year."""
    return registration_reports(
        DualRegistration.objects.filter(
            membership__organization=org, state=DualRegistration.State.ACTIVE
        )
        .select_related("person", "community", "membership__organization")
        .prefetch_related("posts")
        .order_by("person__real_name", "id"),
        year,
    )


def community_registrations(community_id: int, year: int) -> list[RegistrationReport]:
    return registration_reports(
        DualRegistration.objects.filter(
            community_id=community_id, state=DualRegistration.State.ACTIVE
        )
        .select_related("person", "community", "membership__organization")
        .prefetch_related("posts")
        .order_by("membership__organization__name", "person__real_name", "id"),
        year,
    )
