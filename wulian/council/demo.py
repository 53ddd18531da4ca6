"""Compound 42's red deliberation council in the demo world: its chair, advisers and
representatives, households, a meeting held on the central square with its minutes (the
article's topics: stairwell painting, the new lift, levelled roads, removed ground locks), and
an upcoming meeting with open topics for the projector pages. Deterministic and idempotent:
nothing is built when the council exists."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from wulian.accounts.models import User
from wulian.council import services
from wulian.council.models import CheckIn, Council, Meeting, Motion, Resolution
from wulian.places.models import Compound, Region

COMPOUND = "江汉北路42号小区"
HELD_TOPICS = [
    (
        "楼道粉刷",
        "3栋、5栋楼道墙面斑驳脱落，建议统一粉刷。",
        "楼道整洁明亮，老人上下楼更安全。",
        "由社区联系共建单位，年内完成3栋、5栋楼道粉刷",
        "江汉北物业服务有限公司",
    ),
    (
        "加装电梯",
        "2栋、3栋老人多，上下楼困难，建议加装电梯。",
        "高龄老人出行难。",
        "启动2栋加装电梯意见征询，申请既有住宅加装电梯补贴",
        "社区党委",
    ),
    (
        "道路平整",
        "小区主干道坑洼积水，雨天难行。",
        "出行安全。",
        "对小区主干道进行平整铺设，消除积水点",
        "江汉北物业服务有限公司",
    ),
    (
        "拆除地锁",
        "部分车位私装地锁，占用公共通道。",
        "公共空间大家共享。",
        "拆除公共区域私装地锁，规范停车秩序",
        "红色邻里志愿服务队",
    ),
]
OPEN_TOPICS = [
    ("增设电动车充电桩", "楼道内飞线充电隐患大，建议在小区空地增设集中充电桩。", "消防安全。"),
    ("楼顶防水维修", "6栋顶楼漏水，建议使用维修资金修缮。", "顶层住户受影响。"),
    ("中心广场增设休息座椅", "老人晒太阳没地方坐。", "方便老人休息。"),
]


def _people(compound: Compound, count: int) -> list[User]:
    return list(User.objects.filter(compound=compound, is_active=True).order_by("id")[:count])


def _household_address(person: User, index: int) -> tuple[str, str, str]:
    building = (person.building or "").split("栋")[0] or str(1 + index % 6)
    unit = "1"
    if "栋" in (person.building or "") and "单元" in person.building:
        unit = person.building.split("栋")[1].replace("单元", "") or "1"
    return building, unit, f"{1 + index // 4}0{1 + index % 4}"


@transaction.atomic
def build_council(community: Region, secretary: User) -> int:
    """Build compound 42's council once; return how many meetings were made."""
    compound = Compound.objects.filter(community=community, name=COMPOUND).first()
    if compound is None or Council.objects.filter(compound=compound).exists():
        return 0
    rng = random.Random(42)
    council = services.create_council(
        secretary, community, "42号小区红色议事厅", compound=compound, second_threshold=5
    )
    people = _people(compound, 60)
    if len(people) < 12:
        return 0
    term = datetime.date(timezone.localdate().year, 1, 1)
    chair, clerk, adviser_1, adviser_2 = people[0], people[1], people[2], people[3]
    services.appoint_member(secretary, council, chair, "chair", starts_on=term)
    services.appoint_member(secretary, council, clerk, "secretary", starts_on=term)
    services.appoint_member(secretary, council, adviser_1, "adviser", starts_on=term)
    services.appoint_member(secretary, council, adviser_2, "adviser", starts_on=term)
    for n, rep in enumerate(people[4:8]):
        services.appoint_member(
            secretary,
            council,
            rep,
            "representative",
            starts_on=term,
            represents=f"{2 * n + 1}栋、{2 * n + 2}栋",
        )
    seen: set[tuple[str, str, str]] = set()
    households = []
    for index, person in enumerate(people):
        address = _household_address(person, index)
        if address in seen:
            continue
        seen.add(address)
        building, unit, room = address
        households.append(
            services.add_household(
                secretary,
                compound,
                building=building,
                unit=unit,
                room=room,
                floor_area=Decimal(rng.choice([52, 58, 64, 72, 86, 98])) + Decimal("0.5"),
                representative=person,
            )
        )
    representatives = [h.representative for h in households if h.representative is not None]
    if len(representatives) < 16:
        return 0

    def pick(i: int) -> User:
        return representatives[i % len(representatives)]

    # The held meeting, on the central square.
    now = timezone.now()
    meeting = services.schedule_meeting(
        chair,
        council,
        services.MeetingInput(
            title="42号小区红色议事会",
            starts_at=now + datetime.timedelta(minutes=5),
            place="42号小区中心广场",
            notice_days=0,  # held now, then moved back with its notice (below)
        ),
    )
    topics = []
    for n, (title, text, why, _resolved, _owner) in enumerate(HELD_TOPICS):
        topic = services.raise_topic(
            pick(n + 8), council, services.TopicInput(title=title, text=text, why=why)
        )
        for k in range(1, 7):
            services.second_topic(pick(n + 8 + k), topic)
        topics.append(topic)
        services.put_on_agenda(chair, topic, meeting, minutes=15)
    services.publish_notice(chair, meeting)
    services.open_meeting(chair, meeting)
    present = representatives[: max(len(representatives) * 3 // 4, 1)]
    for n, person in enumerate(present):
        services.check_in(
            person, meeting, nonce=f"demo-{meeting.pk}-{n}", token=meeting.checkin_token
        )
    for item, (_title, _text, _why, resolved, owner) in zip(
        meeting.agenda.order_by("position"), HELD_TOPICS, strict=True
    ):
        motion = services.add_motion(
            chair, meeting, services.MotionInput(text=f"同意：{resolved}", item=item)
        )
        services.open_ballot(chair, motion, now + datetime.timedelta(minutes=30))
        for person in present:
            choice = "yes" if rng.random() < 0.85 else rng.choice(["no", "abstain"])
            services.cast_vote(person, motion, [choice])
        services.close_ballot(chair, motion)
        resolution = services.adopt_resolution(
            chair,
            Motion.objects.get(pk=motion.pk),
            text=resolved,
            owner=owner,
            deadline=timezone.localdate() + datetime.timedelta(days=90),
        )
        services.publish_resolution(chair, resolution)
    services.close_meeting(chair, meeting)
    # The meeting was held three weeks ago: its times, and its resolutions' notice, move back.
    back = datetime.timedelta(days=25)
    held = Meeting.objects.get(pk=meeting.pk)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=held.starts_at - back,
        notice_days=3,
        noticed_at=held.starts_at - back - datetime.timedelta(days=4),
        opened_at=held.starts_at - back,
        closed_at=held.starts_at - back + datetime.timedelta(hours=2),
    )
    for checkin in CheckIn.objects.filter(meeting=meeting):
        CheckIn.objects.filter(pk=checkin.pk).update(at=checkin.at - back)
    for resolution in Resolution.objects.filter(motion__meeting=meeting):
        Resolution.objects.filter(pk=resolution.pk).update(
            published_at=(resolution.published_at or now) - back,
            notice_ends_at=(resolution.notice_ends_at or now) - back,
            created_at=resolution.created_at - back,
        )
    services.sweep_resolutions()

    # The upcoming meeting, with open topics, a few of them on its agenda.
    upcoming = services.schedule_meeting(
        chair,
        council,
        services.MeetingInput(
            title="42号小区红色议事会（下期）",
            starts_at=(now + datetime.timedelta(days=5)).replace(
                hour=9, minute=30, second=0, microsecond=0
            ),
            place="42号小区中心广场",
        ),
    )
    for n, (title, text, why) in enumerate(OPEN_TOPICS):
        topic = services.raise_topic(
            pick(n + 20), council, services.TopicInput(title=title, text=text, why=why)
        )
        for k in range(1, 3 + n):
            services.second_topic(pick(n + 20 + k), topic)
        if n < 2:
            services.put_on_agenda(chair, topic, upcoming, minutes=20)
    services.publish_notice(chair, upcoming)
    return 2
