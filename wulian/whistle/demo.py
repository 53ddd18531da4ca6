"""Demo whistles: past cases with calls in every state, enough for the scorecard to show the
four rates with their counts for several units. Deterministic and idempotent (a case is
looked up by its title first)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from wulian.accounts.models import User
from wulian.audit.models import AuditEntry
from wulian.notifications.models import Notification
from wulian.orgs.models import Membership, Organization
from wulian.places.models import Region
from wulian.whistle import services
from wulian.whistle.models import Whistle, WhistleAction, WhistleCall

UNITS = [
    "武汉市第一商业学校",
    "武汉江汉北物业服务有限公司",
    "平安巡逻志愿服务队",
    "汉口水电维修服务部",
    "洁美家园环境志愿服务队",
]

# (title, type, {unit index: outcome}, rating by the resident or None)
# Outcomes: closed (on time, confirmed), late (reported after the deadline, then closed),
# arrived, signed, called, overdue (never reported: marked and escalated), declined (and
# re-routed to the unit given after the colon).
CASES: list[tuple[str, str, dict[int, str], int | None]] = [
    ("42号小区3栋下水道堵塞外溢", "emergency", {1: "closed", 3: "closed"}, 5),
    ("联保里小区楼道杂物堆积", "joint", {1: "closed", 4: "closed"}, 4),
    ("西马路9号小区路灯不亮", "everyday", {3: "late"}, 3),
    ("36号院化粪池异味", "everyday", {1: "closed"}, 5),
    ("义和巷独居老人家中漏水", "emergency", {3: "closed", 2: "closed"}, 5),
    ("新马路家属院电动车违规充电", "emergency", {2: "closed", 1: "late"}, 4),
    ("18号小区绿化带垃圾清理", "joint", {4: "closed", 0: "closed"}, 5),
    ("校门口上下学交通拥堵", "everyday", {0: "closed", 2: "closed"}, 4),
    ("联保里小区外墙瓷砖脱落", "emergency", {1: "declined:3"}, None),
    ("江汉北路菜市场周边占道经营", "joint", {2: "arrived", 4: "signed"}, None),
    ("42号小区楼顶防水层破损", "everyday", {3: "called", 1: "overdue"}, None),
    ("西马路9号小区消防通道被占", "emergency", {2: "overdue", 0: "arrived"}, None),
]


# Minutes after the call until a unit signs for it, reports for duty (报到) and has it handled,
# for its first unit; later units and later cases take a little longer (see _plan).
PACE = {
    "emergency": (6, 28, 150),
    "joint": (35, 170, 26 * 60),
    "everyday": (25, 200, 22 * 60),
}
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)


def _admin_of(org: Organization) -> User:
    membership = Membership.objects.filter(organization=org).order_by("-role", "id").first()
    assert membership is not None, f"{org} has no member"
    return membership.user


# Every time a step writes on these rows is moved with the step (deadlines too).
_WHISTLE_TIMES = ("created_at", "report_by", "resolve_by", "closed_at", "rated_at")
_CALL_TIMES = (
    "report_by",
    "resolve_by",
    "called_at",
    "signed_at",
    "arrived_at",
    "handled_at",
    "declined_at",
    "rerouted_at",
    "confirmed_at",
    "sent_back_at",
    "reminder_sent_at",
    "resolve_reminder_sent_at",
    "escalated_at",
)


def _times(whistle_id: int | None) -> dict[tuple[str, int, str], Any]:
    if whistle_id is None:
        return {}
    found: dict[tuple[str, int, str], Any] = {}
    for model, names, lookup in (
        (Whistle, _WHISTLE_TIMES, {"pk": whistle_id}),
        (WhistleCall, _CALL_TIMES, {"whistle_id": whistle_id}),
        (WhistleAction, ("created_at",), {"call__whistle_id": whistle_id}),
    ):
        for row in model.objects.filter(**lookup).values("pk", *names):
            for name in names:
                found[(model.__name__, row["pk"], name)] = row[name]
    return found


_MODELS = {model.__name__: model for model in (Whistle, WhistleCall, WhistleAction)}


@contextmanager
def _at(moment: datetime.datetime, whistle_id: int | None = None) -> Iterator[None]:
    """Run a step as if at `moment`: the times it writes (on the case, its calls and actions,
    deadlines included), its audit entries and notifications are moved back by the same
    amount, so the timeline and the log agree."""
    started = timezone.now()
    last_entry = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    last_note = Notification.objects.aggregate(last=Max("id"))["last"] or 0
    before = _times(whistle_id)
    yield
    back = started - moment
    if whistle_id is None:
        whistle_id = Whistle.objects.aggregate(last=Max("id"))["last"]
    for (model_name, pk, name), value in _times(whistle_id).items():
        if value is not None and before.get((model_name, pk, name)) != value:
            _MODELS[model_name].objects.filter(pk=pk).update(**{name: value - back})
    AuditEntry.objects.filter(pk__gt=last_entry).update(created_at=F("created_at") - back)
    Notification.objects.filter(pk__gt=last_note).update(created_at=F("created_at") - back)


def _plan(type: str, slowness: int) -> tuple[datetime.timedelta, ...]:
    sign, arrive, handle = PACE[type]
    return (
        (sign + 4 * slowness) * MINUTE,
        (arrive + 9 * slowness) * MINUTE,
        (handle + 25 * slowness) * MINUTE,
    )


def _answer(
    call: WhistleCall,
    outcome: str,
    secretary: User,
    units: list[Organization],
    start: datetime.datetime,
    slowness: int,
) -> datetime.datetime:
    """Play one unit's answer from `start` (when it was called); return when it last acted."""
    member = _admin_of(call.organization)
    whistle_id = call.whistle_id
    if outcome in {"called", "overdue"}:
        return start
    if outcome.startswith("declined"):
        with _at(start + 15 * MINUTE, whistle_id):
            declined = services.decline_call(
                member, call, "该事项属于房屋维修，不在本单位职责范围。"
            )
        target = units[int(outcome.split(":")[1])]
        with _at(start + 40 * MINUTE, whistle_id):
            new = services.reroute_call(secretary, declined, target)
        return _answer(new, "closed", secretary, units, start + 40 * MINUTE, slowness)
    sign, arrive, handle = _plan(call.whistle.type, slowness)
    if outcome == "late":
        call.refresh_from_db()
        deadline = call.report_by
        with _at(deadline + 5 * MINUTE, whistle_id):
            services.sweep_deadlines(now=timezone.now())  # marked overdue and escalated
        sign, arrive = deadline + 20 * MINUTE - start, deadline + 50 * MINUTE - start
        handle = max(handle, arrive + 3 * 60 * MINUTE)
    with _at(start + sign, whistle_id):
        services.sign_call(member, call)
    call.refresh_from_db()  # the times as moved, not as the step wrote them
    if outcome == "signed":
        return start + sign
    with _at(start + arrive, whistle_id):
        services.arrive_call(member, call)
    call.refresh_from_db()
    with _at(start + arrive + 10 * MINUTE, whistle_id):
        services.post_action(member, call, "已到现场，正在处置。")
    if outcome == "arrived":
        return start + arrive + 10 * MINUTE
    with _at(start + handle, whistle_id):
        services.handle_call(member, call, "处置完毕，现场已恢复。")
    return start + handle


def _starts(now: datetime.datetime) -> list[datetime.datetime]:
    """When each case was blown: the finished ones over the past month, the open ones lately."""
    finished = [i for i, case in enumerate(CASES) if _finished(case[2])]
    starts: dict[int, datetime.datetime] = {}
    for order, index in enumerate(finished):
        starts[index] = now - 30 * DAY + order * (26 * DAY / len(finished))
    open_ago = [5, 26, 3]  # hours: a joint action this morning, a case from yesterday …
    for order, index in enumerate(i for i in range(len(CASES)) if i not in starts):
        hours = open_ago[order % len(open_ago)]
        starts[index] = now - datetime.timedelta(hours=hours)
    return [starts[i].replace(second=0, microsecond=0) for i in range(len(CASES))]


def _finished(outcomes: dict[int, str]) -> bool:
    return all(o in {"closed", "late"} or o.startswith("declined") for o in outcomes.values())


@transaction.atomic
def build_whistles(community: Region, secretary: User) -> int:
    """Create the demo whistles once; return how many were created.

    Each case is played step by step at its own moment (blown, signed for, reported, handled,
    confirmed, rated), so the whistle's times, the scorecard's response times and the audit
    timeline tell the same story.
    """
    units = [Organization.objects.get(name=name) for name in UNITS]
    resident = User.objects.filter(mobile="13900000042").first()
    starts = _starts(timezone.now())
    created = 0
    for index, (title, type, outcomes, rating) in enumerate(CASES):
        if Whistle.objects.filter(community=community, title=title).exists():
            continue
        start = starts[index]
        with _at(start):
            whistle = services.blow_whistle(
                secretary,
                community,
                services.WhistleInput(
                    type=type,
                    title=title,
                    units=[units[i] for i in outcomes],
                    raised_by=resident if rating else None,
                ),
            )
        last = start
        for position, (unit_index, outcome) in enumerate(outcomes.items()):
            call = WhistleCall.objects.get(whistle=whistle, organization=units[unit_index])
            done = _answer(call, outcome, secretary, units, start, position + index % 3)
            last = max(last, done)
        if _finished(outcomes):
            with _at(last + 90 * MINUTE, whistle.pk):
                services.confirm_closure(secretary, whistle)
            if rating and resident is not None:
                with _at(last + 20 * 60 * MINUTE, whistle.pk):
                    services.rate_whistle(resident, whistle, rating, "处理及时，谢谢！")
        created += 1
    # Open calls whose report-by has passed are marked overdue and escalated now.
    services.sweep_deadlines()
    return created
