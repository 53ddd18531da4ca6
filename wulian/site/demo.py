"""The demo world: the article's community, its units and teams, and invented people.

Deterministic (a fixed seed) and idempotent (every object is looked up by a natural key first,
so a second run changes nothing). Every person's name is invented.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from wulian.accounts.models import User
from wulian.core.registry import demo_builders
from wulian.orgs import services as org_services
from wulian.orgs.models import Membership, Organization, Partnership
from wulian.places.models import Compound, Region, StaffAssignment

SEED = 20231113
DEMO_PASSWORD = "wulian2026"
ADMIN_MOBILE = "13800000000"

COMPOUNDS = [
    ("江汉北路42号小区", "江汉北路42号", 286, 6),
    ("江汉北路36号院", "江汉北路36号", 164, 4),
    ("江汉北路18号小区", "江汉北路18号", 212, 5),
    ("西马路9号小区", "西马路9号", 178, 4),
    ("联保里小区", "联保里1-24号", 340, 9),
    ("义和巷小区", "义和巷5号", 120, 3),
    ("新马路家属院", "新马路22号", 150, 4),
]
# What residents and staff call them (the article says "42号小区"); imports read both.
SHORT_NAMES = {
    "江汉北路42号小区": "42号小区",
    "江汉北路36号院": "36号院",
    "江汉北路18号小区": "18号小区",
}

ENTERPRISES = [
    "武汉江汉北物业服务有限公司",
    "汉口老街糕点坊",
    "西马理发美容店",
    "明亮眼镜江岸店",
    "江岸惠民大药房",
    "楚味早点餐饮有限公司",
    "汉江快递西马站",
    "武汉红帆电梯工程有限公司",
    "江北家政服务有限公司",
    "长江数码维修中心",
    "武汉晴川律师事务所",
    "西马社区超市",
    "江岸安居装饰工程有限公司",
    "鹦鹉洲文化传媒有限公司",
    "汉口银发康养服务中心",
    "武汉同心保洁有限公司",
    "江汉北路菜市场经营管理部",
    "武汉绿源环保科技有限公司",
    "武汉百川网约车服务有限公司",
    "江岸区便民缝补铺",
    "武汉乐学教育咨询有限公司",
    "汉口水电维修服务部",
    "武汉安康体检中心江岸分部",
]

VOLUNTEER_TEAMS = [
    "江汉北路社区党员志愿服务队",
    "红色邻里志愿服务队",
    "商校青年志愿服务队",
    "银龄互助志愿服务队",
    "平安巡逻志愿服务队",
    "洁美家园环境志愿服务队",
]

AGENCIES = [
    # (name, short name, level of home region)
    ("中共武汉市委网络安全和信息化委员会办公室", "市委网信办", "city"),
    ("中共武汉市互联网行业委员会", "市互联网行业党委", "city"),
    ("武汉市职业病防治院", "市职防院", "city"),
    ("西马街道办事处", "西马街道", "subdistrict"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁琳晨辰佳欣怡雪婷颖慧瑶晶文博志刚建国国华德胜春兰秋菊冬梅淑珍素芬凤英桂兰玉兰"  # noqa: E501


@dataclass
class DemoAccount:
    role: str
    name: str
    mobile: str


@dataclass
class DemoResult:
    created: dict[str, int] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)

    def count(self, kind: str, created: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        name = rng.choice(SURNAMES) + given
        if name not in used:
            used.add(name)
            return name


class DemoBuilder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.used_names: set[str] = set()
        self.result = DemoResult()
        self.password_hash = make_password(DEMO_PASSWORD, salt="wuliandemo")

    def region(self, name: str, level: str, parent: Region | None, **fields: object) -> Region:
        region, created = Region.objects.get_or_create(
            name=name, parent=parent, defaults={"level": level, **fields}
        )
        self.result.count("regions", created)
        return region

    def person(self, mobile: str, name: str, **fields: object) -> User:
        user, created = User.objects.get_or_create(
            mobile=mobile, defaults={"real_name": name, "password": self.password_hash, **fields}
        )
        self.result.count("people", created)
        return user

    def org(self, name: str, kind: str, region: Region, **fields: object) -> Organization:
        org, created = Organization.objects.get_or_create(
            name=name, region=region, defaults={"kind": kind, **fields}
        )
        self.result.count("organisations", created)
        return org

    def member(self, org: Organization, user: User, role: str, title: str = "") -> None:
        _, created = Membership.objects.get_or_create(
            organization=org, user=user, defaults={"role": role, "title": title}
        )
        self.result.count("memberships", created)

    def staff(self, user: User, region: Region, role: str, title: str) -> None:
        _, created = StaffAssignment.objects.get_or_create(
            user=user, region=region, defaults={"role": role, "title": title}
        )
        self.result.count("staff assignments", created)

    def account(self, role: str, user: User) -> None:
        self.result.accounts.append(DemoAccount(role, user.real_name, user.mobile))

    @transaction.atomic
    def build(self) -> DemoResult:
        wuhan = self.region("武汉市", Region.Level.CITY, None)
        jiangan = self.region("江岸区", Region.Level.DISTRICT, wuhan)
        xima = self.region("西马街道", Region.Level.SUBDISTRICT, jiangan)
        community = self.region(
            "江汉北路社区",
            Region.Level.COMMUNITY,
            xima,
            population=9702,
            party_members=357,
            description=(
                "老旧城区混合型社区，以“五联模式”（组织联动、阵地联享、活动联办、党员联训、"
                "发展联促）推进共建共治共享。"
            ),
        )
        neighbour = self.region(
            "西马路社区", Region.Level.COMMUNITY, xima, population=6120, party_members=204
        )

        compounds = []
        for name, address, households, buildings in COMPOUNDS:
            compound, created = Compound.objects.get_or_create(
                community=community,
                name=name,
                defaults={
                    "address": address,
                    "households": households,
                    "buildings": buildings,
                    "short_name": SHORT_NAMES.get(name, ""),
                },
            )
            self.result.count("compounds", created)
            compounds.append(compound)
        for name in ("西马路1号院", "长春街小区"):
            _, created = Compound.objects.get_or_create(community=neighbour, name=name)
            self.result.count("compounds", created)
        compound_42 = compounds[0]

        admin = self.person(ADMIN_MOBILE, "系统管理员", is_superuser=True, is_staff=True)
        self.account("administrator", admin)

        secretary = self.person("13800000001", _name(self.rng, self.used_names))
        self.staff(secretary, community, StaffAssignment.Role.SECRETARY, "社区党委书记")
        self.account("community party secretary", secretary)
        worker = self.person("13800000002", _name(self.rng, self.used_names))
        self.staff(worker, community, StaffAssignment.Role.STAFF, "社区工作者")
        self.account("community staff", worker)
        neighbour_staff = self.person("13800000003", _name(self.rng, self.used_names))
        self.staff(neighbour_staff, neighbour, StaffAssignment.Role.STAFF, "社区工作者")
        self.account("staff of the neighbouring community", neighbour_staff)
        subdistrict_staff = self.person("13800000010", _name(self.rng, self.used_names))
        self.staff(subdistrict_staff, xima, StaffAssignment.Role.STAFF, "街道党建办")
        self.account("subdistrict staff", subdistrict_staff)
        district_staff = self.person("13800000020", _name(self.rng, self.used_names))
        self.staff(district_staff, jiangan, StaffAssignment.Role.STAFF, "区委社会工作部")
        self.account("district staff", district_staff)

        party_committee = self.org(
            "中共江汉北路社区委员会",
            Organization.Kind.COMMUNITY,
            community,
            short_name="社区党委",
            has_party_organization=True,
        )
        residents_committee = self.org(
            "江汉北路社区居民委员会",
            Organization.Kind.COMMUNITY,
            community,
            short_name="社区居委会",
        )
        self.member(party_committee, secretary, Membership.Role.ADMIN, "书记")
        self.member(residents_committee, worker, Membership.Role.ADMIN, "委员")

        school = self.org(
            "武汉市第一商业学校",
            Organization.Kind.SCHOOL,
            community,
            short_name="一商校",
            has_party_organization=True,
            address="江汉北路",
            description=(
                "驻区中等职业学校，江汉北路社区新时代文明实践站点位。常年为居民提供理发、编发、"
                "美甲、手护、验光、清洁眼镜、糕点制作、炸制肉圆等便民服务。"
            ),
        )
        units: list[Organization] = [school]
        region_for = {"city": wuhan, "subdistrict": xima}
        for name, short, level in AGENCIES:
            units.append(
                self.org(
                    name,
                    Organization.Kind.AGENCY,
                    region_for[level],
                    short_name=short,
                    has_party_organization=True,
                )
            )
        units.append(
            self.org(
                "江岸区阳光社工服务中心",
                Organization.Kind.SOCIAL_ORGANIZATION,
                community,
                short_name="阳光社工",
            )
        )
        for name in ENTERPRISES:
            units.append(
                self.org(
                    name,
                    Organization.Kind.ENTERPRISE,
                    community,
                    has_party_organization=self.rng.random() < 0.4,
                )
            )
        for name in VOLUNTEER_TEAMS:
            units.append(self.org(name, Organization.Kind.VOLUNTEER_TEAM, community))
        # Where the joint party-member training went: two memorials, and the live-streaming
        # platform whose studio hosted the online party class.
        for name, short in [
            ("武汉二七纪念馆", "二七纪念馆"),
            ("八路军武汉办事处旧址纪念馆", "八路军武汉办事处"),
        ]:
            units.append(
                self.org(
                    name,
                    Organization.Kind.AGENCY,
                    wuhan,
                    short_name=short,
                    has_party_organization=True,
                )
            )
        units.append(
            self.org(
                "武汉斗鱼网络科技有限公司",
                Organization.Kind.ENTERPRISE,
                wuhan,
                short_name="斗鱼",
                description="在斗鱼直播间开设“同上一堂党课”在线课堂。",
            )
        )

        # Each unit has an administrator (its contact) and, for some, a second member.
        for index, org in enumerate(units, start=1):
            contact = self.person(f"1380000{index + 100:04d}", _name(self.rng, self.used_names))
            self.member(org, contact, Membership.Role.ADMIN, "联络人")
            if not org.contact_name:
                Organization.objects.filter(pk=org.pk).update(
                    contact_name=contact.real_name, contact_mobile=contact.mobile
                )
            if index % 3 == 0:
                member = self.person(f"1380000{index + 300:04d}", _name(self.rng, self.used_names))
                self.member(org, member, Membership.Role.MEMBER, "志愿者")
            if org == school:
                self.account("unit admin (school)", contact)
            if org.name == ENTERPRISES[0]:
                self.account("unit admin (enterprise)", contact)
        school_member = self.person("13800000500", _name(self.rng, self.used_names))
        self.member(school, school_member, Membership.Role.MEMBER, "教师")
        self.account("unit contact (school teacher)", school_member)

        # Residents: a few hundred across the seven compounds.
        aunt = self.person(
            "13900000042",
            "张秀英",
            community=community,
            compound=compound_42,
            building="3栋2单元",
            is_verified_resident=True,
        )
        self.account("resident of compound 42", aunt)
        existing = set(
            User.objects.filter(mobile__startswith="1390001").values_list("mobile", flat=True)
        )
        new_people = []
        for i in range(320):
            mobile = f"1390001{i:04d}"
            name = _name(self.rng, self.used_names)
            compound = compounds[self.rng.randrange(len(compounds))]
            building = (
                f"{self.rng.randint(1, compound.buildings or 3)}栋{self.rng.randint(1, 4)}单元"
            )
            party = self.rng.random() < 0.12
            verified = self.rng.random() < 0.7
            if mobile not in existing:
                new_people.append(
                    User(
                        mobile=mobile,
                        real_name=name,
                        password=self.password_hash,
                        community=community,
                        compound=compound,
                        building=building,
                        is_party_member=party,
                        is_verified_resident=verified,
                    )
                )
        if new_people:
            User.objects.bulk_create(new_people)
            self.result.created["people"] = self.result.created.get("people", 0) + len(new_people)

        # Organisation linkage: the school and several units are co-building partners.
        start = datetime.date(2021, 3, 1)
        for offset, partner in enumerate([school, *units[5:12]]):
            if not Partnership.objects.filter(host=party_committee, partner=partner).exists():
                partnership = org_services.create_partnership(
                    secretary,
                    community,
                    party_committee,
                    partner,
                    started_on=start + datetime.timedelta(days=61 * offset),
                    content=(
                        f"{partner.short_name or partner.name}与社区党委签订共建协议：组织联动、"
                        "阵地联享、活动联办、党员联训、发展联促。"
                    ),
                )
                org_services.set_partnership_status(secretary, partnership, "active")
                self.result.count("partnerships", True)

        for build, label in demo_builders():
            made = build(community, secretary)
            if made:
                self.result.created[str(label)] = made
        return self.result


def build_demo() -> DemoResult:
    return DemoBuilder().build()


ACCOUNT_ROLES = [
    ("13800000000", "administrator"),
    ("13800000001", "community party secretary"),
    ("13800000002", "community staff"),
    ("13800000003", "staff of the neighbouring community"),
    ("13800000010", "subdistrict staff"),
    ("13800000020", "district staff"),
    ("13800000101", "unit admin (school)"),
    ("13800000500", "unit contact (school teacher)"),
    ("13900000042", "resident of compound 42"),
]


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts present in the database, without building anything."""
    people = {u.mobile: u for u in User.objects.filter(mobile__in=[m for m, _ in ACCOUNT_ROLES])}
    return [
        DemoAccount(role, people[mobile].real_name, mobile)
        for mobile, role in ACCOUNT_ROLES
        if mobile in people
    ]
