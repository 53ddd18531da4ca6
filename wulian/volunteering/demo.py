"""The demo world's volunteer hours: a year of records for a few dozen volunteers of the
community's teams, with 张秀英 (张阿姨) of compound 42 leading the 红色邻里 team's monthly
services, so she holds 公益服务好连长.

Built once: nothing is made when the community has records. The activities' past check-outs
go through the ledger's own service; the teams' services of the past year are written as
their organisers would have entered and confirmed them then. Badges are then awarded as the
worker awards them.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from wulian.accounts.models import User
from wulian.activities.models import SignUp
from wulian.activities.services import volunteer_hours
from wulian.orgs.models import Membership, Organization
from wulian.places.models import Region
from wulian.volunteering import services
from wulian.volunteering.models import CorrectionRequest, VolunteerRecord

AUNT = "13900000042"
SERVICES = [
    ("楼栋清洁日", "42号小区各楼栋", 2),
    ("独居老人上门探访", "42号小区", 2),
    ("邻里助餐送餐", "社区长者食堂", 3),
    ("垃圾分类督导", "小区垃圾分类亭", 2),
    ("平安夜巡", "江汉北路沿线", 3),
    ("便民理发协助", "实训美发室", 3),
    ("四点半课堂辅导", "新时代文明实践站", 2),
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def build_volunteering(community: Region, actor: User) -> int:
    if VolunteerRecord.objects.filter(community=community).exists():
        return 0
    rng = random.Random(42)
    teams = list(
        Organization.objects.filter(
            region=community, kind=Organization.Kind.VOLUNTEER_TEAM
        ).order_by("pk")
    )
    if not teams:
        return 0
    aunt = User.objects.filter(mobile=AUNT).first()
    red = next((t for t in teams if "红色邻里" in t.name), teams[0])
    if aunt is not None:
        Membership.objects.get_or_create(
            organization=red, user=aunt, defaults={"role": "admin", "title": "队长"}
        )
    confirmers = {
        t.pk: Membership.objects.filter(organization=t).exclude(user=aunt).first() for t in teams
    }
    volunteers = list(
        User.objects.filter(community=community, mobile__startswith="1390001").order_by("pk")[:40]
    )
    if aunt is not None:
        volunteers = [aunt, *volunteers]
    today = timezone.localdate()
    made = services.record_activity_hours(
        volunteer_hours(
            *SignUp.objects.filter(
                activity__community=community, role="volunteer", checked_out_at__isnull=False
            ).select_related("activity")
        )
    )
    records: list[VolunteerRecord] = []
    for month in range(12, 0, -1):
        for n, (title, place, hours) in enumerate(SERVICES):
            team = red if n < 3 else teams[n % len(teams)]
            leader = aunt if team == red and aunt is not None else None
            day = today - datetime.timedelta(days=30 * month - 2 * n)
            if day >= today:
                continue
            confirmer = confirmers.get(team.pk)
            crew = rng.sample(volunteers, k=min(len(volunteers), rng.randint(4, 9)))
            if leader is not None and leader not in crew:
                crew[0] = leader
            for person in crew:
                served = Decimal(hours) - rng.choice([Decimal(0)] * 3 + [Decimal("0.5")])
                records.append(
                    VolunteerRecord(
                        person=person,
                        community=community,
                        organization=team,
                        source=VolunteerRecord.Source.MANUAL,
                        service=title,
                        place=place,
                        date=day,
                        started_at=_at(day, 9),
                        ended_at=_at(day, 9 + hours),
                        hours=served,
                        organiser=leader or (confirmer.user if confirmer else actor),
                        recorded_by=leader or actor,
                        confirmed_by=confirmer.user if confirmer else actor,
                        confirmed_at=_at(day, 20),
                        created_at=_at(day, 18),
                    )
                )
    VolunteerRecord.objects.bulk_create(records)
    made += len(records)
    if aunt is not None and volunteers[1:]:
        # One entry waiting for the second person, one correction waiting for the organiser.
        yesterday = today - datetime.timedelta(days=1)
        services.enter_hours(
            aunt,
            red,
            services.ManualInput(
                person=volunteers[1],
                service="楼道小广告清理",
                place="42号小区3栋",
                date=yesterday,
                starts=datetime.time(15),
                ends=datetime.time(17),
                hours=Decimal(2),
            ),
        )
        mistaken = (
            VolunteerRecord.objects.counted()
            .filter(person=volunteers[2], organization=red)
            .order_by("-date")
            .first()
        )
        if mistaken is not None:
            CorrectionRequest.objects.create(
                record=mistaken,
                requested_by=volunteers[2],
                reason="那天我服务到12点，少记了1小时。",
                hours=mistaken.hours + 1,
            )
        made += 2
    services.ensure_default_badges()
    services.award_badges()
    return made
