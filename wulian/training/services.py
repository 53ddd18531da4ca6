"""Joint training and dual registration: every change is one function here, transactional,
audited, refusing with a coded `DomainError`.

Study hours are counted when an attendance is recorded, by the session's rule, and stored
with the attendance together with the rule that gave them, so a later change of the session
does not rewrite a member's record. They are credited to the member's home organisation at
that moment, even when the session was organised jointly by others.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.text import mask_name
from wulian.core.workflow import Workflow, transition
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.places.rules import covers
from wulian.training.models import (
    LEADER_MINIMUM,
    MEMBER_MINIMUM,
    Attendance,
    DualRegistration,
    PartyMembership,
    ServicePost,
    Session,
    StudyNorm,
)
from wulian.training.rules import secretary_of

audit.register_actions(
    {
        "training.enrolled": gettext_lazy("recorded the party membership"),
        "training.membership_ended": gettext_lazy("ended the party membership"),
        "training.norm_set": gettext_lazy("set the study-hour norm"),
        "training.created": gettext_lazy("organised the training session"),
        "training.cancelled": gettext_lazy("cancelled the training session"),
        "training.checked_in": gettext_lazy("checked in to the training"),
        "training.opened": gettext_lazy("opened the online class"),
        "training.attended_online": gettext_lazy("attended the online class"),
        "training.confirmed": gettext_lazy("confirmed the attendance"),
        "training.registered": gettext_lazy("registered at the community (双报到)"),
        "training.registration_ended": gettext_lazy("ended the registration"),
        "training.post_created": gettext_lazy("opened a service post"),
    }
)

CHECK_IN_EARLY = datetime.timedelta(hours=1)
CONFIRM_LATE = datetime.timedelta(hours=1)
RULE_HOURS = {
    Session.HoursRule.HALF_DAY: Decimal(4),
    Session.HoursRule.FULL_DAY: Decimal(8),
}
TENTH = Decimal("0.1")


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# ================================================================== memberships and norms


def enrol_member(
    actor: User,
    org: Organization,
    person: User,
    role: str = PartyMembership.Role.MEMBER,
    joined_on: datetime.date | None = None,
) -> PartyMembership:
    """Record that a person belongs to the organisation's party branch (their home
    organisation). A person has one at a time: a transfer ends the old one first."""
    if not actor.has_perm("training.manage_members", org):
        raise NotAllowed(
            "party.not_allowed",
            _("Only the branch secretary and the community's staff can do this."),
        )
    if role not in PartyMembership.Role.values:
        raise DomainError(
            "party.bad_role", _("Choose member, branch secretary or committee member.")
        )
    if joined_on is not None and joined_on > timezone.localdate():
        raise DomainError("party.future_date", _("The date of joining cannot be in the future."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=person.pk)
        current = PartyMembership.objects.filter(person=person, is_active=True).first()
        if current is not None:
            if current.organization_id == org.pk:
                raise Conflict("party.already", _("This person is already a member here."))
            raise Conflict(
                "party.elsewhere",
                _("This person belongs to another party organisation; transfer them out first."),
            )
        membership = PartyMembership.objects.create(
            person=person, organization=org, role=role, joined_on=joined_on
        )
        if not person.is_party_member:
            User.objects.filter(pk=person.pk).update(is_party_member=True)
        audit.record(
            actor,
            "training.enrolled",
            org,
            after={"person": mask_name(person.real_name), "role": role},
            community=org.region if org.region.is_community else None,
        )
    return membership


def end_membership(actor: User, membership: PartyMembership) -> PartyMembership:
    """A transfer out (组织关系转出): the record stays, the membership is no longer active."""
    if not actor.has_perm("training.manage_members", membership.organization):
        raise NotAllowed(
            "party.not_allowed",
            _("Only the branch secretary and the community's staff can do this."),
        )
    with transaction.atomic():
        locked = PartyMembership.objects.select_for_update().get(pk=membership.pk)
        if not locked.is_active:
            raise Conflict("party.ended", _("This membership has already ended."))
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        DualRegistration.objects.filter(
            membership=locked, state=DualRegistration.State.ACTIVE
        ).update(state=DualRegistration.State.ENDED, ended_at=timezone.now())
        audit.record(
            actor,
            "training.membership_ended",
            membership.organization,
            before={"person": mask_name(membership.person.real_name), "role": locked.role},
        )
    return locked


@dataclass(frozen=True)
class Norm:
    member_hours: int
    leader_hours: int

    def required(self, role: str) -> int:
        leader = role in (PartyMembership.Role.SECRETARY, PartyMembership.Role.COMMITTEE)
        return self.leader_hours if leader else self.member_hours


def norm_for(org: Organization, year: int) -> Norm:
    """The organisation's norm for the year, or the regulation's minimum."""
    norm = StudyNorm.objects.filter(organization=org, year=year).first()
    if norm is None:
        return Norm(MEMBER_MINIMUM, LEADER_MINIMUM)
    return Norm(norm.member_hours, norm.leader_hours)


def set_norm(
    actor: User, org: Organization, year: int, member_hours: int, leader_hours: int
) -> StudyNorm:
    if not actor.has_perm("training.set_norm", org):
        raise NotAllowed(
            "norm.not_allowed",
            _("Only the branch secretary and the community's staff can do this."),
        )
    if member_hours < MEMBER_MINIMUM or leader_hours < LEADER_MINIMUM:
        raise DomainError(
            "norm.below_minimum",
            _(
                "The regulation asks at least %(member)s hours a year of members and "
                "%(leader)s of secretaries and committee members."
            )
            % {"member": MEMBER_MINIMUM, "leader": LEADER_MINIMUM},
        )
    if not 2000 <= year <= 2100:
        raise DomainError("norm.bad_year", _("Give a year between 2000 and 2100."))
    with transaction.atomic():
        norm, _created = StudyNorm.objects.select_for_update().get_or_create(
            organization=org, year=year, defaults={"set_by": actor}
        )
        before = {"member_hours": norm.member_hours, "leader_hours": norm.leader_hours}
        norm.member_hours, norm.leader_hours = member_hours, leader_hours
        norm.set_by, norm.set_at = actor, timezone.now()
        norm.save()
        audit.record(
            actor,
            "training.norm_set",
            org,
            before=before,
            after={"year": year, "member_hours": member_hours, "leader_hours": leader_hours},
        )
    return norm


# ================================================================== sessions

SESSION_FLOW = Workflow(
    Session,
    moves={Session.State.SCHEDULED: {Session.State.CANCELLED}},
    code="training.cancelled",
    refusal=gettext_lazy("This training session is %(state)s."),
)
_A = Attendance.State
ATTENDANCE_FLOW = Workflow(
    Attendance,
    moves={_A.OPENED: {_A.PRESENT}},
    code="attendance.bad_state",
    refusal=gettext_lazy("This attendance is %(state)s already."),
    community=lambda attendance: attendance.session.community,
    subject=lambda attendance: attendance.session,
    describe=lambda attendance: {"person": mask_name(attendance.person.real_name)},
)


@dataclass(frozen=True)
class SessionInput:
    title: str
    kind: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    organisers: Sequence[Organization]
    place: str = ""
    online_url: str = ""
    topics: str = ""
    hours_rule: str = Session.HoursRule.ACTUAL
    min_minutes: int = 45


def create_session(actor: User, community: Region, data: SessionInput) -> Session:
    if not actor.has_perm("training.add_session", community):
        raise NotAllowed(
            "training.not_allowed",
            _("Only the community's staff and branch secretaries organise training."),
        )
    if not data.title.strip():
        raise DomainError("training.no_title", _("Give the session a title."))
    if data.kind not in Session.Kind.values:
        raise DomainError("training.bad_kind", _("Choose the kind of session."))
    if data.hours_rule not in Session.HoursRule.values:
        raise DomainError("training.bad_rule", _("Choose how study hours are counted."))
    organisers = list({org.pk: org for org in data.organisers}.values())
    if not organisers:
        raise DomainError("training.no_organisers", _("Name at least one party organisation."))
    if any(not org.is_active for org in organisers):
        raise DomainError("training.inactive_organiser", _("An organisation is no longer active."))
    if not covers(actor, community) and not {o.pk for o in organisers} & secretary_of(actor):
        raise NotAllowed(
            "training.not_organiser", _("Your party organisation must be one of the organisers.")
        )
    if data.ends_at <= data.starts_at:
        raise DomainError("training.bad_time", _("The end must be after the start."))
    if data.starts_at.date() < (timezone.now() - datetime.timedelta(days=1)).date():
        raise DomainError("training.past", _("That time has passed."))
    if data.kind == Session.Kind.ONLINE and not data.online_url.strip():
        raise DomainError("training.no_link", _("Give the online class's link."))
    if data.kind != Session.Kind.ONLINE and not data.place.strip():
        raise DomainError("training.no_place", _("Give the place."))
    length_minutes = (data.ends_at - data.starts_at).total_seconds() / 60
    if data.kind == Session.Kind.ONLINE and not 1 <= data.min_minutes <= length_minutes:
        raise DomainError(
            "training.bad_minimum", _("The minimum time online must fit within the class.")
        )
    with transaction.atomic():
        session = Session.objects.create(
            community=community,
            title=data.title.strip()[:120],
            kind=data.kind,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            place=data.place.strip()[:200],
            online_url=data.online_url.strip(),
            topics=data.topics.strip(),
            hours_rule=data.hours_rule,
            min_minutes=max(1, int(data.min_minutes)),
            created_by=actor,
        )
        session.organisers.set(organisers)
        audit.record(
            actor,
            "training.created",
            session,
            after={"title": session.title, "organisers": [o.name for o in organisers]},
            community=community,
        )
    return session


def cancel_session(actor: User, session: Session, reason: str) -> Session:
    if not actor.has_perm("training.manage_session", session):
        raise NotAllowed("training.not_organiser", _("Only the organisers can do this."))
    if not reason.strip():
        raise DomainError("training.no_reason", _("Give the reason."))

    def nobody_attended(locked: Session) -> None:
        if locked.attendances.filter(state=Attendance.State.PRESENT).exists():
            raise Conflict(
                "training.has_attendance",
                _("Members have attended this session; it can no longer be cancelled."),
            )

    return transition(
        SESSION_FLOW,
        session,
        Session.State.CANCELLED,
        actor,
        action="training.cancelled",
        note=reason.strip(),
        guard=nobody_attended,
    )


def _lock_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=session.pk)
    )


def study_hours(
    session: Session,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> Decimal:
    """The hours an attendance earns by the session's rule: 4 for half a day, 8 for a full
    day, otherwise the actual time: the session's length, or the part of it between `start`
    and `end` (an online class's link opened and confirmed), to a tenth of an hour."""
    fixed = RULE_HOURS.get(Session.HoursRule(session.hours_rule))
    if fixed is not None:
        return fixed
    begins, ends = session.starts_at, session.ends_at
    if start is not None and end is not None:
        begins, ends = max(begins, start), min(ends, end)
    seconds = max(0.0, (ends - begins).total_seconds())
    return (Decimal(seconds) / Decimal(3600)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _home(person: User, session: Session) -> PartyMembership:
    """The person's active membership in one of the session's organisers, or a refusal."""
    membership = (
        PartyMembership.objects.filter(
            person=person, is_active=True, organization__in=session.organisers.all()
        )
        .select_related("organization")
        .first()
    )
    if membership is None:
        raise NotAllowed(
            "attendance.not_member",
            _("This session is for the party members of its organising organisations."),
        )
    return membership


def _open(session: Session) -> None:
    if session.state != Session.State.SCHEDULED:
        raise Conflict("training.cancelled", _("This training session is cancelled."))


def _year(session: Session) -> int:
    return timezone.localtime(session.starts_at).year


@dataclass(frozen=True)
class AttendResult:
    attendance: Attendance
    created: bool


def _existing(session: Session, person: User) -> Attendance | None:
    return (
        Attendance.objects.select_for_update()
        .filter(session=session, person=person)
        .select_related("person")
        .first()
    )


def _create(
    actor: User, session: Session, person: User, membership: PartyMembership, **fields: Any
) -> Attendance:
    """Insert the attendance; the constraint decides a race the session lock did not."""
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                session=session,
                person=person,
                organization=membership.organization,
                rule=session.hours_rule,
                year=_year(session),
                recorded_by=actor,
                **fields,
            )
    except IntegrityError as exc:  # pragma: no cover - the session lock serialises these
        raise Conflict("attendance.already", _("This attendance is already recorded.")) from exc


def check_in(actor: User, session: Session, token: str, nonce: str) -> AttendResult:
    """A member scans the session's QR at the door with their own phone. Once per member
    per session: a repeated scan (or a second phone) changes nothing."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed("checkin.sign_in", _("Sign in to check in."))
    if token != session.token:
        raise DomainError("checkin.bad_code", _("This QR code is not for this session."))
    nonce = nonce.strip()
    if not nonce or len(nonce) > 64:
        raise DomainError("checkin.no_nonce", _("The scan carries no valid nonce."))
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        _open(locked)
        if locked.is_online:
            raise DomainError(
                "checkin.online", _("An online class is attended from its link, not by check-in.")
            )
        membership = _home(actor, locked)
        found = _existing(locked, actor)
        if found is not None:
            return AttendResult(found, False)
        if not locked.starts_at - CHECK_IN_EARLY <= now <= locked.ends_at:
            raise Conflict(
                "checkin.not_now",
                _("Check-in opens an hour before the start and closes at the end."),
            )
        attendance = _create(
            actor,
            locked,
            actor,
            membership,
            state=Attendance.State.PRESENT,
            method=Attendance.Method.CHECK_IN,
            nonce=nonce,
            attended_at=now,
            hours=study_hours(locked),
        )
        audit.record(
            actor,
            "training.checked_in",
            locked,
            after={"person": mask_name(actor.real_name), "hours": str(attendance.hours)},
            community=locked.community,
        )
    return AttendResult(attendance, True)


def open_online(actor: User, session: Session) -> Attendance:
    """A member opens the online class's link: the time is recorded (once)."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        _open(locked)
        if not locked.is_online:
            raise DomainError("online.not_online", _("This session is not an online class."))
        membership = _home(actor, locked)
        found = _existing(locked, actor)
        if found is not None:
            return found
        if not locked.starts_at - CHECK_IN_EARLY <= now <= locked.ends_at:
            raise Conflict(
                "online.not_now",
                _("The class opens an hour before the start and closes at the end."),
            )
        attendance = _create(
            actor,
            locked,
            actor,
            membership,
            state=Attendance.State.OPENED,
            method=Attendance.Method.ONLINE,
            opened_at=now,
        )
        audit.record(
            actor,
            "training.opened",
            locked,
            after={"person": mask_name(actor.real_name)},
            community=locked.community,
        )
    return attendance


def online_ready_at(attendance: Attendance) -> datetime.datetime | None:
    """When the member may confirm their online attendance."""
    if attendance.opened_at is None:
        return None
    return attendance.opened_at + datetime.timedelta(minutes=attendance.session.min_minutes)


def confirm_online(actor: User, session: Session) -> Attendance:
    """After the minimum time with the link open, the member's page confirms it: the
    attendance counts, with the actual time (or the rule's fixed hours)."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        _open(locked)
        attendance = _existing(locked, actor)
        if attendance is None:
            raise Conflict("online.not_opened", _("Open the class's link first."))
        if attendance.state == Attendance.State.PRESENT:
            return attendance
        attendance.session = locked
        ready = online_ready_at(attendance)
        assert ready is not None
        if now < ready:
            raise Conflict(
                "online.too_soon",
                _("An online class counts after %(minutes)s minutes; you can confirm at %(time)s.")
                % {"minutes": locked.min_minutes, "time": _local(ready)},
            )
        if now > locked.ends_at + CONFIRM_LATE:
            raise Conflict(
                "online.too_late",
                _("The class is over; ask its organiser to confirm your attendance."),
            )
        return ATTENDANCE_FLOW.apply(
            attendance,
            Attendance.State.PRESENT,
            actor,
            action="training.attended_online",
            attended_at=now,
            hours=study_hours(locked, attendance.opened_at, now),
        )


def confirm_attendance(actor: User, session: Session, person: User) -> AttendResult:
    """An organiser confirms that a member attended (self-study, a phone that failed, an
    online class followed together): counted with the session's full hours."""
    if not actor.has_perm("training.manage_session", session):
        raise NotAllowed("training.not_organiser", _("Only the organisers can do this."))
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_session(session)
        _open(locked)
        if now < locked.starts_at:
            raise Conflict("confirm.not_started", _("Attendance is confirmed once it starts."))
        membership = _home(person, locked)
        found = _existing(locked, person)
        if found is not None and found.state == Attendance.State.PRESENT:
            return AttendResult(found, False)
        if found is not None:
            found.session = locked
            done = ATTENDANCE_FLOW.apply(
                found,
                Attendance.State.PRESENT,
                actor,
                action="training.confirmed",
                method=Attendance.Method.CONFIRMED,
                attended_at=now,
                hours=study_hours(locked),
                recorded_by=actor,
            )
            return AttendResult(done, True)
        attendance = _create(
            actor,
            locked,
            person,
            membership,
            state=Attendance.State.PRESENT,
            method=Attendance.Method.CONFIRMED,
            attended_at=now,
            hours=study_hours(locked),
        )
        audit.record(
            actor,
            "training.confirmed",
            locked,
            after={"person": mask_name(person.real_name), "hours": str(attendance.hours)},
            community=locked.community,
        )
    return AttendResult(attendance, True)


# ================================================================== dual registration (双报到)


def create_post(actor: User, community: Region, name: str, description: str = "") -> ServicePost:
    if not actor.has_perm("training.manage_posts", community):
        raise NotAllowed("post.not_allowed", _("Only the community's staff can do this."))
    if not name.strip():
        raise DomainError("post.no_name", _("Name the service post."))
    with transaction.atomic():
        post, created = ServicePost.objects.get_or_create(
            community=community,
            name=name.strip()[:80],
            defaults={"description": description.strip()[:300]},
        )
        if not created:
            raise Conflict("post.exists", _("This community already has such a post."))
        audit.record(actor, "training.post_created", post, community=community)
    return post


def register(
    actor: User, community: Region, basis: str, posts: Sequence[ServicePost] = ()
) -> DualRegistration:
    """A party member registers at the community where they live or work and takes on
    service posts there; their service hours are then reported to their home organisation."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed("register.sign_in", _("Sign in to register."))
    if not community.is_community:
        raise DomainError("register.not_community", _("Choose a community."))
    if basis not in DualRegistration.Basis.values:
        raise DomainError("register.bad_basis", _("Say whether you live or work there."))
    if any(p.community_id != community.pk or not p.is_active for p in posts):
        raise DomainError("register.bad_post", _("Choose the community's open service posts."))
    with transaction.atomic():
        User.objects.select_for_update().get(pk=actor.pk)
        membership = PartyMembership.objects.filter(person=actor, is_active=True).first()
        if membership is None:
            raise NotAllowed(
                "register.not_member",
                _("Only party members whose membership is recorded can register."),
            )
        if DualRegistration.objects.filter(
            person=actor, community=community, state=DualRegistration.State.ACTIVE
        ).exists():
            raise Conflict("register.already", _("You have already registered at this community."))
        registration = DualRegistration.objects.create(
            person=actor, membership=membership, community=community, basis=basis
        )
        registration.posts.set(list(posts))
        audit.record(
            actor,
            "training.registered",
            registration,
            after={"basis": basis, "posts": [p.name for p in posts]},
            community=community,
        )
    return registration


def end_registration(actor: User, registration: DualRegistration) -> DualRegistration:
    if not actor.has_perm("training.end_registration", registration):
        raise NotAllowed("register.not_allowed", _("This is not your registration."))
    with transaction.atomic():
        locked = DualRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.state != DualRegistration.State.ACTIVE:
            raise Conflict("register.ended", _("This registration has already ended."))
        locked.state = DualRegistration.State.ENDED
        locked.ended_at = timezone.now()
        locked.save(update_fields=["state", "ended_at"])
        audit.record(actor, "training.registration_ended", locked, community=registration.community)
    return locked
