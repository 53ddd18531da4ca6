"""Demo release events: the district's first release event, held and closed, with its 49 needs
all claimed on the spot and both sides' signatures; and an upcoming event to try the board on.

Deterministic (fixed titles, ids and pairings) and idempotent (each event is looked up by its
title, each need by its external id).
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from wulian.accounts.models import User
from wulian.events import services
from wulian.events.models import ReleaseEvent
from wulian.lists import services as lists
from wulian.lists.demo import _admin_of, _signature
from wulian.lists.models import Need, Project
from wulian.orgs.models import Organization
from wulian.places.models import Region

FIRST_EVENT = "江岸区首届机会清单发布会"
NEXT_EVENT = "江汉北路社区第二期机会清单发布会"
SHANGHAI = ZoneInfo("Asia/Shanghai")

COMMUNITY_NEEDS = [
    ("社区新时代文明实践站周末开放值守", "周末需要志愿者轮流值守实践站，接待居民。"),
    ("老旧小区楼道堆物清理", "联保里小区楼道堆物多，存在消防隐患，需要人手和车辆清运。"),
    ("独居老人每周探访", "社区有 60 多位独居老人，需要结对每周上门探访。"),
    ("社区健康讲座进小区", "为居民开展慢病防治、合理用药等健康讲座。"),
    ("暑期青少年托管课堂", "双职工家庭的孩子暑期无人照看，需要托管课堂和老师。"),
    ("反诈宣传进社区", "针对老人和新就业群体开展防诈骗宣传。"),
    ("社区微型消防站器材补充", "微型消防站缺少灭火器和应急照明。"),
    ("红色议事厅音响设备", "议事厅开会需要一套便携音响和话筒。"),
    ("新就业群体爱心驿站", "为快递小哥、网约车司机提供歇脚、饮水和充电的驿站。"),
    ("社区文化墙更新", "文化墙图文陈旧，需要重新设计和制作。"),
]
ENTERPRISE_NEEDS = [
    "门店员工消防安全培训",
    "店面周边共享单车乱停治理",
    "员工子女暑期托管",
    "门前绿化带认养维护",
    "店内无障碍通道改造建议",
    "员工急救技能培训",
    "垃圾分类投放指导",
    "夜间门店周边照明改善",
    "员工心理健康讲座",
    "门店招聘社区居民就业",
    "节假日客流疏导志愿者",
    "企业党员参加社区组织生活",
    "店铺外墙小广告清理",
    "员工法律知识讲座",
    "仓库消防通道整治",
    "企业开放日居民参观组织",
    "员工防暑降温科普",
    "电动车充电安全宣传",
    "门店周边停车秩序引导",
    "员工反诈骗培训",
    "企业公益活动场地借用",
    "店铺油烟扰民协调",
    "企业捐赠物资发放组织",
]
TEAM_NEEDS = [
    ("志愿者服装和帽子", "队员服务时需要统一的马甲和帽子。"),
    ("志愿服务培训场地", "每月一次队员培训，需要一间能容纳 30 人的教室。"),
]
RESIDENT_NEEDS = [
    ("单元门禁维修", "单元门禁坏了一个多月，陌生人随意进出。"),
    ("老人上门理发", "家里老人行动不便，希望有人上门理发。"),
    ("楼顶防水补漏", "顶楼每逢下雨就漏水，墙面发霉。"),
    ("小区健身器材维修", "小区里的两台健身器材松动，有安全隐患。"),
]
NEXT_NEEDS = [
    ("社区运动会裁判志愿者", "社区运动会需要 10 名裁判和计时志愿者。"),
    ("老年人智能手机课堂", "教老人使用手机挂号、付款和视频通话。"),
    ("义和巷小区化粪池清掏", "化粪池满溢，需要专业单位清掏。"),
    ("社区图书角图书捐赠", "图书角需要少儿和老年读物各 200 册。"),
    ("中秋游园会节目", "中秋游园会需要 6 个文艺节目。"),
    ("楼道扶手加装", "36号院两栋楼的楼道缺少扶手，老人上下楼不安全。"),
]


def _claimers(orgs: dict[str, Organization]) -> list[Organization]:
    """Who claims at the event, in turn: the school, the agencies, the social organisation,
    the volunteer teams and the enterprises."""
    order = {"school": 0, "agency": 1, "social_organization": 2, "volunteer_team": 3}
    return sorted(
        (o for o in orgs.values() if o.kind != Organization.Kind.COMMUNITY),
        key=lambda o: (order.get(o.kind, 4), o.pk),
    )


def _raise(
    raiser: User,
    community: Region,
    secretary: User,
    external_id: str,
    title: str,
    description: str,
    for_org: Organization | None,
) -> Need:
    existing = Need.objects.filter(community=community, external_id=external_id).first()
    if existing is not None:
        return existing
    need = lists.raise_need(
        raiser,
        community,
        lists.NeedInput(
            title=title,
            description=description,
            deadline=timezone.localdate() + datetime.timedelta(days=120),
        ),
        for_org=for_org,
        external_id=external_id,
    )
    return lists.publish_need(secretary, need)


def _first_event(community: Region, secretary: User) -> int:
    orgs = {
        o.name: o
        for o in Organization.objects.filter(is_active=True).order_by("id")
        if o.memberships.exists()
    }
    committee = next(
        o for o in orgs.values() if o.kind == Organization.Kind.COMMUNITY and o.region == community
    )
    enterprises = [o for o in orgs.values() if o.kind == Organization.Kind.ENTERPRISE][:23]
    teams = [o for o in orgs.values() if o.kind == Organization.Kind.VOLUNTEER_TEAM][:6]
    residents = list(
        User.objects.filter(community=community, mobile__startswith="1390001").order_by("mobile")[
            200:204
        ]
    )
    # (raiser who signs, organisation or None, title, description)
    plan: list[tuple[User, Organization | None, str, str]] = []
    plan += [(secretary, committee, t, d) for t, d in COMMUNITY_NEEDS]
    for org, title in zip(enterprises, ENTERPRISE_NEEDS, strict=True):
        plan.append((_admin_of(org), org, title, f"{org.name}：{title}。"))
    for team in teams:
        plan += [(_admin_of(team), team, t, d) for t, d in TEAM_NEEDS]
    plan += [(r, None, t, d) for r, (t, d) in zip(residents, RESIDENT_NEEDS, strict=True)]
    assert len(plan) == 49

    event = services.create_event(
        secretary,
        title=FIRST_EVENT,
        starts_at=datetime.datetime(2023, 11, 13, 14, 30, tzinfo=SHANGHAI),
        place="江汉北路社区新时代文明实践站",
        description="江岸区首届机会清单发布会：社区、驻区单位和居民提出的需求现场揭榜认领。",
        communities=[community],
    )
    needs = [
        _raise(raiser, community, secretary, f"E{i:03d}", title, description, org)
        for i, (raiser, org, title, description) in enumerate(plan, start=1)
    ]
    services.add_needs(secretary, event, needs)
    services.announce_event(secretary, event)
    services.open_event(secretary, event)
    claimers = _claimers(orgs)
    for index, ((raiser, raised_for, _title, _description), need) in enumerate(
        zip(plan, needs, strict=True)
    ):
        claimer = claimers[index % len(claimers)]
        if raised_for is not None and claimer.pk == raised_for.pk:
            claimer = claimers[0]
        signer = _admin_of(claimer)
        claim = lists.claim_need(signer, need, organization=claimer)
        project = Project.objects.get(claim=claim)
        for side, person in (("claimant", signer), ("need", raiser)):
            lists.sign_agreement(
                person,
                project.agreement,
                side=side,
                typed_name=person.real_name,
                drawn_png=_signature(person.real_name),
            )
    services.close_event(secretary, event)
    return 1 + len(needs)


def _next_event(community: Region, secretary: User) -> int:
    committee = Organization.objects.filter(
        region=community, kind=Organization.Kind.COMMUNITY, memberships__user=secretary
    ).first()
    needs = [
        _raise(secretary, community, secretary, f"E{100 + i:03d}", title, description, committee)
        for i, (title, description) in enumerate(NEXT_NEEDS, start=1)
    ]
    start = timezone.localdate() + datetime.timedelta(days=14)
    event = services.create_event(
        secretary,
        title=NEXT_EVENT,
        starts_at=datetime.datetime.combine(start, datetime.time(9, 30), tzinfo=SHANGHAI),
        place="武汉市第一商业学校礼堂",
        description="第二期机会清单：欢迎驻区单位、志愿服务队和居民现场揭榜。",
        communities=[community],
    )
    services.add_needs(secretary, event, needs)
    services.announce_event(secretary, event)
    return 1 + len(needs)


def build_events(community: Region, secretary: User) -> int:
    """Create the demo events once; return how many events and needs were created."""
    created = 0
    if not ReleaseEvent.objects.filter(title=FIRST_EVENT).exists():
        created += _first_event(community, secretary)
    if not ReleaseEvent.objects.filter(title=NEXT_EVENT).exists():
        created += _next_event(community, secretary)
    return created
