"""Joint training in the demo world: the community party committee's and the vocational
school's (武汉市第一商业学校) party members, the joint visit to the Wuhan February 7th Memorial
(二七纪念馆), the Eighth Route Army Wuhan office exhibition (八路军武汉办事处旧址), and the online
class "同上一堂党课", with their attendance; and members of the school registered at the
community (双报到) with service posts. Deterministic and idempotent: nothing is built when the
sessions exist. Sessions lie in the past, so their attendance is written as it was recorded."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from wulian.accounts.models import User
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.training import services
from wulian.training.models import (
    Attendance,
    DualRegistration,
    PartyMembership,
    ServicePost,
    Session,
)

SEED = 20260701
POSTS = [
    ("楼栋长", "联系一栋楼的住户，收集诉求、传达通知。"),
    ("文明劝导员", "江汉北路沿线文明劝导、垃圾分类引导。"),
    ("政策宣讲员", "在新时代文明实践站宣讲政策。"),
    ("平安巡逻员", "周末晚间小区平安巡逻。"),
]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _enrol(org: Organization, person: User, role: str, joined: datetime.date) -> PartyMembership:
    membership = PartyMembership.objects.filter(person=person, is_active=True).first()
    if membership is None:
        # Recorded at the start of the year, as a branch enters its members in January:
        # the dashboards' norms count from then.
        start = _at(datetime.date(timezone.localdate().year, 1, 1), 9)
        membership = PartyMembership.objects.create(
            person=person, organization=org, role=role, joined_on=joined, created_at=start
        )
        User.objects.filter(pk=person.pk).update(is_party_member=True)
    return membership


def _session(
    community: Region, actor: User, organisers: list[Organization], **fields: Any
) -> Session:
    session = Session.objects.create(community=community, created_by=actor, **fields)
    session.organisers.set(organisers)
    return session


def _attend(
    session: Session, membership: PartyMembership, online: bool, rng: random.Random
) -> None:
    if online:
        opened = session.starts_at + datetime.timedelta(minutes=rng.randint(0, 10))
        attended = opened + datetime.timedelta(minutes=session.min_minutes + rng.randint(0, 30))
        hours = services.study_hours(session, opened, attended)
        method = Attendance.Method.ONLINE
    else:
        opened = None
        attended = session.starts_at - datetime.timedelta(minutes=rng.randint(0, 20))
        hours = services.study_hours(session)
        method = Attendance.Method.CHECK_IN
    Attendance.objects.create(
        session=session,
        person=membership.person,
        organization=membership.organization,
        state=Attendance.State.PRESENT,
        method=method,
        opened_at=opened,
        attended_at=attended,
        rule=session.hours_rule,
        hours=hours,
        year=timezone.localtime(session.starts_at).year,
        recorded_by=membership.person,
    )


@transaction.atomic
def build_training(community: Region, actor: User) -> int:
    if Session.objects.filter(community=community).exists():
        return 0
    committee = Organization.objects.filter(region=community, short_name="社区党委").first()
    school = Organization.objects.filter(region=community, name="武汉市第一商业学校").first()
    if committee is None or school is None:
        return 0
    rng = random.Random(SEED)
    joined = datetime.date(2005, 7, 1)
    committee_members = [_enrol(committee, actor, PartyMembership.Role.SECRETARY, joined)]
    school_members = []
    contact = User.objects.filter(mobile="13800000101").first()
    teacher = User.objects.filter(mobile="13800000500").first()
    if contact is not None:
        school_members.append(_enrol(school, contact, PartyMembership.Role.SECRETARY, joined))
    if teacher is not None:
        school_members.append(_enrol(school, teacher, PartyMembership.Role.MEMBER, joined))
    residents = list(
        User.objects.filter(community=community, is_party_member=True).order_by("id")[:30]
    )
    for n, person in enumerate(residents):
        role = PartyMembership.Role.COMMITTEE if n < 3 else PartyMembership.Role.MEMBER
        since = datetime.date(1975 + rng.randrange(45), rng.randint(1, 12), 1)
        if n < 22:
            committee_members.append(_enrol(committee, person, role, since))
        else:
            school_members.append(_enrol(school, person, PartyMembership.Role.MEMBER, since))

    today = timezone.localdate()
    visit = _session(
        community,
        actor,
        [committee, school],
        title="重温红色记忆：联合参观二七纪念馆",
        kind=Session.Kind.VISIT,
        starts_at=_at(today - datetime.timedelta(days=40), 8, 30),
        ends_at=_at(today - datetime.timedelta(days=40), 12),
        place="武汉二七纪念馆（解放大道2396号）",
        topics="京汉铁路工人大罢工, 二七精神, 工人运动史",
        hours_rule=Session.HoursRule.HALF_DAY,
    )
    exhibition = _session(
        community,
        actor,
        [committee, school],
        title="八路军武汉办事处旧址专题展览学习",
        kind=Session.Kind.VISIT,
        starts_at=_at(today - datetime.timedelta(days=20), 14),
        ends_at=_at(today - datetime.timedelta(days=20), 17),
        place="八路军武汉办事处旧址纪念馆（长春街57号）",
        topics="抗战时期的统一战线, 新四军、八路军驻汉办事处",
        hours_rule=Session.HoursRule.ACTUAL,
    )
    online = _session(
        community,
        actor,
        [committee, school],
        title="同上一堂党课",
        kind=Session.Kind.ONLINE,
        starts_at=_at(today - datetime.timedelta(days=7), 19),
        ends_at=_at(today - datetime.timedelta(days=7), 20, 30),
        online_url="https://www.douyu.com/topic/dangke",
        topics="党的创新理论, 基层治理",
        hours_rule=Session.HoursRule.ACTUAL,
        min_minutes=45,
    )
    _session(
        community,
        actor,
        [committee, school],
        title="主题党日：学习《中国共产党党员教育管理工作条例》",
        kind=Session.Kind.THEMED_DAY,
        starts_at=_at(today + datetime.timedelta(days=5), 9),
        ends_at=_at(today + datetime.timedelta(days=5), 11, 30),
        place="江汉北路社区新时代文明实践站",
        topics="党员教育管理, 学时要求",
        hours_rule=Session.HoursRule.ACTUAL,
    )
    everyone = committee_members + school_members
    for membership in everyone:
        if rng.random() < 0.8:
            _attend(visit, membership, False, rng)
        if rng.random() < 0.5:
            _attend(exhibition, membership, False, rng)
        if rng.random() < 0.7:
            _attend(online, membership, True, rng)

    posts = [
        ServicePost.objects.get_or_create(
            community=community, name=name, defaults={"description": description}
        )[0]
        for name, description in POSTS
    ]
    for n, membership in enumerate(school_members[1:6]):
        registration = DualRegistration.objects.create(
            person=membership.person,
            membership=membership,
            community=community,
            basis="residence" if membership.person.community_id == community.pk else "work",
        )
        registration.posts.set([posts[n % len(posts)]])
    return 4
