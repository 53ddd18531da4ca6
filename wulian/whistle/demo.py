"""Demo whistles: past cases with calls in every state, enough for the scorecard to show the
four rates with their counts for several units. Deterministic and idempotent (a case is
looked up by its title first)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wulian.accounts.models import User
from wulian.orgs.models import Membership, Organization
from wulian.places.models import Region
from wulian.whistle import services
from wulian.whistle.models import Whistle, WhistleCall

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


def _admin_of(org: Organization) -> User:
    membership = Membership.objects.filter(organization=org).order_by("-role", "id").first()
    assert membership is not None, f"{org} has no member"
    return membership.user


def _answer(call: WhistleCall, outcome: str, secretary: User, units: list[Organization]) -> None:
    member = _admin_of(call.organization)
    if outcome in {"called", "overdue"}:
        return
    if outcome.startswith("declined"):
        declined = services.decline_call(member, call, "该事项属于房屋维修，不在本单位职责范围。")
        target = units[int(outcome.split(":")[1])]
        new = services.reroute_call(secretary, declined, target)
        _answer(new, "closed", secretary, units)
        return
    if outcome == "late":
        WhistleCall.objects.filter(pk=call.pk).update(
            report_by=timezone.now() - datetime.timedelta(minutes=1)
        )
        call.refresh_from_db()
        services.sweep_deadlines()
    services.sign_call(member, call)
    if outcome == "signed":
        return
    services.arrive_call(member, call)
    services.post_action(member, call, "已到现场，正在处置。")
    if outcome == "arrived":
        return
    services.handle_call(member, call, "处置完毕，现场已恢复。")


def _shift(whistle: Whistle, back: datetime.timedelta) -> None:
    """Move a case into the past, every time of it by the same amount."""
    Whistle.objects.filter(pk=whistle.pk).update(
        created_at=F("created_at") - back,
        report_by=F("report_by") - back,
        resolve_by=F("resolve_by") - back,
        closed_at=F("closed_at") - back,
        rated_at=F("rated_at") - back,
    )
    calls = WhistleCall.objects.filter(whistle=whistle)
    for name in (
        "report_by",
        "resolve_by",
        "called_at",
        "signed_at",
        "arrived_at",
        "handled_at",
        "declined_at",
        "rerouted_at",
        "confirmed_at",
        "reminder_sent_at",
        "escalated_at",
    ):
        calls.update(**{name: F(name) - back})


@transaction.atomic
def build_whistles(community: Region, secretary: User) -> int:
    """Create the demo whistles once; return how many were created."""
    units = [Organization.objects.get(name=name) for name in UNITS]
    resident = User.objects.filter(mobile="13900000042").first()
    now = timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = now - month_start
    created = 0
    for index, (title, type, outcomes, rating) in enumerate(CASES):
        if Whistle.objects.filter(community=community, title=title).exists():
            continue
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
        for unit_index, outcome in outcomes.items():
            call = WhistleCall.objects.get(whistle=whistle, organization=units[unit_index])
            _answer(call, outcome, secretary, units)
        if all(o in {"closed", "late"} or o.startswith("declined") for o in outcomes.values()):
            services.confirm_closure(secretary, whistle)
            if rating and resident is not None:
                services.rate_whistle(resident, whistle, rating, "处理及时，谢谢！")
        # Spread the cases over the month so far, the open ones last.
        back = span * (len(CASES) - index) / (len(CASES) + 2)
        _shift(whistle, back)
        created += 1
    # Open calls whose report-by has passed are marked overdue and escalated now.
    services.sweep_deadlines()
    return created
