"""`wulian demo --scale district`: the demo world and a whole district around it.

About 100 communities in 10 subdistricts of 江岸区, each with its compounds, staff, units,
residents and three years of the five links: needs and resources, claims and projects with
their agreements, whistles and the units' answers, a council with its held meetings,
activities with sign-ups, and a release event. Deterministic (one seed), written in bulk, then
the dashboards' rollups rebuilt from it, so the scale benchmarks (`bench/pages.py`) read the
same district every time.

The rows are written as the services would leave them, without the services' audit trail and
notifications: a district's history is data to read, not events to replay.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone, translation

from wulian.accounts.models import User
from wulian.activities.models import Activity, SignUp
from wulian.core.text import fold
from wulian.council.models import Council, Meeting
from wulian.dashboards import services as dashboards
from wulian.events.models import EventNeed, ReleaseEvent
from wulian.lists.models import Agreement, Category, Claim, Need, PartyKind, Project, Resource
from wulian.lists.services.common import _search_text as search_text
from wulian.orgs.models import Membership, Organization
from wulian.places import services as places
from wulian.places.models import Compound, Region, StaffAssignment
from wulian.site.demo import DEMO_PASSWORD, build_demo
from wulian.whistle.models import Whistle, WhistleCall

SEED = 20261203
YEARS = 3
BATCH = 2000

SUBDISTRICTS = ["西马街道", "大智街道", "一元街道", "车站街道", "四唯街道",
                "永清街道", "球场街道", "劳动街道", "二七街道", "后湖街道"]  # fmt: skip
QUARTERS = ["东", "西", "南", "北", "中", "新华", "幸福", "和平", "友谊", "建设"]
NEEDS = [
    ("楼道灯不亮", "三楼到五楼的声控灯坏了，老人晚上上下楼看不见"),
    ("独居老人助餐", "几位独居老人希望每天有人送一顿热饭"),
    ("周末辅导小学生作业", "双职工家庭的孩子周末没人辅导功课"),
    ("小区路面坑洼", "雨后积水，电动车容易滑倒"),
    ("上门理发", "行动不便的老人想请人上门理发"),
    ("防诈骗讲座", "老人常接到诈骗电话，希望有人来讲讲怎么识别"),
    ("楼道墙面粉刷", "墙皮脱落，楼道又暗又脏"),
    ("免费验光配镜", "老人看不清报纸，想查查视力"),
    ("清理地锁", "废弃地锁占着车位也绊人"),
    ("电梯加装协调", "老旧楼栋想加装电梯，需要有人协调"),
    ("心理疏导", "有家庭矛盾的居民希望有人谈谈心"),
    ("义诊量血压", "慢性病老人希望定期量血压"),
    ("垃圾分类宣传", "分类投放做得不好，需要志愿者值守"),
    ("儿童暑期托管", "暑假孩子白天没人看管"),
    ("法律咨询", "租房纠纷不知道怎么维权"),
    ("修补下水管", "一楼下水道经常返水"),
]
RESOURCES = [
    ("义务理发", "每周三下午在实训室为居民理发"),
    ("验光与眼镜清洗", "每月第一个周六提供视力检查"),
    ("面点烘焙课", "教居民做面点，每期12人"),
    ("法律志愿服务", "律师每月两次到社区答疑"),
    ("会议室共享", "企业会议室周末可借社区使用"),
    ("送餐服务", "餐饮企业为独居老人每日送餐"),
    ("维修志愿队", "水电维修，周末上门"),
    ("课业辅导", "大学生志愿者周末辅导功课"),
    ("健康讲座", "医院医生来社区讲健康知识"),
    ("反诈宣传", "民警和网信部门来讲防骗"),
]
UNIT_KINDS = [
    (Organization.Kind.ENTERPRISE, "有限公司"),
    (Organization.Kind.ENTERPRISE, "商贸行"),
    (Organization.Kind.SCHOOL, "学校"),
    (Organization.Kind.AGENCY, "管理所"),
    (Organization.Kind.SOCIAL_ORGANIZATION, "社工服务中心"),
    (Organization.Kind.VOLUNTEER_TEAM, "志愿服务队"),
]
RAISERS = (
    [PartyKind.RESIDENT] * 5
    + [PartyKind.COMMUNITY] * 2
    + [
        PartyKind.ENTERPRISE,
        PartyKind.VOLUNTEER_TEAM,
        PartyKind.SCHOOL,
    ]
)


@dataclass(frozen=True)
class Sizes:
    """What one generated community holds; the district has `communities` of them."""

    communities: int = 100
    compounds: int = 5
    staff: int = 2
    units: int = 20
    residents: int = 500
    needs: int = 1000
    resources: int = 200
    projects: int = 300
    whistles: int = 30
    meetings: int = 10
    activities: int = 30
    signups: int = 15


@dataclass
class Built:
    communities: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        self.rows[kind] = self.rows.get(kind, 0) + n


@contextlib.contextmanager
def _dates_as_given(*model_list: type[models.Model]) -> Iterator[None]:
    """Let bulk writes keep the history's own times instead of "now"."""
    flags = []
    for model in model_list:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                flags.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in flags:
            f.auto_now, f.auto_now_add = now, add


def _label(model: type[models.Model]) -> str:
    """What was built, in English: a many-to-many's own table named after its field."""
    owner: Any = model._meta.auto_created  # the model that declares it, or False
    if owner:
        field = next(f for f in owner._meta.many_to_many if f.remote_field.through is model)
        return f"{owner._meta.verbose_name} {field.verbose_name}"
    return str(model._meta.verbose_name_plural)


def _bulk(built: Built, model: type[models.Model], objs: list[Any]) -> list[Any]:
    made = model._default_manager.bulk_create(objs, batch_size=BATCH)
    with translation.override("en"):
        built.add(_label(model), len(made))
    return made


class District:
    def __init__(self, sizes: Sizes, log: Callable[[str], None]) -> None:
        self.sizes = sizes
        self.log = log
        self.rng = random.Random(SEED)
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - datetime.timedelta(days=365 * YEARS)
        self.password = make_password(DEMO_PASSWORD)
        self.built = Built()
        self.categories = list(Category.objects.filter(parent__isnull=False, community=None))

    def moment(self, after: datetime.datetime | None = None, days: float = 0) -> datetime.datetime:
        """A moment of the history: uniform over the three years, or within `days` after."""
        if after is not None:
            return min(self.now, after + datetime.timedelta(days=self.rng.uniform(0.05, days)))
        span = (self.now - self.start).total_seconds()
        return self.start + datetime.timedelta(seconds=int(self.rng.uniform(0, span)))

    def build(self) -> Built:
        city = Region.objects.get(level=Region.Level.CITY, name="武汉市")
        district = Region.objects.get(level=Region.Level.DISTRICT, name="江岸区", parent=city)
        existing = Region.objects.filter(
            level=Region.Level.COMMUNITY, path__startswith=district.path
        )
        wanted = self.sizes.communities - existing.count()
        if wanted <= 0 or Region.objects.filter(name__startswith="大智东").exists():
            return self.built
        subs = []
        for name in SUBDISTRICTS:
            sub = Region.objects.filter(name=name, parent=district).first()
            subs.append(sub or places.create_region(name, Region.Level.SUBDISTRICT, district))
        names = [
            f"{sub.name[:2]}{quarter}社区"
            for quarter in QUARTERS
            for sub in subs[1:] + subs[:1]  # 西马街道 already holds the demo's two
        ]
        for number, name in enumerate(names[:wanted]):
            sub = next(s for s in subs if name.startswith(s.name[:2]))
            with (
                transaction.atomic(),
                _dates_as_given(Need, Claim, Project, ReleaseEvent, EventNeed),
            ):
                self.community(number, sub, name)
            self.built.communities += 1
            if number % 10 == 9:
                self.log(f"  {number + 1} of {wanted} communities")
        self.log("  rolling up the dashboards' figures")
        dashboards.rebuild()
        return self.built

    def users(
        self, community: Region, prefix: str, n: int, compounds: list[Compound]
    ) -> list[User]:
        return _bulk(
            self.built,
            User,
            [
                User(
                    mobile=f"{prefix}{i:06d}",
                    real_name=f"{self.rng.choice('王李张刘陈杨黄赵周吴')}{self.rng.choice('秀明伟芳敏静丽强磊军')}{self.rng.choice('英华平红兰生')}",
                    password=self.password,
                    community=community,
                    compound=self.rng.choice(compounds) if compounds else None,
                    is_party_member=self.rng.random() < 0.08,
                    date_joined=self.moment(),
                )
                for i in range(n)
            ],
        )

    def community(self, number: int, sub: Region, name: str) -> None:
        s, rng = self.sizes, self.rng
        community = places.create_region(
            name, Region.Level.COMMUNITY, sub, population=rng.randint(4000, 12000)
        )
        compounds = _bulk(
            self.built,
            Compound,
            [
                Compound(
                    community=community,
                    name=f"{name[:-2]}{i + 1}号小区",
                    short_name=f"{i + 1}号小区",
                    households=rng.randint(120, 600),
                    buildings=rng.randint(4, 20),
                )
                for i in range(s.compounds)
            ],
        )
        code = 100 + number  # 11-digit numbers: 15/16/17 + the community + the person
        staff = self.users(community, f"15{code:03d}", s.staff, [])
        _bulk(self.built, StaffAssignment,
              [StaffAssignment(user=u, region=community) for u in staff])  # fmt: skip
        contacts = self.users(community, f"16{code:03d}", s.units, [])
        residents = self.users(community, f"17{code:03d}", s.residents, compounds)
        units = _bulk(
            self.built,
            Organization,
            [
                Organization(
                    name=f"{name[:-2]}{kind_name}{i + 1}",
                    kind=kind,
                    region=community,
                    contact_name=contacts[i].real_name,
                    contact_mobile=contacts[i].mobile,
                    has_party_organization=rng.random() < 0.4,
                    search_text=fold(f"{name[:-2]}{kind_name}{i + 1}"),
                )
                for i, (kind, kind_name) in enumerate(
                    UNIT_KINDS[i % len(UNIT_KINDS)] for i in range(s.units)
                )
            ],
        )
        _bulk(
            self.built,
            Membership,
            [
                Membership(organization=unit, user=contact, role=Membership.Role.ADMIN)
                for unit, contact in zip(units, contacts, strict=True)
            ],
        )
        needs = self.needs(community, compounds, staff[0], residents, units)
        self.resources(community, units)
        self.projects(community, needs, units, contacts, staff[0])
        self.whistles(community, compounds, staff[0], units)
        self.council(community, staff[0])
        self.activities(community, units, contacts, residents)
        self.event(community, staff[0], needs)

    def needs(
        self,
        community: Region,
        compounds: list[Compound],
        staff: User,
        residents: list[User],
        units: list[Organization],
    ) -> list[Need]:
        rng, out = self.rng, []
        for _i in range(self.sizes.needs):
            title, text = rng.choice(NEEDS)
            created = self.moment()
            kind = rng.choice(RAISERS)
            resident = rng.choice(residents) if kind == PartyKind.RESIDENT else None
            compound = resident.compound if resident else rng.choice(compounds)
            age = (self.now - created).days
            roll = rng.random()
            if roll < 0.06 or age < 3:
                state, published = Need.State.SUBMITTED, None
            elif roll < 0.12:
                state, published = Need.State.REJECTED, None
            else:
                published = self.moment(created, 3)
                state = Need.State.EXPIRED if age > 120 and roll < 0.3 else Need.State.PUBLISHED
            need = Need(
                community=community,
                title=f"{compound.short_name}{title}" if compound else title,
                description=text,
                category=rng.choice(self.categories) if self.categories else None,
                compound=compound,
                beneficiaries=rng.randint(1, 60),
                urgency=rng.choice([0, 0, 0, 1, 2]),
                channel=rng.choice(["web", "web", "paper", "import", "phone"]),
                raiser_kind=kind,
                raised_by=resident,
                raiser_name="" if resident else rng.choice(units).name,
                entered_by=None if resident else staff,
                state=state,
                rejection_reason="不属于社区事务" if state == Need.State.REJECTED else "",
                created_at=created,
                updated_at=published or created,
                published_at=published,
                closed_at=published + datetime.timedelta(days=90)
                if state == Need.State.EXPIRED and published
                else None,
            )
            need.search_text = search_text(need, [])
            out.append(need)
        return _bulk(self.built, Need, out)

    def resources(self, community: Region, units: list[Organization]) -> None:
        rng, out = self.rng, []
        for _i in range(self.sizes.resources):
            title, text = rng.choice(RESOURCES)
            unit = rng.choice(units)
            resource = Resource(
                community=community,
                title=title,
                description=text,
                kind=rng.choice(
                    [Resource.Kind.SERVICE, Resource.Kind.SERVICE, Resource.Kind.VENUE]
                ),
                category=rng.choice(self.categories) if self.categories else None,
                provider_kind=unit.kind,
                provider_org=unit,
                capacity_text=f"{rng.randint(5, 40)}人",
            )
            resource.search_text = search_text(resource, [])
            out.append(resource)
        _bulk(self.built, Resource, out)

    def projects(
        self,
        community: Region,
        needs: list[Need],
        units: list[Organization],
        contacts: list[User],
        staff: User,
    ) -> None:
        rng = self.rng
        open_needs = [n for n in needs if n.state == Need.State.PUBLISHED and n.published_at]
        chosen = rng.sample(open_needs, min(self.sizes.projects, len(open_needs)))
        claims, projects = [], []
        for need in chosen:
            assert need.published_at is not None
            i = rng.randrange(len(units))
            claimed = self.moment(need.published_at, 10)
            claims.append(
                Claim(
                    need=need,
                    slot=1,
                    claimant=contacts[i],
                    organization=units[i],
                    claimant_kind=units[i].kind,
                    created_at=claimed,
                )
            )
            age = (self.now - claimed).days
            roll = rng.random()
            if age > 60 and roll < 0.8:
                state = Project.State.COMPLETED
            elif roll < 0.1 or age < 2:
                state = Project.State.SIGNING
            else:
                state = Project.State.ACTIVE
            started = None if state == Project.State.SIGNING else self.moment(claimed, 5)
            completed = self.moment(started, 50) if state == Project.State.COMPLETED else None
            need.state = Need.State.DONE if completed else Need.State.CLAIMED
            need.claimed_slots = 1
            need.closed_at = completed
            projects.append(
                Project(
                    need=need,
                    community=community,
                    title=need.title,
                    state=state,
                    last_activity_at=completed or started or claimed,
                    started_at=started,
                    completed_at=completed,
                    summary="已按认领协议完成" if completed else "",
                    people_served=need.beneficiaries if completed else None,
                    volunteer_hours=Decimal(rng.randint(2, 40)) if completed else None,
                    created_at=claimed,
                )
            )
        Need.objects.bulk_update(chosen, ["state", "claimed_slots", "closed_at"], batch_size=BATCH)
        for claim, project in zip(_bulk(self.built, Claim, claims), projects, strict=True):
            project.claim = claim
        made = _bulk(self.built, Project, projects)
        _bulk(
            self.built,
            Agreement,
            [
                Agreement(
                    project=p,
                    scope=p.title,
                    need_side_duties="提供场地与联系人，配合组织居民",
                    claimant_side_duties="按约定时间提供服务",
                    starts_on=timezone.localtime(p.created_at).date(),
                    ends_on=timezone.localtime(p.created_at).date() + datetime.timedelta(days=90),
                    need_side_name=community.name,
                    claimant_side_name=p.claim.organization.name,
                    frozen_at=p.started_at,
                )
                for p in made
            ],
        )

    def whistles(
        self, community: Region, compounds: list[Compound], staff: User, units: list[Organization]
    ) -> None:
        rng = self.rng
        whistles, calls = [], []
        for _i in range(self.sizes.whistles):
            blown = self.moment()
            report_by = blown + datetime.timedelta(hours=2)
            resolve_by = blown + datetime.timedelta(days=2)
            closed = self.moment(blown, 3) if (self.now - blown).days > 3 else None
            whistles.append(
                Whistle(
                    community=community,
                    type=rng.choice(["emergency", "everyday", "everyday", "joint"]),
                    title=rng.choice(["井盖缺失", "积水严重", "树枝压线", "楼道堆物", "路灯不亮"]),
                    compound=rng.choice(compounds),
                    report_by=report_by,
                    resolve_by=resolve_by,
                    state=Whistle.State.CLOSED if closed else Whistle.State.OPEN,
                    created_by=staff,
                    created_at=blown,
                    closed_at=closed,
                    rating=rng.choice([3, 4, 5, 5, None]) if closed else None,
                )
            )
        for whistle in _bulk(self.built, Whistle, whistles):
            for unit in rng.sample(units, 2):
                signed = self.moment(whistle.created_at, 0.05)
                arrived = self.moment(signed, 0.2)
                handled = self.moment(arrived, 1.5) if whistle.closed_at else None
                calls.append(
                    WhistleCall(
                        whistle=whistle,
                        organization=unit,
                        state=WhistleCall.State.HANDLED if handled else WhistleCall.State.ARRIVED,
                        report_by=whistle.report_by,
                        resolve_by=whistle.resolve_by,
                        called_at=whistle.created_at,
                        signed_at=signed,
                        arrived_at=arrived,
                        handled_at=handled,
                        confirmed_at=whistle.closed_at,
                        report_overdue=arrived > whistle.report_by,
                        resolve_overdue=bool(handled and handled > whistle.resolve_by),
                    )
                )
        _bulk(self.built, WhistleCall, calls)

    def council(self, community: Region, staff: User) -> None:
        council = Council.objects.create(community=community, name=f"{community.name}红色议事厅")
        self.built.add("councils", 1)
        meetings = []
        for i in range(self.sizes.meetings):
            starts = self.moment()
            meetings.append(
                Meeting(
                    council=council,
                    title=f"第{i + 1}次居民议事会",
                    starts_at=starts,
                    place="社区党群服务中心",
                    called=Meeting.Called.HOUSEHOLDS,
                    rule="residents_households",
                    state=Meeting.State.CLOSED,
                    noticed_at=starts - datetime.timedelta(days=3),
                    opened_at=starts,
                    closed_at=starts + datetime.timedelta(hours=2),
                    created_by=staff,
                )
            )
        _bulk(self.built, Meeting, meetings)

    def activities(
        self,
        community: Region,
        units: list[Organization],
        contacts: list[User],
        residents: list[User],
    ) -> None:
        rng = self.rng
        activities = []
        for _i in range(self.sizes.activities):
            starts = self.moment()
            activities.append(
                Activity(
                    community=community,
                    title=rng.choice(["防诈骗讲座", "防暑知识课", "面点课堂", "义诊", "清洁家园"]),
                    place="社区新时代文明实践站",
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=2),
                    capacity=30,
                    created_by=rng.choice(contacts),
                )
            )
        made = _bulk(self.built, Activity, activities)
        hosts = Activity.hosts.through
        _bulk(
            self.built,
            hosts,
            [hosts(activity=a, organization=u) for a in made for u in rng.sample(units, 2)],
        )
        signups = []
        for activity in made:
            past = activity.ends_at < self.now
            for person in rng.sample(residents, self.sizes.signups):
                came = past and rng.random() < 0.85
                signups.append(
                    SignUp(
                        activity=activity,
                        person=person,
                        state=SignUp.State.CONFIRMED,
                        created_at=activity.starts_at - datetime.timedelta(days=2),
                        checked_in_at=activity.starts_at if came else None,
                        no_show=past and not came,
                    )
                )
        _bulk(self.built, SignUp, signups)

    def event(self, community: Region, staff: User, needs: list[Need]) -> None:
        held = self.moment()
        event = ReleaseEvent.objects.create(
            title=f"{community.name}需求发布会",
            starts_at=held,
            place="社区广场",
            state=ReleaseEvent.State.CLOSED,
            created_by=staff,
            created_at=held - datetime.timedelta(days=7),
            opened_at=held,
            closed_at=held + datetime.timedelta(hours=2),
        )
        event.communities.add(community)
        on_list = [n for n in needs if n.state in (Need.State.PUBLISHED, Need.State.CLAIMED)][:49]
        _bulk(
            self.built,
            EventNeed,
            [
                EventNeed(event=event, need=n, position=i, added_at=event.created_at)
                for i, n in enumerate(on_list)
            ],
        )


def build_district(sizes: Sizes | None = None, log: Callable[[str], None] = print) -> Built:
    """The demo world, then the rest of the district around it (nothing when already built)."""
    build_demo()
    return District(sizes or Sizes(), log).build()
