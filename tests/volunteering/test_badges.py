"""Badges: rules as data, awarded by the worker once each, with a notification, even when the
worker is killed and started again or two run at once; honorary badges by staff, audited."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from tests.conftest import fresh
from tests.volunteering.conftest import at
from wulian.audit.models import AuditEntry
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.notifications import services as notifications
from wulian.notifications.models import Notification
from wulian.volunteering import services
from wulian.volunteering.models import Award, Badge, VolunteerRecord


def _hours(ledger, person, days, hours="6"):
    for day in days:
        ledger.manual(person, datetime.date(2026, 3, day), hours, f"服务{day}")
    for record in VolunteerRecord.objects.filter(state="pending"):
        services.confirm_hours(fresh(ledger.second), record)


def test_the_worker_awards_each_badge_once_with_a_notification(ledger, clock):
    clock.move_to(at(3, 30, 20))
    _hours(ledger, ledger.volunteer, [2, 3])  # 12 h, two services led by the captain
    assert services.award_badges() == 2  # first service, 10 hours
    assert services.award_badges() == 0
    codes = set(Award.objects.filter(person=ledger.volunteer).values_list("badge__code", flat=True))
    assert codes == {"first-service", "hours-10"}
    assert Notification.objects.filter(recipient=ledger.volunteer, kind="hours.badge").count() == 2
    assert [a.badge.code for a in services.badges_of(ledger.volunteer)][:1]


def test_the_good_captain_leads_enough_services_in_a_year(ledger, clock):
    clock.move_to(at(3, 30, 20))
    Badge.objects.create(
        code="captain-3", name="公益服务好连长", rule=Badge.Rule.LEADER, threshold=Decimal(3)
    )
    _hours(ledger, ledger.volunteer, [2, 3], "1")
    services.award_badges()
    assert not Award.objects.filter(person=ledger.captain, badge__code="captain-3").exists()
    _hours(ledger, ledger.second, [4], "1")
    services.award_badges()
    award = Award.objects.get(person=ledger.captain, badge__code="captain-3")
    assert award.period == "2026" and award.reason == "3"


def test_a_worker_killed_midway_and_restarted_awards_exactly_once(ledger, clock, monkeypatch):
    clock.move_to(at(3, 30, 20))
    _hours(ledger, ledger.volunteer, [2, 3])
    _hours(ledger, ledger.second, [4, 5])
    calls = {"n": 0}
    real = notifications.tell

    def dies_on_the_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # killed between the award and its notification
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "tell", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        services.award_badges()
    assert Award.objects.count() == 2  # the third award went back with its transaction
    monkeypatch.setattr(services, "tell", real)
    assert services.award_badges() == 2  # the restart finishes the work
    assert services.award_badges() == 0
    assert Award.objects.count() == 4
    assert Notification.objects.filter(kind="hours.badge").count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_award_each_badge_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    import time_machine

    from tests.volunteering.conftest import Ledger

    with time_machine.travel(at(3, 30, 20), tick=False) as clock:
        ledger = Ledger(world, clock)
        _hours(ledger, ledger.volunteer, [2, 3])
    services.ensure_default_badges()
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(services.award_badges())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(results) == 2
    assert Award.objects.filter(person=ledger.volunteer).count() == 2
    assert Notification.objects.filter(kind="hours.badge").count() == 2


def test_staff_award_an_honorary_badge_by_hand_once(ledger):
    services.ensure_default_badges()
    badge = Badge.objects.get(code="honorary")
    person = fresh(ledger.volunteer)
    for role in ("resident", "unit_admin", "outsider"):
        with pytest.raises(NotAllowed):
            services.award_honorary(fresh(ledger.world[role]), person, badge, "热心")
    with pytest.raises(DomainError):
        services.award_honorary(fresh(ledger.staff), person, badge, " ")
    with pytest.raises(DomainError):
        services.award_honorary(
            fresh(ledger.staff), person, Badge.objects.get(code="hours-10"), "x"
        )
    award = services.award_honorary(fresh(ledger.staff), person, badge, "抗疫期间坚守岗位")
    assert award.awarded_by == ledger.world["community_staff"]
    assert AuditEntry.objects.filter(action="hours.badge", actor=ledger.staff).exists()
    with pytest.raises(Conflict):
        services.award_honorary(fresh(ledger.staff), person, badge, "再发一次")
    assert Notification.objects.filter(recipient=person, kind="hours.badge").count() == 1


def test_the_workers_periodic_task_records_and_awards(ledger, clock):
    from wulian.core.registry import periodic_task_paths
    from wulian.volunteering.tasks import sweep_volunteering_task

    assert "wulian.volunteering.tasks.sweep_volunteering_task" in periodic_task_paths()
    clock.move_to(at(3, 30, 20))
    _hours(ledger, ledger.volunteer, [2])
    assert sweep_volunteering_task.call() == "{'recorded': 0, 'awarded': 1}"
    assert sweep_volunteering_task.call() == "{'recorded': 0, 'awarded': 0}"
