"""Whistle and report: every change is one function here, transactional, audited, and
refusing with a coded `DomainError`. Notifications go out after commit (see
wulian.notifications.services.notify); their text is stored in the site's language.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core import deadlines
from wulian.core.deadlines import Step
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.workflow import Workflow, transition
from wulian.lists.models import Need
from wulian.notifications.services import tell
from wulian.orgs.models import Organization
from wulian.places.models import Compound, Region
from wulian.whistle.models import (
    DEFAULT_DEADLINES,
    DeadlinePolicy,
    Whistle,
    WhistleAction,
    WhistleCall,
    WhistlePhoto,
    WhistleType,
)

audit.register_actions(
    {
        "whistle.blown": gettext_lazy("blew the whistle"),
        "whistle.signed": gettext_lazy("signed for the call"),
        "whistle.arrived": gettext_lazy("reported for duty"),
        "whistle.action": gettext_lazy("posted what was done"),
        "whistle.handled": gettext_lazy("reported the case handled"),
        "whistle.declined": gettext_lazy("declined the call"),
        "whistle.rerouted": gettext_lazy("re-routed the call to another unit"),
        "whistle.sent_back": gettext_lazy("sent the call back"),
        "whistle.closed": gettext_lazy("confirmed the closure"),
        "whistle.rated": gettext_lazy("rated the result"),
        "whistle.reminded": gettext_lazy("a deadline is near: reminder sent"),
        "whistle.report_overdue": gettext_lazy("the report-by deadline passed: marked overdue"),
        "whistle.resolve_overdue": gettext_lazy("the resolve-by deadline passed: marked overdue"),
        "whistle.escalated": gettext_lazy("escalated to the subdistrict"),
        "whistle.deadlines_set": gettext_lazy("changed the whistle deadlines"),
    }
)

LIVE = (WhistleCall.State.CALLED, WhistleCall.State.SIGNED, WhistleCall.State.ARRIVED)
NOT_ARRIVED = (WhistleCall.State.CALLED, WhistleCall.State.SIGNED)

_S = WhistleCall.State
CALL_FLOW = Workflow(
    WhistleCall,
    moves={
        _S.CALLED: {_S.SIGNED, _S.ARRIVED, _S.HANDLED, _S.DECLINED, _S.REROUTED},
        _S.SIGNED: {_S.ARRIVED, _S.HANDLED, _S.DECLINED, _S.REROUTED},
        _S.ARRIVED: {_S.HANDLED, _S.DECLINED, _S.REROUTED},
        _S.HANDLED: {_S.ARRIVED},  # sent back
        _S.DECLINED: {_S.REROUTED},
    },
    code="call.bad_state",
    refusal=gettext_lazy("This call is %(state)s; that step is not possible now."),
    community=lambda call: call.whistle.community,
    subject=lambda call: call.whistle,
    describe=lambda call: {"unit": call.organization.name},
)
WHISTLE_FLOW = Workflow(
    Whistle,
    moves={Whistle.State.OPEN: {Whistle.State.CLOSED}},
    code="whistle.closed",
    refusal=gettext_lazy("This whistle has been closed."),
)


# ------------------------------------------------------------------ helpers


def callable_units(community: Region) -> QuerySet[Organization]:
    """Units a community can call: active ones based in it or in the regions above it."""
    return (
        Organization.objects.filter(is_active=True, region_id__in=community.ancestor_ids)
        .exclude(kind=Organization.Kind.COMMUNITY)
        .order_by("kind", "name")
    )


def deadlines_for(community: Region, type: str) -> tuple[int, int]:
    """(hours to report, hours to resolve) for a type of whistle in a community."""
    policy = DeadlinePolicy.objects.filter(community=community, type=type).first()
    if policy is not None:
        return policy.report_hours, policy.resolve_hours
    return DEFAULT_DEADLINES[type]


def set_deadline_policy(
    actor: User, community: Region, type: str, report_hours: int, resolve_hours: int
) -> DeadlinePolicy:
    if not actor.has_perm("whistle.blow", community):
        raise NotAllowed("whistle.not_staff", _("Only the community's staff can do this."))
    if type not in WhistleType.values:
        raise DomainError("whistle.bad_type", _("Choose everyday, joint action or emergency."))
    if report_hours < 1 or resolve_hours < report_hours:
        raise DomainError(
            "whistle.bad_deadlines",
            _("Allow at least one hour to report, and no less time to resolve than to report."),
        )
    with transaction.atomic():
        policy, _created = DeadlinePolicy.objects.update_or_create(
            community=community,
            type=type,
            defaults={"report_hours": report_hours, "resolve_hours": resolve_hours},
        )
        audit.record(
            actor,
            "whistle.deadlines_set",
            community,
            after={"type": type, "report_hours": report_hours, "resolve_hours": resolve_hours},
            community=community,
        )
    return policy


def community_staff(community: Region) -> QuerySet[User]:
    return User.objects.filter(staff_assignments__region=community, is_active=True).distinct()


def subdistrict_staff(community: Region) -> QuerySet[User]:
    parent_id = community.parent_id
    if parent_id is None:
        return User.objects.none()
    return User.objects.filter(staff_assignments__region_id=parent_id, is_active=True).distinct()


def whistle_url(whistle: Whistle) -> str:
    return reverse("whistle:detail", args=[whistle.pk])


def _call_units(
    units: Iterable[Organization], whistle: Whistle, report_by: datetime.datetime
) -> None:
    """Tell the units called (at the whistle, or after a re-route) to report by the deadline."""
    tell(
        units,
        "whistle.called",
        gettext_lazy("The community blows the whistle: %(title)s"),
        gettext_lazy("Report by %(time)s."),
        url=whistle_url(whistle),
        obj=whistle,
        urgent=whistle.type == WhistleType.EMERGENCY,
        title=whistle.title,
        time=_local(report_by),
    )


def _record(
    actor: User | None,
    action: str,
    call: WhistleCall,
    before: str | None = None,
    note: str = "",
    **after: Any,
) -> None:
    audit.record(
        actor,
        action,
        call.whistle,
        before={"unit": call.organization.name, "state": before} if before else None,
        after={"unit": call.organization.name, "state": call.state, **after},
        community=call.whistle.community,
        note=note,
    )


def _attach(
    actor: User,
    upload: Any,
    *,
    whistle: Whistle | None = None,
    action: WhistleAction | None = None,
) -> WhistlePhoto:
    from wulian.core.uploads import CleanFile, clean_upload

    clean = upload if isinstance(upload, CleanFile) else clean_upload(upload, allow=("image",))
    photo = WhistlePhoto.store(clean, actor, whistle=whistle, action=action)
    assert isinstance(photo, WhistlePhoto)
    return photo


# ------------------------------------------------------------------ blowing


@dataclass(frozen=True)
class WhistleInput:
    type: str
    title: str
    units: Sequence[Organization]
    text: str = ""
    compound: Compound | None = None
    place: str = ""
    report_by: datetime.datetime | None = None
    resolve_by: datetime.datetime | None = None
    need: Need | None = None
    raised_by: User | None = None
    photos: Sequence[Any] = field(default_factory=tuple)


def blow_whistle(actor: User, community: Region, data: WhistleInput) -> Whistle:
    if not actor.has_perm("whistle.blow", community):
        raise NotAllowed("whistle.not_staff", _("Only the community's staff can blow the whistle."))
    if data.type not in WhistleType.values:
        raise DomainError("whistle.bad_type", _("Choose everyday, joint action or emergency."))
    if not data.title.strip():
        raise DomainError("whistle.no_title", _("Say what the whistle is for."))
    units = list({org.pk: org for org in data.units}.values())
    if not units:
        raise DomainError("whistle.no_units", _("Call at least one unit."))
    if any(not org.is_active for org in units):
        raise DomainError("whistle.inactive_unit", _("A unit called is no longer active."))
    if data.compound is not None and data.compound.community_id != community.pk:
        raise DomainError("whistle.bad_compound", _("That compound is in another community."))
    if data.need is not None and data.need.community_id != community.pk:
        raise DomainError("whistle.bad_need", _("That need belongs to another community."))
    now = timezone.now()
    report_hours, resolve_hours = deadlines_for(community, data.type)
    report_by = data.report_by or now + datetime.timedelta(hours=report_hours)
    resolve_by = data.resolve_by or now + datetime.timedelta(hours=resolve_hours)
    if report_by <= now or resolve_by < report_by:
        raise DomainError(
            "whistle.bad_deadlines",
            _("The report-by time must be in the future and no later than the resolve-by time."),
        )
    raised_by = data.raised_by or (data.need.raised_by if data.need is not None else None)
    with transaction.atomic():
        whistle = Whistle.objects.create(
            community=community,
            type=data.type,
            title=data.title.strip()[:120],
            text=data.text.strip(),
            compound=data.compound,
            place=data.place.strip()[:200],
            report_by=report_by,
            resolve_by=resolve_by,
            need=data.need,
            raised_by=raised_by,
            created_by=actor,
            created_at=now,
        )
        for photo in data.photos:
            _attach(actor, photo, whistle=whistle)
        WhistleCall.objects.bulk_create(
            [
                WhistleCall(
                    whistle=whistle,
                    organization=org,
                    report_by=report_by,
                    resolve_by=resolve_by,
                    called_at=now,
                )
                for org in units
            ]
        )
        audit.record(
            actor,
            "whistle.blown",
            whistle,
            after={
                "type": whistle.type,
                "units": [org.name for org in units],
                "report_by": report_by.isoformat(),
                "resolve_by": resolve_by.isoformat(),
            },
            community=community,
        )
        _call_units(units, whistle, report_by)
    return whistle


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------ a unit answers


def _locked_call(call: WhistleCall) -> WhistleCall:
    return (
        WhistleCall.objects.select_for_update(of=("self",))
        .select_related("whistle__community", "organization")
        .get(pk=call.pk)
    )


def _answer(
    actor: User,
    call: WhistleCall,
    to: str,
    action: str,
    **changes: Any,
) -> WhistleCall:
    """A unit moves its own call; a handled call goes back only when staff send it back."""
    if not actor.has_perm("whistle.answer_call", call):
        raise NotAllowed(
            "call.not_member", _("Only members of the unit called can answer this call.")
        )

    def still_open(locked: WhistleCall) -> None:
        if locked.whistle.state == Whistle.State.CLOSED:
            raise Conflict("whistle.closed", _("This whistle has been closed."))
        if not locked.is_live:
            CALL_FLOW.refuse(locked)

    note = str(changes.get("decline_reason", ""))
    return transition(
        CALL_FLOW, call, to, actor, action=action, note=note, guard=still_open, **changes
    )


def sign_call(actor: User, call: WhistleCall) -> WhistleCall:
    """签收: the unit has seen the call."""
    return _answer(
        actor,
        call,
        WhistleCall.State.SIGNED,
        "whistle.signed",
        signed_at=timezone.now(),
    )


def arrive_call(actor: User, call: WhistleCall) -> WhistleCall:
    """报到: the unit is on the spot (signing for it on the way if it had not)."""
    now = timezone.now()
    signed_at = call.signed_at or now
    return _answer(
        actor,
        call,
        WhistleCall.State.ARRIVED,
        "whistle.arrived",
        signed_at=signed_at,
        arrived_at=now,
    )


def post_action(
    actor: User, call: WhistleCall, text: str, photos: Sequence[Any] = ()
) -> WhistleAction:
    if not actor.has_perm("whistle.answer_call", call):
        raise NotAllowed(
            "call.not_member", _("Only members of the unit called can answer this call.")
        )
    if not text.strip():
        raise DomainError("call.no_text", _("Write what was done."))
    with transaction.atomic():
        locked = _locked_call(call)
        if not locked.is_live and locked.state != WhistleCall.State.HANDLED:
            raise Conflict("call.bad_state", _("This call is no longer open."))
        posted = WhistleAction.objects.create(call=locked, author=actor, text=text.strip())
        for photo in photos:
            _attach(actor, photo, action=posted)
        _record(actor, "whistle.action", locked, note=posted.text)
    return posted


def handle_call(
    actor: User, call: WhistleCall, text: str = "", photos: Sequence[Any] = ()
) -> WhistleCall:
    """The unit reports the case handled; staff then confirm the closure or send it back."""
    now = timezone.now()
    with transaction.atomic():
        if text.strip() or photos:
            post_action(actor, call, text or _("Handled."), photos)
        handled = _answer(
            actor,
            call,
            WhistleCall.State.HANDLED,
            "whistle.handled",
            signed_at=call.signed_at or now,
            arrived_at=call.arrived_at or now,
            handled_at=now,
        )
        tell(
            [handled.whistle.created_by],
            "whistle.handled",
            gettext_lazy("%(unit)s reports “%(title)s” handled"),
            gettext_lazy("Confirm the closure or send it back."),
            url=whistle_url(handled.whistle),
            obj=handled.whistle,
            unit=handled.organization.name,
            title=handled.whistle.title,
        )
    return handled


def decline_call(actor: User, call: WhistleCall, reason: str) -> WhistleCall:
    """退回: the unit is not responsible; staff re-route the call."""
    if not reason.strip():
        raise DomainError("call.no_reason", _("Say why the unit is not responsible."))
    with transaction.atomic():
        declined = _answer(
            actor,
            call,
            WhistleCall.State.DECLINED,
            "whistle.declined",
            declined_at=timezone.now(),
            decline_reason=reason.strip(),
        )
        tell(
            community_staff(declined.whistle.community),
            "whistle.declined",
            gettext_lazy("%(unit)s declined “%(title)s”"),
            gettext_lazy("Reason: %(reason)s. Re-route the call to another unit."),
            url=whistle_url(declined.whistle),
            obj=declined.whistle,
            unit=declined.organization.name,
            title=declined.whistle.title,
            reason=declined.decline_reason,
        )
    return declined


# ------------------------------------------------------------------ staff


def _check_call_staff(actor: User, call: WhistleCall) -> None:
    if not actor.has_perm("whistle.manage_call", call):
        raise NotAllowed("whistle.not_staff", _("Only the community's staff can do this."))


def _check_staff(actor: User, whistle: Whistle) -> None:
    if not actor.has_perm("whistle.manage_whistle", whistle):
        raise NotAllowed("whistle.not_staff", _("Only the community's staff can do this."))


def reroute_call(actor: User, call: WhistleCall, to: Organization) -> WhistleCall:
    """Staff send a declined (or stuck) call to another unit, with fresh deadlines."""
    _check_call_staff(actor, call)
    if not to.is_active:
        raise DomainError("whistle.inactive_unit", _("A unit called is no longer active."))
    if to.pk == call.organization_id:
        raise DomainError("call.same_unit", _("Choose another unit."))
    now = timezone.now()
    with transaction.atomic():
        locked = _locked_call(call)
        whistle = Whistle.objects.select_for_update().get(pk=locked.whistle_id)
        if whistle.state == Whistle.State.CLOSED:
            raise Conflict("whistle.closed", _("This whistle has been closed."))
        if not CALL_FLOW.can_move(locked, WhistleCall.State.REROUTED):
            raise Conflict("call.bad_state", _("Only a declined or open call can be re-routed."))
        if (
            whistle.calls.filter(organization=to)
            .exclude(state__in=[WhistleCall.State.DECLINED, WhistleCall.State.REROUTED])
            .exists()
        ):
            raise Conflict("call.already_called", _("That unit is already called."))
        report_hours = deadlines_for(whistle.community, whistle.type)[0]
        report_by = max(locked.report_by, now + datetime.timedelta(hours=report_hours))
        resolve_by = max(locked.resolve_by, report_by)
        new = WhistleCall.objects.create(
            whistle=whistle,
            organization=to,
            report_by=report_by,
            resolve_by=resolve_by,
            called_at=now,
        )
        CALL_FLOW.apply(
            locked,
            WhistleCall.State.REROUTED,
            actor,
            action="whistle.rerouted",
            after={"to": to.name},
            rerouted_at=now,
            rerouted_to=new,
        )
        _call_units([to], whistle, report_by)
    return new


def send_back_call(actor: User, call: WhistleCall, reason: str) -> WhistleCall:
    """Staff are not satisfied with a handled call: it goes back to the unit."""
    _check_call_staff(actor, call)
    if not reason.strip():
        raise DomainError("call.no_reason", _("Say what is still to be done."))
    with transaction.atomic():
        locked = _locked_call(call)
        if locked.whistle.state == Whistle.State.CLOSED:
            raise Conflict("whistle.closed", _("This whistle has been closed."))
        if locked.state != WhistleCall.State.HANDLED:
            raise Conflict("call.bad_state", _("Only a handled call can be sent back."))
        CALL_FLOW.apply(
            locked,
            WhistleCall.State.ARRIVED,
            actor,
            action="whistle.sent_back",
            note=reason,
            handled_at=None,
            sent_back_at=timezone.now(),
            sent_back_count=locked.sent_back_count + 1,
        )
        tell(
            [locked.organization],
            "whistle.sent_back",
            gettext_lazy("“%(title)s” was sent back"),
            reason.strip(),
            url=whistle_url(locked.whistle),
            obj=locked.whistle,
            title=locked.whistle.title,
        )
    return locked


def confirm_closure(actor: User, whistle: Whistle) -> Whistle:
    """Staff confirm that every unit's part is done: the whistle closes."""
    _check_staff(actor, whistle)
    now = timezone.now()
    with transaction.atomic():
        locked = Whistle.objects.select_for_update().select_related("community").get(pk=whistle.pk)
        if locked.state == Whistle.State.CLOSED:
            raise Conflict("whistle.closed", _("This whistle has been closed."))
        calls = list(locked.calls.select_for_update().select_related("organization"))
        waiting = [c for c in calls if c.is_live or c.state == WhistleCall.State.DECLINED]
        if waiting or not any(c.state == WhistleCall.State.HANDLED for c in calls):
            raise Conflict(
                "whistle.not_closable",
                _("Every unit must have handled its part (or been re-routed) before closing."),
            )
        handled = [c for c in calls if c.state == WhistleCall.State.HANDLED]
        WhistleCall.objects.filter(pk__in=[c.pk for c in handled]).update(confirmed_at=now)
        WHISTLE_FLOW.apply(
            locked, Whistle.State.CLOSED, actor, action="whistle.closed", closed_at=now
        )
        recipients: list[User | Organization] = [c.organization for c in handled]
        if locked.raised_by is not None:
            recipients.append(locked.raised_by)
        tell(
            recipients,
            "whistle.closed",
            gettext_lazy("“%(title)s” is closed"),
            gettext_lazy("Thank you. If you raised it, please rate the result."),
            url=whistle_url(locked),
            obj=locked,
            title=locked.title,
        )
    return locked


def rate_whistle(actor: User, whistle: Whistle, score: int, comment: str = "") -> Whistle:
    if not actor.has_perm("whistle.rate_whistle", whistle):
        raise NotAllowed("rating.not_raiser", _("Only the resident who raised it can rate it."))
    if score not in range(1, 6):
        raise DomainError("rating.bad_score", _("Give between 1 and 5 stars."))
    with transaction.atomic():
        locked = Whistle.objects.select_for_update().get(pk=whistle.pk)
        if locked.state != Whistle.State.CLOSED:
            raise Conflict("rating.not_closed", _("Only a closed whistle can be rated."))
        if locked.rating is not None:
            raise Conflict("rating.duplicate", _("You have already rated this."))
        locked.rating = score
        locked.rating_comment = comment.strip()
        locked.rated_at = timezone.now()
        locked.save(update_fields=["rating", "rating_comment", "rated_at"])
        audit.record(
            actor, "whistle.rated", locked, after={"score": score}, community=whistle.community
        )
    return locked


# ------------------------------------------------------------------ the deadline sweep


def reminder_due(start: datetime.datetime, deadline: datetime.datetime) -> datetime.datetime:
    """Reminders go out when a quarter of the time allowed is left."""
    return deadline - (deadline - start) / 4


@dataclass
class SweepResult:
    reminders: int = 0
    report_overdue: int = 0
    escalated: int = 0
    resolve_reminders: int = 0
    resolve_overdue: int = 0

    def __str__(self) -> str:
        return (
            f"{self.reminders} reminders, {self.report_overdue} late to report, "
            f"{self.escalated} escalated, {self.resolve_reminders} resolve reminders, "
            f"{self.resolve_overdue} late to resolve"
        )


def _names(call: WhistleCall) -> dict[str, Any]:
    return {"unit": call.organization.name, "title": call.whistle.title}


def _tell_step(
    call: WhistleCall,
    recipients: Iterable[User | Organization],
    step: str,
    headline: Any,
    detail: Any = "",
    **params: Any,
) -> None:
    """Record a deadline step on the whistle's timeline and tell who must know, once."""
    whistle = call.whistle
    kind = "whistle.reminder" if step.endswith("reminder") else f"whistle.{step.replace('-', '_')}"
    tell(
        recipients,
        kind,
        headline,
        detail,
        url=whistle_url(whistle),
        obj=whistle,
        urgent=whistle.type == WhistleType.EMERGENCY and not step.startswith("resolve"),
        key=f"whistle-call:{call.pk}:{step}",
        **{**_names(call), **params},
    )


# For each deadline of a call: who is late, and the reminder before it.
_DEADLINE_WORDS: dict[str, tuple[Any, Any, Any]] = {
    "report": (
        gettext_lazy("%(unit)s is late to report for “%(title)s”"),
        gettext_lazy("The report-by time %(time)s has passed."),
        gettext_lazy("Reminder: report for “%(title)s” by %(time)s"),
    ),
    "resolve": (
        gettext_lazy("%(unit)s is late to resolve “%(title)s”"),
        gettext_lazy("The resolve-by time %(time)s has passed."),
        gettext_lazy("Reminder: resolve “%(title)s” by %(time)s"),
    ),
}


def _overdue(deadline: str) -> Callable[[WhistleCall, datetime.datetime], None]:
    """The step for a `report` or `resolve` deadline passed: the unit and the caller are told."""
    late, passed, _reminder = _DEADLINE_WORDS[deadline]

    def act(call: WhistleCall, now: datetime.datetime) -> None:
        _record(None, f"whistle.{deadline}_overdue", call)
        due = getattr(call, f"{deadline}_by")
        recipients: list[User | Organization] = [call.organization, call.whistle.created_by]
        _tell_step(call, recipients, f"{deadline}-overdue", late, passed, time=_local(due))

    return act


def _reminder(deadline: str) -> Callable[[WhistleCall, datetime.datetime], None]:
    """The step a quarter of the time before a deadline: the unit is reminded."""
    reminder = _DEADLINE_WORDS[deadline][2]

    def act(call: WhistleCall, now: datetime.datetime) -> None:
        _record(None, "whistle.reminded", call, deadline=f"{deadline}_by")
        due = getattr(call, f"{deadline}_by")
        _tell_step(call, [call.organization], f"{deadline}-reminder", reminder, time=_local(due))

    return act


def _escalate(call: WhistleCall, now: datetime.datetime) -> None:
    _record(None, "whistle.escalated", call)
    _tell_step(
        call,
        subdistrict_staff(call.whistle.community),
        "escalated",
        gettext_lazy("Escalated: %(unit)s has not reported for “%(title)s”"),
        gettext_lazy("%(community)s called at %(time)s; no report by the deadline."),
        community=call.whistle.community.name,
        time=_local(call.called_at),
    )


def _not_arrived(call: WhistleCall) -> bool:
    return call.state in NOT_ARRIVED


# The deadline steps of a unit's call, in the order they run (see wulian.core.deadlines).
CALL_DEADLINES: list[Step[WhistleCall]] = [
    Step(
        "report_overdue",
        "report_overdue",
        lambda call, now: _not_arrived(call) and call.report_by <= now,
        _overdue("report"),
    ),
    Step(
        "escalated",
        "escalated_at",
        lambda call, now: _not_arrived(call) and call.report_by <= now,
        _escalate,
    ),
    Step(
        "reminders",
        "reminder_sent_at",
        lambda call, now: (
            _not_arrived(call)
            and call.report_by > now
            and now >= reminder_due(call.called_at, call.report_by)
        ),
        _reminder("report"),
    ),
    Step(
        "resolve_overdue",
        "resolve_overdue",
        lambda call, now: call.is_live and call.resolve_by <= now,
        _overdue("resolve"),
    ),
    Step(
        "resolve_reminders",
        "resolve_reminder_sent_at",
        lambda call, now: (
            call.is_live
            and call.resolve_by > now
            and now >= reminder_due(call.called_at, call.resolve_by)
        ),
        _reminder("resolve"),
    ),
]


def _locked_open_call(call_id: int) -> WhistleCall | None:
    call = (
        WhistleCall.objects.select_for_update(of=("self",))
        .select_related("whistle__community", "whistle__created_by", "organization")
        .get(pk=call_id)
    )
    return None if call.whistle.state == Whistle.State.CLOSED else call


def sweep_deadlines(now: datetime.datetime | None = None) -> SweepResult:
    """Remind before deadlines, mark overdue after them, escalate late reports; idempotent.

    Run by the worker's scheduler (see wulian.whistle.tasks). Each call is handled in its own
    transaction under a row lock, so a sweep killed midway loses nothing and a second sweep
    (or two at once) repeats nothing.
    """
    now = now or timezone.now()
    horizon = now + datetime.timedelta(days=3)  # the longest reminder lead is 42 h
    candidates = (
        WhistleCall.objects.filter(state__in=LIVE, whistle__state=Whistle.State.OPEN)
        .filter(resolve_by__lte=horizon)
        .exclude(resolve_overdue=True, report_overdue=True, escalated_at__isnull=False)
        .order_by("report_by", "id")
        .values_list("id", flat=True)
    )
    also = (
        WhistleCall.objects.filter(state__in=NOT_ARRIVED, whistle__state=Whistle.State.OPEN)
        .filter(report_by__lte=horizon)
        .values_list("id", flat=True)
    )
    counts = deadlines.sweep(
        _locked_open_call, sorted(set(candidates) | set(also)), CALL_DEADLINES, now
    )
    return SweepResult(**counts)
