"""Demo venues, activities and convenience services, from the article: the vocational
school's training salon and classrooms, its year-round services for residents, and the talk
on AI fraud and heatstroke for couriers and ride-hail drivers that the city cyberspace office,
the internet-industry party committee and the occupational-disease hospital co-hosted.

Built once: nothing is made when the school already has venues. Future bookings and sign-ups
go through the services; past ones are written as they would have been recorded then.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from wulian.accounts.models import User
from wulian.activities import services
from wulian.activities.models import (
    Activity,
    Helper,
    OpeningHours,
    Service,
    ServiceBooking,
    SignUp,
    Venue,
)
from wulian.orgs.models import Membership, Organization
from wulian.places.models import Compound, Region

SCHOOL = "武汉市第一商业学校"

# (name, capacity, facilities, description)
VENUES = [
    (
        "实训美发室",
        30,
        "理发椅 6 张, 洗头台, 镜台",
        "学校美容美发专业的实训室，便民理发、编发在这里。",
    ),
    ("多媒体教室", 60, "投影仪, 音响, 话筒", "可开讲座、培训和党课。"),
    ("烹饪实训室", 24, "烤箱, 灶台 8 个, 操作台", "糕点制作、炸肉圆等课程在这里。"),
    ("美甲实训室", 16, "美甲台 8 张", ""),
]

# (title, venue index, weekday, nth, from, to, minutes, places, description)
SERVICES: list[tuple[str, int, int, int | None, int, int, int, int, str]] = [
    ("义务理发", 0, 3, None, 14, 17, 20, 3, "美发专业师生为居民理发，每周三下午。"),
    ("编发造型", 0, 3, None, 14, 17, 30, 2, "为小朋友和女士编发。"),
    ("美甲", 3, 4, None, 14, 16, 30, 2, ""),
    ("手部护理", 3, 4, None, 14, 16, 20, 2, "为老人做手部护理。"),
    ("免费验光", 1, 6, 1, 9, 11, 15, 2, "每月第一个周六上午。"),
    ("清洗眼镜", 1, 6, 1, 9, 11, 10, 1, "超声波清洗眼镜。"),
    ("糕点制作体验课", 2, 5, None, 15, 17, 120, 12, "每次 12 个名额。"),
    ("炸肉圆体验课", 2, 6, 2, 9, 11, 120, 12, "每月第二个周六。"),
]

DAY = datetime.timedelta(days=1)


def _admin_of(org: Organization) -> User:
    membership = Membership.objects.filter(organization=org).order_by("-role", "id").first()
    assert membership is not None, f"{org} has no member"
    return membership.user


def _next_weekday(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.isoweekday()) % 7 or 7)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def build_activities(community: Region, actor: Any) -> int:
    school = Organization.objects.filter(name=SCHOOL, region=community).first()
    if school is None or Venue.objects.filter(owner=school).exists():
        return 0
    with transaction.atomic():
        return _build(community, actor, school)


def _build(community: Region, actor: User, school: Organization) -> int:
    made = 0
    teacher = _admin_of(school)
    compound = Compound.objects.filter(community=community).order_by("id").first()
    venues = []
    for name, capacity, facilities, description in VENUES:
        venue = Venue.objects.create(
            owner=school,
            community=community,
            compound=compound,
            name=name,
            capacity=capacity,
            facilities=facilities,
            description=description,
            address="江汉北路 武汉市第一商业学校",
            bookers=Venue.Bookers.UNITS,
            needs_approval=True,
        )
        for weekday in range(1, 7):
            OpeningHours.objects.create(
                venue=venue, weekday=weekday, opens=datetime.time(8), closes=datetime.time(21)
            )
        venues.append(venue)
        made += 1
    committee = Organization.objects.filter(
        region=community, kind=Organization.Kind.COMMUNITY
    ).first()
    if committee is not None:
        station = Venue.objects.create(
            owner=committee,
            community=community,
            name="新时代文明实践站",
            capacity=80,
            facilities="投影仪, 图书角, 桌椅 80 套",
            bookers=Venue.Bookers.EVERYONE,
            needs_approval=False,
        )
        for weekday in range(1, 8):
            OpeningHours.objects.create(
                venue=station, weekday=weekday, opens=datetime.time(8, 30), closes=datetime.time(21)
            )
        venues.append(station)
        made += 1

    today = timezone.localdate()
    holiday = datetime.date(today.year + (today.month == 12), 1, 1)
    service_rows = []
    for title, venue_index, weekday, nth, start, end, minutes, seats, description in SERVICES:
        service_rows.append(
            services.create_service(
                teacher,
                school,
                community,
                services.ServiceInput(
                    title=title,
                    weekday=weekday,
                    nth=nth,
                    starts=datetime.time(start),
                    ends=datetime.time(end),
                    slot_minutes=minutes,
                    seats=seats,
                    venue=venues[venue_index],
                    description=description,
                    days_off=[holiday],
                ),
            )
        )
        made += 1

    residents = list(
        User.objects.filter(community=community, mobile__startswith="1390001").order_by("mobile")
    )
    aunt = User.objects.filter(mobile="13900000042").first()
    if aunt is not None and residents:
        Helper.objects.get_or_create(
            resident=aunt, helper=residents[0], defaults={"relation": "女儿", "added_by": actor}
        )
    made += _service_bookings(service_rows, residents, aunt, actor, today)
    made += _venue_bookings(venues, community, actor, today)
    made += _activities(community, actor, school, venues, residents, today)
    return made


def _service_bookings(
    rows: list[Service], residents: list[User], aunt: User | None, actor: User, today: datetime.date
) -> int:
    made = 0
    haircuts = rows[0]
    # Past weeks: written as they were recorded then (checked in, or did not come).
    for week in range(1, 5):
        day = _next_weekday(today, 3) - datetime.timedelta(weeks=week)
        for n, slot in enumerate(services.slot_times(haircuts, day)):
            for seat in range(1, 3):
                index = (week * 17 + n * 3 + seat) % max(1, len(residents))
                if not residents:
                    break
                state = (
                    ServiceBooking.State.NO_SHOW
                    if (n + seat + week) % 11 == 0
                    else ServiceBooking.State.ATTENDED
                )
                ServiceBooking.objects.create(
                    service=haircuts,
                    starts_at=slot[0],
                    seat=seat,
                    person=residents[index],
                    booked_by=residents[index],
                    state=state,
                    checked_in_at=slot[0] if state == ServiceBooking.State.ATTENDED else None,
                    created_at=slot[0] - 3 * DAY,
                )
                made += 1
    # Next week: booked through the service, one on behalf of 张阿姨 by her daughter.
    upcoming = _next_weekday(today, 3)
    slots = services.slot_times(haircuts, upcoming)
    for n, person in enumerate(residents[5:17]):
        services.book_slot(person, haircuts, slots[n // 2][0])
        made += 1
    if aunt is not None and residents:
        services.book_slot(residents[0], haircuts, slots[7][0], person=aunt)
        made += 1
    for service in rows[1:4]:
        day = _next_weekday(today, service.weekday)
        for n, (start, _end) in enumerate(services.slot_times(service, day)[:2]):
            if len(residents) > 40 + n:
                services.book_slot(residents[30 + n + service.pk % 7], service, start)
                made += 1
    return made


def _venue_bookings(
    venues: list[Venue], community: Region, actor: User, today: datetime.date
) -> int:
    made = 0
    units = list(
        Organization.objects.filter(region=community, kind=Organization.Kind.ENTERPRISE)
        .exclude(memberships=None)
        .order_by("name")[:3]
    )
    classroom = venues[1]
    for n, unit in enumerate(units):
        day = _next_weekday(today, 2 + n)
        booking = services.book_venue(
            _admin_of(unit),
            classroom,
            services.BookingInput(
                _at(day, 14),
                _at(day, 16),
                ["员工安全培训", "党员学习会", "客户座谈会"][n],
                30,
                unit,
            ),
        )
        made += 1
        if n == 0:
            services.approve_booking(_admin_of(classroom.owner), booking)
        elif n == 2:
            services.decline_booking(_admin_of(classroom.owner), booking, "当天学校期中考试")
    # The party committee's weekly study session in the station, for six weeks.
    station = venues[-1]
    monday = _next_weekday(today, 1)
    services.book_weekly(
        actor,
        station,
        services.BookingInput(_at(monday, 19), _at(monday, 20, 30), "党员周一学习夜校", 40),
        6,
        skip_conflicts=True,
    )
    return made + 6


def _activities(
    community: Region,
    actor: User,
    school: Organization,
    venues: list[Venue],
    residents: list[User],
    today: datetime.date,
) -> int:
    by_name = {o.name: o for o in Organization.objects.filter(kind=Organization.Kind.AGENCY)}
    cohosts = [
        by_name[name]
        for name in (
            "中共武汉市委网络安全和信息化委员会办公室",
            "中共武汉市互联网行业委员会",
            "武汉市职业病防治院",
        )
        if name in by_name
    ]
    courier = Organization.objects.filter(name="汉江快递西马站").first()
    made = 0

    def create(days_ahead: int, hour: int, length: int, **data: Any) -> Activity:
        day = today + datetime.timedelta(days=days_ahead)
        return services.create_activity(
            actor,
            community,
            services.ActivityInput(
                starts_at=_at(day, hour), ends_at=_at(day, hour + length), **data
            ),
        )

    # The talk from the article, held three weeks ago: created as if ahead, then moved back.
    talk = create(
        1,
        15,
        2,
        title="AI 反诈与防暑降温进站点",
        description=(
            "市委网信办、市互联网行业党委和市职防院走进骑手驿站，为快递员、外卖骑手和网约车司机"
            "讲解 AI 换脸、语音诈骗的识别方法和夏季防暑降温、职业健康知识，现场发放防暑包。"
        ),
        capacity=60,
        hosts=[*cohosts, *([courier] if courier else [])],
        place="汉江快递西马站 骑手驿站",
        audience="new_employment",
        volunteers_wanted=4,
        volunteer_tasks="签到引导, 发放防暑包",
    )
    people = residents[40:88]
    for person in people:
        services.sign_up(person, talk)
    for n, person in enumerate(residents[88:91]):
        services.sign_up(person, talk, SignUp.Role.VOLUNTEER, talk.task_list[n % 2])
    made += 1 + len(people) + 3
    _move_to_past(talk, 21)

    # Upcoming: a full talk with a waiting list, a pastry class for children, a volunteer day.
    fraud = create(
        6,
        9,
        2,
        title="老年人防范电信诈骗讲座",
        description="社区民警和市委网信办讲解冒充客服、养老投资等常见骗局。",
        capacity=30,
        hosts=[*cohosts[:1], school],
        booking=None,
        place="新时代文明实践站",
        audience="elderly",
        confirm_hours=24,
    )
    for person in residents[100:134]:
        services.sign_up(person, fraud)
    made += 35
    pastry = create(
        10,
        15,
        2,
        title="暑期亲子糕点课",
        description="一商校烹饪专业老师带孩子和家长做绿豆糕。",
        capacity=12,
        hosts=[school],
        place="一商校烹饪实训室",
        audience="children",
    )
    for person in residents[140:150]:
        services.sign_up(person, pastry)
    made += 11
    create(
        13,
        8,
        3,
        title="党员志愿服务日：楼道清洁",
        description="党员志愿者清理 42 号小区楼道杂物。",
        capacity=40,
        hosts=[school],
        place="江汉北路42号小区",
        audience="party_members",
        volunteers_wanted=20,
        volunteer_tasks="清理杂物, 张贴提示",
    )
    return made + 1


def _move_to_past(activity: Activity, days: int) -> None:
    """Move a demo activity back in time and record the check-ins it would have had."""
    shift = datetime.timedelta(days=days)
    start = activity.starts_at - shift
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start,
        ends_at=activity.ends_at - shift,
        created_at=activity.created_at - shift,
        report="到场骑手和司机 40 余人，发放防暑包 60 份，现场演示识别 AI 换脸视频。",
    )
    signups = list(activity.signups.order_by("id"))
    for n, signup in enumerate(signups):
        came = n % 6 != 5
        changes: dict[str, Any] = {
            "created_at": signup.created_at - shift,
            "checked_in_at": start - datetime.timedelta(minutes=10 - n % 10) if came else None,
            "no_show": not came,
            "rating": (5 if n % 3 else 4) if came and n % 2 == 0 else None,
        }
        if signup.role == SignUp.Role.VOLUNTEER:
            changes.update(
                checked_in_at=start - datetime.timedelta(minutes=40),
                checked_out_at=start + datetime.timedelta(hours=2, minutes=20),
                no_show=False,
                rating=None,
            )
        SignUp.objects.filter(pk=signup.pk).update(**changes)
