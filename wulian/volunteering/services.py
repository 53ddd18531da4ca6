"""The volunteer-hours ledger: every write is one function here, transactional, audited and
refusing with a coded `DomainError`; people are told after commit.

Records are append-only: nothing here updates a record's facts or deletes one. A manual entry
moves pending → confirmed / declined once (the second person's confirmation); a correction is a
new entry that reverses or adjusts the record it corrects.

The read side (`totals`, `honour_roll`) is computed from the counted entries only, by one
function each, which the roll, the certificate, the summary command and the export all call.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.activities.models import Activity, SignUp
from wulian.activities.services import VolunteerHours, volunteer_hours
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.text import fold, mask_name
from wulian.core.workflow import Workflow, transition
from wulian.notifications.services import tell
from wulian.orgs.models import Membership, Organization
from wulian.places.models import Region, StaffAssignment
from wulian.places.rules import covers
from wulian.volunteering.models import (
    ZERO,
    Award,
    Badge,
    Certificate,
    CorrectionRequest,
    RollOptOut,
    VolunteerRecord,
)

audit.register_actions(
    {
        "hours.recorded": gettext_lazy("recorded volunteer hours"),
        "hours.entered": gettext_lazy("entered volunteer hours for confirmation"),
        "hours.confirmed": gettext_lazy("confirmed the volunteer hours"),
        "hours.declined": gettext_lazy("did not confirm the volunteer hours"),
        "hours.correction_asked": gettext_lazy("asked for a correction"),
        "hours.corrected": gettext_lazy("corrected the volunteer record"),
        "hours.correction_declined": gettext_lazy("declined the correction"),
        "hours.certificate": gettext_lazy("issued a volunteer service certificate"),
        "hours.badge": gettext_lazy("awarded a badge"),
        "hours.opt_out": gettext_lazy("changed the honour roll choice"),
    }
)

#: hours counted per person and day on the honour roll, so that no one games it
DAILY_CAP = Decimal("8")
HUNDREDTH = Decimal("0.01")
MAX_HOURS = Decimal("24")

_R = VolunteerRecord.State
RECORD_FLOW = Workflow(
    VolunteerRecord,
    moves={_R.PENDING: {_R.CONFIRMED, _R.DECLINED}},
    code="record.bad_state",
    refusal=gettext_lazy("This record is %(state)s and cannot be changed that way."),
    describe=lambda r: {"person": mask_name(r.person.real_name), "hours": str(r.hours)},
)
_C = CorrectionRequest.State
CORRECTION_FLOW = Workflow(
    CorrectionRequest,
    moves={_C.OPEN: {_C.CORRECTED, _C.DECLINED}},
    code="correction.bad_state",
    refusal=gettext_lazy("This request is %(state)s and cannot be answered again."),
    subject=lambda c: c.record,
)


def hours_of(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


# ================================================================== periods


@dataclass(frozen=True)
class Period:
    key: str
    starts_on: datetime.date
    ends_on: datetime.date

    @property
    def year(self) -> int:
        return self.starts_on.year

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.starts_on <= day <= self.ends_on


_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")


def parse_period(text: str) -> Period:
    """`2026` (a year), `2026-Q2` (a quarter), `2026-03` (a month)."""
    match = _PERIOD.match(text.strip().upper())
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise DomainError(
            "period.bad", _("Give a period as 2026, 2026-Q2 or 2026-03."), period=text
        )
    year = int(match.group(1))
    if match.group(2):
        quarter = int(match.group(2))
        first, last = 3 * quarter - 2, 3 * quarter
        return Period(
            f"{year}-Q{quarter}",
            datetime.date(year, first, 1),
            datetime.date(year, last, calendar.monthrange(year, last)[1]),
        )
    if match.group(3):
        month = int(match.group(3))
        return Period(
            f"{year}-{month:02d}",
            datetime.date(year, month, 1),
            datetime.date(year, month, calendar.monthrange(year, month)[1]),
        )
    return Period(str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def current_period(kind: str = "year", today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    if kind == "month":
        return parse_period(f"{today.year}-{today.month:02d}")
    if kind == "quarter":
        return parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    return parse_period(str(today.year))


# ================================================================== writing records


def community_body(community: Region) -> Organization:
    """The residents' committee (社区党委 / 居委会) of a community: it issues certificates."""
    body = (
        Organization.objects.filter(
            region=community, kind=Organization.Kind.COMMUNITY, is_active=True
        )
        .order_by("pk")
        .first()
    )
    if body is None:
        raise DomainError(
            "hours.no_committee",
            _("%(community)s has no residents' committee on the platform.")
            % {"community": community.name},
        )
    return body


def _create(record: VolunteerRecord) -> VolunteerRecord | None:
    """Save a new record; None when its source object is recorded already."""
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        if (
            record.source_key
            and VolunteerRecord.objects.filter(source_key=record.source_key).exists()
        ):
            return None
        raise
    return record


def _check_hours(
    hours: Decimal, started_at: datetime.datetime, ended_at: datetime.datetime
) -> None:
    if ended_at <= started_at:
        raise DomainError("hours.bad_times", _("The service must end after it starts."))
    if not ZERO < hours <= MAX_HOURS:
        raise DomainError("hours.bad_hours", _("Hours must be more than 0 and at most 24."))
    span = Decimal(str((ended_at - started_at).total_seconds() / 3600))
    if hours > hours_of(span):
        raise DomainError(
            "hours.more_than_span",
            _("The hours cannot exceed the time from start to end (%(span)s h).")
            % {"span": hours_of(span)},
        )


def _organising_host(activity: Activity, host_ids: Sequence[int]) -> Organization:
    """Of an activity's co-hosts, the one that organised it: the host its organiser belongs
    to, else the first; the community's committee when it has none."""
    hosts = list(Organization.objects.filter(pk__in=host_ids).order_by("pk"))
    if not hosts:
        return community_body(activity.community)
    mine = set(
        Membership.objects.filter(
            user_id=activity.created_by_id, organization__in=hosts
        ).values_list("organization_id", flat=True)
    )
    return next((h for h in hosts if h.pk in mine), hosts[0])


def record_activity_hours(records: Iterable[VolunteerHours]) -> int:
    """Write the system-verified records of activity check-outs, once per volunteer and
    activity: a repeated signal or a sweep over the same check-outs writes nothing more."""
    written = 0
    for item in records:
        if item.hours <= 0:
            continue
        key = f"activity:{item.activity_id}:{item.person_id}"
        if VolunteerRecord.objects.filter(source_key=key).exists():
            continue
        activity = Activity.objects.select_related("booking__venue", "community").get(
            pk=item.activity_id
        )
        body = _organising_host(activity, item.organisation_ids)
        service = activity.title + (f"（{item.task}）" if item.task else "")
        with transaction.atomic():
            record = _create(
                VolunteerRecord(
                    person_id=item.person_id,
                    community_id=item.community_id,
                    organization=body,
                    source=VolunteerRecord.Source.ACTIVITY,
                    service=service[:200],
                    place=activity.where[:200],
                    date=timezone.localtime(item.started_at).date(),
                    started_at=item.started_at,
                    ended_at=item.ended_at,
                    hours=hours_of(item.hours),
                    activity=activity,
                    organiser_id=activity.created_by_id,
                    source_key=key,
                    confirmed_at=item.ended_at,
                    note=_("Checked in and out at the activity."),
                )
            )
            if record is None:
                continue
            audit.record(
                None,
                "hours.recorded",
                record,
                after={"source": record.source, "hours": str(record.hours)},
                community=record.community,
            )
        written += 1
    return written


def sweep_activity_hours(days: int = 30) -> int:
    """Catch up check-outs whose signal was lost (a worker stopped after the commit)."""
    since = timezone.now() - datetime.timedelta(days=days)
    signups = (
        SignUp.objects.filter(
            role=SignUp.Role.VOLUNTEER,
            checked_in_at__isnull=False,
            checked_out_at__gte=since,
        )
        .select_related("activity")
        .order_by("pk")
    )
    return record_activity_hours(volunteer_hours(*signups))


@dataclass(frozen=True)
class ProjectHoursLine:
    person: User
    date: datetime.date
    starts: datetime.time
    ends: datetime.time
    hours: Decimal
    task: str = ""


def _aware(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, at))


def report_project_hours(
    actor: User, project: Any, lines: Sequence[ProjectHoursLine], *, report_key: str = ""
) -> list[VolunteerRecord]:
    """The project's organiser reports the hours volunteers served on a co-built project; the
    claiming body answers for them (谁组织、谁记录). `report_key` makes a retried report count
    once."""
    if not actor.has_perm("lists.report_progress", project):
        raise NotAllowed("hours.not_organiser", _("Only the project's organisers report hours."))
    if project.state not in ("active", "stalled", "completed"):
        raise Conflict("hours.project_not_started", _("Hours are reported once work has begun."))
    if not lines:
        raise DomainError("hours.no_lines", _("Add at least one volunteer's hours."))
    claim = project.claim
    body = claim.organization or community_body(project.community)
    today = timezone.localdate()
    written: list[VolunteerRecord] = []
    with transaction.atomic():
        for n, line in enumerate(lines):
            started, ended = _aware(line.date, line.starts), _aware(line.date, line.ends)
            hours = hours_of(line.hours)
            _check_hours(hours, started, ended)
            if line.date > today:
                raise DomainError("hours.future", _("Hours are recorded after the service."))
            key = f"project:{project.pk}:{report_key}:{n}" if report_key else None
            record = _create(
                VolunteerRecord(
                    person=line.person,
                    community=project.community,
                    organization=body,
                    source=VolunteerRecord.Source.PROJECT,
                    service=(project.title + (f"（{line.task}）" if line.task else ""))[:200],
                    date=line.date,
                    started_at=started,
                    ended_at=ended,
                    hours=hours,
                    project=project,
                    organiser=actor,
                    source_key=key,
                    recorded_by=actor,
                    confirmed_by=actor,
                    confirmed_at=timezone.now(),
                )
            )
            if record is None:
                continue
            audit.record(
                actor,
                "hours.recorded",
                record,
                after={"source": record.source, "hours": str(hours), "project": project.pk},
                community=record.community,
            )
            written.append(record)
    return written


@dataclass(frozen=True)
class ManualInput:
    person: User
    service: str
    date: datetime.date
    starts: datetime.time
    ends: datetime.time
    hours: Decimal
    place: str = ""
    note: str = ""


def enter_hours(actor: User, body: Organization, data: ManualInput) -> VolunteerRecord:
    """An organiser of the body enters hours by hand; a second person of the body confirms."""
    if not actor.has_perm("volunteering.record_for", body):
        raise NotAllowed("hours.not_organiser", _("Only the organising body records its hours."))
    if not data.service.strip():
        raise DomainError("hours.no_service", _("Say what the service was."))
    if data.date > timezone.localdate():
        raise DomainError("hours.future", _("Hours are recorded after the service."))
    community = body.region if body.region.is_community else data.person.community
    if community is None or not community.is_community:
        raise DomainError("hours.no_community", _("The volunteer belongs to no community."))
    started, ended = _aware(data.date, data.starts), _aware(data.date, data.ends)
    hours = hours_of(data.hours)
    _check_hours(hours, started, ended)
    with transaction.atomic():
        record = VolunteerRecord.objects.create(
            person=data.person,
            community=community,
            organization=body,
            source=VolunteerRecord.Source.MANUAL,
            state=VolunteerRecord.State.PENDING,
            service=data.service.strip()[:200],
            place=data.place.strip()[:200],
            date=data.date,
            started_at=started,
            ended_at=ended,
            hours=hours,
            organiser=actor,
            note=data.note.strip()[:300],
            recorded_by=actor,
        )
        audit.record(
            actor,
            "hours.entered",
            record,
            after={"person": mask_name(data.person.real_name), "hours": str(hours)},
            community=community,
        )
        others = [
            m.user
            for m in body.memberships.select_related("user").exclude(user=actor)
            if m.user.is_active
        ]
        transaction.on_commit(
            lambda: tell(
                others,
                "hours.to_confirm",
                gettext_lazy("Volunteer hours to confirm: %(service)s"),
                url=reverse("volunteering:body", args=[body.pk]),
                obj=record,
                service=record.service,
            )
        )
    return record


def _second_person(actor: User, record: VolunteerRecord) -> None:
    if not actor.has_perm("volunteering.manage_record", record):
        raise NotAllowed("hours.not_organiser", _("Only the organising body confirms its hours."))
    if record.recorded_by_id == actor.pk:
        raise NotAllowed(
            "hours.same_person", _("A second person of the organising body must confirm it.")
        )


def confirm_hours(actor: User, record: VolunteerRecord) -> VolunteerRecord:
    _second_person(actor, record)
    done = transition(
        RECORD_FLOW,
        record,
        _R.CONFIRMED,
        actor,
        action="hours.confirmed",
        guard=lambda locked: _second_person(actor, locked),
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )
    transaction.on_commit(
        lambda: tell(
            [done.person],
            "hours.confirmed",
            gettext_lazy("Your volunteer hours were confirmed: %(service)s, %(hours)s h"),
            url=reverse("volunteering:mine"),
            obj=done,
            service=done.service,
            hours=str(done.hours),
        )
    )
    return done


def decline_hours(actor: User, record: VolunteerRecord, reason: str) -> VolunteerRecord:
    _second_person(actor, record)
    if not reason.strip():
        raise DomainError("hours.no_reason", _("Give the reason."))
    return transition(
        RECORD_FLOW,
        record,
        _R.DECLINED,
        actor,
        action="hours.declined",
        note=reason.strip()[:300],
        guard=lambda locked: _second_person(actor, locked),
        decline_reason=reason.strip()[:300],
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )


# ================================================================== corrections


def net_hours(record: VolunteerRecord) -> Decimal:
    """A record's hours with its confirmed corrections applied."""
    if record.state != _R.CONFIRMED:
        return ZERO
    corrections = VolunteerRecord.objects.filter(corrects=record).counted()
    return record.hours + sum((c.hours for c in corrections), ZERO)


def ask_correction(
    actor: User, record: VolunteerRecord, reason: str, hours: Decimal | None = None
) -> CorrectionRequest:
    if not actor.has_perm("volunteering.ask_correction", record):
        raise NotAllowed("correction.not_yours", _("Only the volunteer asks to correct a record."))
    if record.kind != VolunteerRecord.Kind.ENTRY or record.state != _R.CONFIRMED:
        raise Conflict("correction.not_correctable", _("Only a confirmed record is corrected."))
    if not reason.strip():
        raise DomainError("correction.no_reason", _("Say what is wrong with the record."))
    if hours is not None and not ZERO <= hours_of(hours) <= MAX_HOURS:
        raise DomainError("hours.bad_hours", _("Hours must be from 0 to 24."))
    with transaction.atomic():
        locked = VolunteerRecord.objects.select_for_update().get(pk=record.pk)
        if CorrectionRequest.objects.filter(record=locked, state=_C.OPEN).exists():
            raise Conflict("correction.open", _("A correction of this record is already asked."))
        try:
            with transaction.atomic():
                request = CorrectionRequest.objects.create(
                    record=locked,
                    requested_by=actor,
                    reason=reason.strip()[:1000],
                    hours=hours_of(hours) if hours is not None else None,
                )
        except IntegrityError:  # asked at the same moment from another device
            raise Conflict(
                "correction.open", _("A correction of this record is already asked.")
            ) from None
        audit.record(
            actor,
            "hours.correction_asked",
            locked,
            after={"hours": str(request.hours) if request.hours is not None else ""},
            community=locked.community,
            note=request.reason,
        )
        organisers = [locked.organization]
        transaction.on_commit(
            lambda: tell(
                organisers,
                "hours.correction",
                gettext_lazy("A volunteer asks to correct a record: %(service)s"),
                url=reverse("volunteering:correction", args=[request.pk]),
                obj=request,
                service=locked.service,
            )
        )
    return request


def _answering(actor: User, request: CorrectionRequest) -> None:
    if not actor.has_perm("volunteering.answer_correction", request):
        raise NotAllowed("correction.not_organiser", _("Only the organising body answers."))


def correct_record(
    actor: User, request: CorrectionRequest, hours: Decimal | None, answer: str = ""
) -> CorrectionRequest:
    """Accept the correction: a new entry brings the record to `hours` (0 reverses it)."""
    _answering(actor, request)
    hours = request.hours if hours is None else hours
    if hours is None:
        raise DomainError("correction.no_hours", _("Give the hours the record should hold."))
    target = hours_of(hours)
    if not ZERO <= target <= MAX_HOURS:
        raise DomainError("hours.bad_hours", _("Hours must be from 0 to 24."))
    now = timezone.now()
    with transaction.atomic():
        record = VolunteerRecord.objects.select_for_update().get(pk=request.record_id)
        delta = target - net_hours(record)
        if delta == ZERO:
            raise Conflict("correction.no_change", _("The record already holds these hours."))
        entry = VolunteerRecord.objects.create(
            person_id=record.person_id,
            community_id=record.community_id,
            organization_id=record.organization_id,
            source=record.source,
            kind=VolunteerRecord.Kind.REVERSAL
            if target == ZERO
            else VolunteerRecord.Kind.ADJUSTMENT,
            service=record.service,
            place=record.place,
            date=record.date,
            started_at=record.started_at,
            ended_at=record.ended_at,
            hours=delta,
            activity_id=record.activity_id,
            project_id=record.project_id,
            organiser_id=record.organiser_id,
            corrects=record,
            note=(answer or request.reason).strip()[:300],
            recorded_by=actor,
            confirmed_by=actor,
            confirmed_at=now,
        )
        done = transition(
            CORRECTION_FLOW,
            request,
            _C.CORRECTED,
            actor,
            action="hours.corrected",
            note=answer.strip()[:1000],
            answer=answer.strip()[:1000],
            answered_by=actor,
            answered_at=now,
            entry=entry,
        )
        transaction.on_commit(
            lambda: tell(
                [record.person],
                "hours.corrected",
                gettext_lazy("Your volunteer record was corrected: %(service)s, now %(hours)s h"),
                url=reverse("volunteering:mine"),
                obj=done,
                service=record.service,
                hours=str(target),
            )
        )
    return done


def decline_correction(actor: User, request: CorrectionRequest, answer: str) -> CorrectionRequest:
    _answering(actor, request)
    if not answer.strip():
        raise DomainError("correction.no_reason", _("Give the reason for declining."))
    done = transition(
        CORRECTION_FLOW,
        request,
        _C.DECLINED,
        actor,
        action="hours.correction_declined",
        note=answer.strip()[:1000],
        answer=answer.strip()[:1000],
        answered_by=actor,
        answered_at=timezone.now(),
    )
    transaction.on_commit(
        lambda: tell(
            [done.record.person],
            "hours.correction_declined",
            gettext_lazy("Your correction request was declined: %(service)s"),
            detail=done.answer,
            url=reverse("volunteering:mine"),
            obj=done,
            service=done.record.service,
        )
    )
    return done


# ================================================================== reading the ledger


def service_key(record: VolunteerRecord | Line) -> str:
    """What makes two records the same service, for breadth and for leading."""
    if record.activity_id:
        return f"a{record.activity_id}"
    if record.project_id:
        return f"p{record.project_id}"
    return "m" + fold(record.service)


def led_key(record: VolunteerRecord) -> str:
    """One service led: an activity, a project, or a manual service on one day."""
    key = service_key(record)
    return f"{key}@{record.date.isoformat()}" if key.startswith("m") else key


def counted_records(
    period: Period, *, community: Region | None = None, person: Any = None, body: Any = None
) -> list[VolunteerRecord]:
    query = VolunteerRecord.objects.counted().filter(
        date__gte=period.starts_on, date__lte=period.ends_on
    )
    if community is not None:
        query = query.filter(community=community)
    if person is not None:
        query = query.filter(person=person)
    if body is not None:
        query = query.filter(organization=body)
    return list(
        query.select_related("person", "organization", "recorded_by", "confirmed_by").order_by(
            "date", "pk"
        )
    )


@dataclass(frozen=True, slots=True)
class Line:
    """What the sums read of a record: the roll and the community's figures read thousands."""

    person_id: int
    name: str
    hours: Decimal
    source: str
    date: datetime.date
    activity_id: int | None
    project_id: int | None
    service: str


def counted_lines(period: Period, community: Region) -> list[Line]:
    rows = (
        VolunteerRecord.objects.counted()
        .filter(community=community, date__gte=period.starts_on, date__lte=period.ends_on)
        .order_by("date", "pk")
        .values_list(
            "person_id",
            "person__real_name",
            "hours",
            "source",
            "date",
            "activity_id",
            "project_id",
            "service",
        )
    )
    return [Line(*row) for row in rows]


@dataclass
class Totals:
    person_id: int
    name: str = ""
    hours: Decimal = ZERO  # every confirmed hour
    verified: Decimal = ZERO  # from activity check-ins
    project: Decimal = ZERO
    manual: Decimal = ZERO
    ranked: Decimal = ZERO  # with the daily ceiling, for the roll
    services: int = 0
    days: int = 0
    _keys: dict[str, Decimal] = field(default_factory=dict, repr=False)
    _per_day: dict[datetime.date, Decimal] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "hours": str(self.hours),
            "verified_hours": str(self.verified),
            "project_hours": str(self.project),
            "manual_hours": str(self.manual),
            "ranked_hours": str(self.ranked),
            "services": self.services,
            "days": self.days,
        }


def totals(records: Iterable[VolunteerRecord | Line]) -> dict[int, Totals]:
    """Per person: hours by source, hours with the daily ceiling, services and days served."""
    out: dict[int, Totals] = {}
    for r in records:
        t = out.get(r.person_id)
        if t is None:
            name = r.name if isinstance(r, Line) else r.person.real_name
            t = out[r.person_id] = Totals(r.person_id, name)
        t.hours += r.hours
        if r.source == VolunteerRecord.Source.ACTIVITY:
            t.verified += r.hours
        elif r.source == VolunteerRecord.Source.PROJECT:
            t.project += r.hours
        else:
            t.manual += r.hours
        key = service_key(r)
        t._keys[key] = t._keys.get(key, ZERO) + r.hours
        t._per_day[r.date] = t._per_day.get(r.date, ZERO) + r.hours
    for t in out.values():
        t.services = sum(1 for v in t._keys.values() if v > ZERO)
        t.days = sum(1 for v in t._per_day.values() if v > ZERO)
        t.ranked = sum((min(DAILY_CAP, v) for v in t._per_day.values() if v > ZERO), ZERO)
    return out


@dataclass(frozen=True)
class CommunityHours:
    """A community's volunteering in a period, for dashboards and reports."""

    volunteers: int
    hours: Decimal
    verified: Decimal
    services: int


def community_hours(community: Region, period: Period) -> CommunityHours:
    records = counted_lines(period, community)
    table = totals(records)
    return CommunityHours(
        volunteers=sum(1 for t in table.values() if t.hours > 0),
        hours=sum((t.hours for t in table.values()), ZERO),
        verified=sum((t.verified for t in table.values()), ZERO),
        services=len({service_key(r) for r in records}),
    )


def person_totals(person: Any, period: Period) -> Totals:
    return totals(counted_records(period, person=person)).get(person.pk, Totals(person.pk))


@dataclass(frozen=True)
class RollRow:
    rank: int
    person_id: int
    name: str
    masked_name: str
    opted_out: bool
    totals: Totals


def honour_roll(community: Region, period: Period, *, public: bool = True) -> list[RollRow]:
    """社区群英榜: ranked by confirmed hours with the daily ceiling, ties broken by the number
    of different services; people tied on both share a rank. The public roll leaves out those
    who opted out; staff see everyone, opted-out people marked."""
    table = [t for t in totals(counted_lines(period, community)).values() if t.hours > 0]
    out_ids = set(
        RollOptOut.objects.filter(person_id__in=[t.person_id for t in table]).values_list(
            "person_id", flat=True
        )
    )
    if public:
        table = [t for t in table if t.person_id not in out_ids]
    table.sort(key=lambda t: (-t.ranked, -t.services, t.person_id))
    rows: list[RollRow] = []
    for n, t in enumerate(table):
        previous = rows[-1] if rows else None
        same = previous is not None and (previous.totals.ranked, previous.totals.services) == (
            t.ranked,
            t.services,
        )
        rank = previous.rank if same and previous else n + 1
        rows.append(
            RollRow(rank, t.person_id, t.name, mask_name(t.name), t.person_id in out_ids, t)
        )
    return rows


def set_roll_choice(actor: User, *, show: bool) -> bool:
    with transaction.atomic():
        if show:
            changed = RollOptOut.objects.filter(person=actor).delete()[0] > 0
        else:
            changed = RollOptOut.objects.get_or_create(person=actor)[1]
        if changed:
            audit.record(actor, "hours.opt_out", actor, after={"public": show})
    return show


def is_on_public_roll(person: Any) -> bool:
    return not RollOptOut.objects.filter(person=person).exists()


# ================================================================== certificates


@dataclass(frozen=True)
class CertificateLine:
    date: datetime.date
    service: str
    organization: str
    source: str
    hours: Decimal


def certificate_lines(person: Any, period: Period) -> list[CertificateLine]:
    """One line per service record with its corrections folded in, zero lines left out."""
    net: dict[int, Decimal] = defaultdict(lambda: ZERO)
    first: dict[int, VolunteerRecord] = {}
    for r in counted_records(period, person=person):
        origin = r.corrects_id or r.pk
        net[origin] += r.hours
        if r.corrects_id is None:
            first[origin] = r
    return [
        CertificateLine(r.date, r.service, r.organization.name, r.source, net[pk])
        for pk, r in first.items()
        if net[pk] != ZERO
    ]


def _handler(actor: User, community: Region) -> User | None:
    if covers(actor, community):
        return actor
    assignment = (
        StaffAssignment.objects.filter(region=community)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return assignment.user if assignment else None


def issue_certificate(actor: User, person: User, period: Period) -> Certificate:
    """A certificate of the person's confirmed hours in the period, issued by the
    residents' committee of their community. Asked again for the same hours, the same
    certificate comes back; when the hours changed, a new one is numbered."""
    if not actor.has_perm("volunteering.issue_certificate", person):
        raise NotAllowed("certificate.not_allowed", _("You may not issue this certificate."))
    community = person.community
    if community is None:
        raise DomainError("certificate.no_community", _("The volunteer belongs to no community."))
    lines = certificate_lines(person, period)
    if not lines:
        raise Conflict("certificate.no_hours", _("No confirmed hours in this period."))
    t = person_totals(person, period)
    payload = [
        {
            "date": line.date.isoformat(),
            "service": line.service,
            "organization": line.organization,
            "source": line.source,
            "hours": str(line.hours),
        }
        for line in lines
    ]
    digest = hashlib.sha256(
        json.dumps([payload, str(t.hours)], ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    existing = Certificate.objects.filter(person=person, period=period.key, digest=digest).first()
    if existing is not None:
        return existing
    issuer = community_body(community)
    with transaction.atomic():
        try:
            with transaction.atomic():
                cert = Certificate.objects.create(
                    number=f"tmp-{digest[:30]}",
                    person=person,
                    community=community,
                    issuer=issuer,
                    handled_by=_handler(actor, community),
                    period=period.key,
                    starts_on=period.starts_on,
                    ends_on=period.ends_on,
                    hours=t.hours,
                    verified_hours=t.verified,
                    lines=payload,
                    digest=digest,
                    issued_by=actor,
                )
        except IntegrityError:
            return Certificate.objects.get(person=person, period=period.key, digest=digest)
        issued = timezone.localtime(cert.issued_at)
        cert.number = f"ZYFW{issued:%Y}{community.pk:03d}{cert.pk:06d}"
        cert.save(update_fields=["number"])
        audit.record(
            actor,
            "hours.certificate",
            cert,
            after={"number": cert.number, "period": period.key, "hours": str(t.hours)},
            community=community,
        )
    return cert


def certificate_by_token(token: str) -> Certificate | None:
    if not token or len(token) > 40:
        return None
    return Certificate.objects.select_related("issuer", "person").filter(token=token).first()


# ================================================================== badges


def _eligible(badge: Badge) -> list[tuple[int, str, str]]:
    """(person id, period key, reason) for everyone the badge's rule now fits."""
    counted = VolunteerRecord.objects.counted()
    if badge.rule == Badge.Rule.FIRST_SERVICE:
        people = counted.filter(kind=VolunteerRecord.Kind.ENTRY).values_list("person_id", flat=True)
        return [(pk, "", "") for pk in sorted(set(people))]
    if badge.rule == Badge.Rule.HOURS:
        sums: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for pk, hours in counted.values_list("person_id", "hours"):
            sums[pk] += hours
        return [
            (pk, "", f"{total} h") for pk, total in sorted(sums.items()) if total >= badge.threshold
        ]
    if badge.rule == Badge.Rule.LEADER:
        led: dict[tuple[int, int], set[str]] = defaultdict(set)
        for r in counted.filter(kind=VolunteerRecord.Kind.ENTRY, organiser__isnull=False):
            assert r.organiser_id is not None
            led[(r.organiser_id, r.date.year)].add(led_key(r))
        return [
            (pk, str(year), str(len(keys)))
            for (pk, year), keys in sorted(led.items())
            if len(keys) >= badge.threshold
        ]
    return []


def _give(badge: Badge, person_id: int, period: str, reason: str, actor: User | None) -> bool:
    """One award, once: the unique constraint decides between two workers."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    badge=badge, person_id=person_id, period=period, reason=reason, awarded_by=actor
                )
        except IntegrityError:
            return False
        person = User.objects.get(pk=person_id)
        audit.record(
            actor,
            "hours.badge",
            award,
            after={"badge": badge.code, "period": period},
            community=person.community,
        )
        tell(
            [person],
            "hours.badge",
            gettext_lazy("You have earned the badge %(badge)s"),
            url=reverse("volunteering:person", args=[person.pk]),
            obj=award,
            key=f"badge:{badge.pk}:{period}",
            badge=badge.name,
        )
    return True


def award_badges() -> int:
    """Give every badge whose rule a person now meets; safe to run again, or twice at once."""
    ensure_default_badges()
    given = 0
    for badge in Badge.objects.filter(is_active=True).exclude(rule=Badge.Rule.HONORARY):
        have = set(Award.objects.filter(badge=badge).values_list("person_id", "period"))
        for person_id, period, reason in _eligible(badge):
            if (person_id, period) in have:
                continue
            given += _give(badge, person_id, period, reason, None)
    return given


def award_honorary(actor: User, person: User, badge: Badge, reason: str) -> Award:
    if not actor.has_perm("volunteering.award_badge", person.community):
        raise NotAllowed("badge.not_staff", _("Only the community's staff award badges."))
    if badge.rule != Badge.Rule.HONORARY:
        raise DomainError("badge.not_honorary", _("This badge is earned by its rule."))
    if not reason.strip():
        raise DomainError("badge.no_reason", _("Give the reason for the badge."))
    if not _give(badge, person.pk, "", reason.strip()[:300], actor):
        raise Conflict("badge.already", _("%(name)s already holds this badge.") % {"name": person})
    return Award.objects.get(badge=badge, person=person, period="")


def badges_of(person: Any) -> list[Award]:
    return list(Award.objects.filter(person=person).select_related("badge").order_by("awarded_at"))


DEFAULT_BADGES = [
    ("first-service", "首次志愿服务", Badge.Rule.FIRST_SERVICE, 0, "第一次服务邻里"),
    ("hours-10", "志愿服务10小时", Badge.Rule.HOURS, 10, "累计志愿服务满10小时"),
    ("hours-50", "志愿服务50小时", Badge.Rule.HOURS, 50, "累计志愿服务满50小时"),
    ("hours-100", "志愿服务100小时", Badge.Rule.HOURS, 100, "累计志愿服务满100小时"),
    ("hours-500", "志愿服务500小时", Badge.Rule.HOURS, 500, "累计志愿服务满500小时"),
    ("good-captain", "公益服务好连长", Badge.Rule.LEADER, 5, "一年内牵头组织至少5次服务"),
    ("honorary", "社区荣誉志愿者", Badge.Rule.HONORARY, 0, "社区授予的荣誉"),
]


def ensure_default_badges() -> int:
    made = 0
    for code, name, rule, threshold, description in DEFAULT_BADGES:
        made += Badge.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "rule": rule,
                "threshold": Decimal(threshold),
                "description": description,
            },
        )[1]
    return made
