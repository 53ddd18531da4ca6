"""A real worker process killed with SIGKILL while it awards badges, then started again, gives
every badge exactly once, each with its one notification."""

from __future__ import annotations

import collections
import datetime
import signal
import time
import zoneinfo
from decimal import Decimal

import pytest
from django_tasks_db.models import DBTaskResult

from tests.whistle.test_worker_kill import _worker
from wulian.accounts.models import User
from wulian.notifications.models import Delivery, Notification
from wulian.orgs.models import Organization
from wulian.volunteering.models import Award, VolunteerRecord

pytestmark = pytest.mark.django_db(transaction=True)

VOLUNTEERS = 150
PER_VOLUNTEER = 2  # first service and 10 hours
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _volunteers(world) -> None:
    team = Organization.objects.create(
        name="江汉北路志愿服务队", kind=Organization.Kind.VOLUNTEER_TEAM, region=world.community
    )
    people = User.objects.bulk_create(
        User(
            mobile=f"1396{i:07d}",
            real_name=f"志愿者{i}",
            community=world.community,
            compound=world.compound,
        )
        for i in range(VOLUNTEERS)
    )
    start = datetime.datetime(2026, 3, 2, 9, tzinfo=TZ)
    VolunteerRecord.objects.bulk_create(
        VolunteerRecord(
            person=person,
            community=world.community,
            organization=team,
            source=VolunteerRecord.Source.MANUAL,
            service="上门探访",
            date=start.date(),
            started_at=start,
            ended_at=start + datetime.timedelta(hours=12),
            hours=Decimal(12),
            recorded_by=world["community_staff"],
            confirmed_by=world["community_staff"],
        )
        for person in people
    )


def test_killing_the_worker_while_it_awards_badges_gives_each_exactly_once(world, tmp_path):
    _volunteers(world)
    for model in (DBTaskResult, Delivery, Notification):
        model.objects.all().delete()
    expected = VOLUNTEERS * PER_VOLUNTEER

    sms, log = tmp_path / "sms", tmp_path / "worker.log"
    worker = _worker(sms, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and Award.objects.count() < expected // 4:
        assert worker.poll() is None, log.read_text()
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    killed_at = Award.objects.count()
    assert 0 < killed_at < expected, "the worker was not killed in the middle of the awards"
    badge_notes = Notification.objects.filter(kind="hours.badge")
    assert badge_notes.count() == killed_at  # an award and its notification, or neither

    again = _worker(sms, log)
    assert again.wait(timeout=120) == 0, log.read_text()

    assert Award.objects.count() == expected
    per_person = collections.Counter(Award.objects.values_list("person_id", "badge__code"))
    assert set(per_person.values()) == {1}
    assert {code for _, code in per_person} == {"first-service", "hours-10"}
    assert badge_notes.count() == expected
    keys = collections.Counter(badge_notes.values_list("recipient_id", "key"))
    assert set(keys.values()) == {1}
