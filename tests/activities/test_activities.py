"""Activities: co-hosts, sign-up, the waiting list with frozen time, QR check-in with nonces,
volunteers' check-out and hours, no-shows, ratings, the export and the calendar feeds."""

from __future__ import annotations

import datetime
import io

import icalendar
import pytest
from openpyxl import load_workbook

from tests.activities.conftest import H, at
from tests.conftest import fresh
from wulian.accounts.models import User
from wulian.activities import documents, services
from wulian.activities.models import Activity, Scan, SignUp
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.notifications.models import Notification
from wulian.orgs.models import Organization


@pytest.fixture
def hosts(world):
    office = Organization.objects.create(
        name="市网信办", kind=Organization.Kind.AGENCY, region=world.city
    )
    hospital = Organization.objects.create(
        name="市职业病防治院", kind=Organization.Kind.AGENCY, region=world.city
    )
    return [world.unit, office, hospital]


def make(world, hosts, capacity=2, **extra):
    data = {
        "title": "反诈防暑进站点",
        "starts_at": at(6, 14),
        "ends_at": at(6, 16),
        "capacity": capacity,
        "hosts": hosts,
        "place": "江汉北路骑手驿站",
        "volunteers_wanted": 2,
        "volunteer_tasks": "签到, 发放防暑包",
        **extra,
    }
    return services.create_activity(
        fresh(world["community_staff"]), world.community, services.ActivityInput(**data)
    )


def residents(world, count):
    return [
        User.objects.create_user(
            f"1370000{i:04d}", "pw-123456789", real_name=f"骑手{i}", community=world.community
        )
        for i in range(count)
    ]


def test_three_co_hosts_and_who_may_put_on_an_activity(world, hosts, clock):
    activity = make(world, hosts)
    assert sorted(activity.hosts.values_list("name", flat=True)) == sorted(h.name for h in hosts)
    assert fresh(world["unit_contact"]).has_perm("activities.manage_activity", activity)
    assert not fresh(world["resident"]).has_perm("activities.manage_activity", activity)
    with pytest.raises(NotAllowed):
        services.create_activity(
            fresh(world["resident"]),
            world.community,
            services.ActivityInput("x", at(6, 14), at(6, 15), 5, [world.unit], place="驿站"),
        )
    with pytest.raises(DomainError) as refused:
        services.create_activity(
            fresh(world["unit_contact"]),
            world.community,
            services.ActivityInput("x", at(6, 15), at(6, 14), 5, [world.unit], place="驿站"),
        )
    assert refused.value.code == "activity.bad_time"
    assert Activity.objects.count() == 1


def test_when_full_people_wait_and_a_cancellation_offers_the_place_to_the_first(
    world, hosts, clock
):
    activity = make(world, hosts, capacity=2)
    a, b, c, d = residents(world, 4)
    assert services.sign_up(a, activity).state == SignUp.State.CONFIRMED
    assert services.sign_up(b, activity).state == SignUp.State.CONFIRMED
    waiting_c = services.sign_up(c, activity)
    waiting_d = services.sign_up(d, activity)
    assert waiting_c.state == waiting_d.state == SignUp.State.WAITING
    with pytest.raises(Conflict):
        services.sign_up(a, activity)

    services.cancel_signup(a, SignUp.objects.get(person=a))
    waiting_c.refresh_from_db()
    waiting_d.refresh_from_db()
    assert waiting_c.state == SignUp.State.OFFERED
    assert waiting_c.confirm_by == at(2, 9) + 24 * H
    assert waiting_d.state == SignUp.State.WAITING
    note = Notification.objects.get(recipient=c, kind="activity.offered")
    assert note.urgent

    services.confirm_offer(c, waiting_c)
    waiting_c.refresh_from_db()
    assert waiting_c.state == SignUp.State.CONFIRMED


def test_an_unconfirmed_offer_lapses_after_24_hours_and_goes_to_the_next_once(world, hosts, clock):
    activity = make(world, hosts, capacity=1)
    a, b, c = residents(world, 3)
    services.sign_up(a, activity)
    services.sign_up(b, activity)
    services.sign_up(c, activity)
    services.cancel_signup(a, SignUp.objects.get(person=a))
    offer = SignUp.objects.get(person=b)
    assert offer.state == SignUp.State.OFFERED

    clock.shift(23 * H)
    assert services.sweep_offers() == {"lapsed": 0}
    clock.shift(2 * H)
    assert services.sweep_offers() == {"lapsed": 1}
    assert services.sweep_offers() == {"lapsed": 0}
    offer.refresh_from_db()
    assert offer.state == SignUp.State.LAPSED
    with pytest.raises(Conflict):
        services.confirm_offer(b, offer)
    assert SignUp.objects.get(person=c).state == SignUp.State.OFFERED
    assert Notification.objects.filter(recipient=b, kind="activity.lapsed").count() == 1


def test_the_time_to_confirm_never_runs_past_the_start(world, hosts, clock):
    activity = make(world, hosts, capacity=1, starts_at=at(2, 18), ends_at=at(2, 20))
    a, b = residents(world, 2)
    services.sign_up(a, activity)
    services.sign_up(b, activity)
    services.cancel_signup(a, SignUp.objects.get(person=a))
    assert SignUp.objects.get(person=b).confirm_by == at(2, 18)


def test_sign_up_window_cancel_deadline_and_audience(world, hosts, clock):
    activity = make(
        world,
        hosts,
        signup_opens_at=at(3, 9),
        cancel_by=at(5, 12),
        audience="party_members",
    )
    (a,) = residents(world, 1)
    with pytest.raises(Conflict) as early:
        services.sign_up(a, activity)
    assert early.value.code == "signup.not_open"
    clock.move_to(at(3, 10))
    with pytest.raises(NotAllowed):
        services.sign_up(a, activity)
    User.objects.filter(pk=a.pk).update(is_party_member=True)
    a.refresh_from_db()
    signup = services.sign_up(a, activity)
    clock.move_to(at(5, 13))
    with pytest.raises(Conflict) as late:
        services.cancel_signup(a, signup)
    assert late.value.code == "signup.too_late"


def test_a_repeated_scan_counts_once_and_volunteers_check_out_with_hours(world, hosts, clock):
    activity = make(world, hosts)
    rider, helper = residents(world, 2)
    services.sign_up(rider, activity)
    volunteer = services.sign_up(helper, activity, role="volunteer", task="签到")
    staff = fresh(world["unit_contact"])
    with pytest.raises(Conflict) as early:
        services.check_in(staff, activity, services.person_code(rider), "n-1")
    assert early.value.code == "checkin.not_now"

    clock.move_to(at(6, 13, 50))
    services.check_in(staff, activity, services.person_code(rider), "n-1")
    first = SignUp.objects.get(person=rider).checked_in_at
    clock.move_to(at(6, 13, 55))
    services.check_in(staff, activity, services.person_code(rider), "n-1")  # retried
    services.self_check_in(rider, activity, activity.token, "n-2")  # scanned again
    assert SignUp.objects.get(person=rider).checked_in_at == first
    assert Scan.objects.filter(signup__person=rider).count() == 2
    with pytest.raises(Conflict):  # a nonce belongs to one person's scan
        services.self_check_in(helper, activity, activity.token, "n-1")
    with pytest.raises(DomainError):
        services.self_check_in(helper, activity, "wrong-token", "n-3")
    with pytest.raises(NotAllowed):
        services.check_in(fresh(world["resident"]), activity, services.person_code(rider), "n-4")

    received = []

    def listener(sender, records, **kwargs):
        received.extend(records)

    services.volunteer_hours_recorded.connect(listener)
    try:
        services.self_check_in(helper, activity, activity.token, "v-in")
        clock.move_to(at(6, 16, 30))
        with pytest.raises(DomainError):
            services.check_in(staff, activity, services.person_code(rider), "x", kind="out")
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            services.self_check_in(helper, activity, activity.token, "v-out", kind="out")
    finally:
        services.volunteer_hours_recorded.disconnect(listener)
    volunteer.refresh_from_db()
    assert volunteer.hours == 2.58
    (record,) = received
    assert record.person_id == helper.pk and record.hours == 2.58 and record.task == "签到"
    assert set(record.organisation_ids) == {h.pk for h in hosts}
    assert services.activity_volunteer_hours(activity) == [record]


def test_no_shows_after_the_end_and_only_those_who_came_rate(world, hosts, clock):
    activity = make(world, hosts)
    came, stayed_away = residents(world, 2)
    services.sign_up(came, activity)
    services.sign_up(stayed_away, activity)
    staff = fresh(world["unit_contact"])
    clock.move_to(at(6, 14, 5))
    services.check_in(staff, activity, services.person_code(came), "n-1")
    with pytest.raises(Conflict):
        services.mark_no_shows(staff, activity)
    clock.move_to(at(6, 17))
    assert services.mark_no_shows(staff, activity) == 1
    assert SignUp.objects.get(person=stayed_away).no_show
    services.rate_activity(came, SignUp.objects.get(person=came), 5, "很实用")
    with pytest.raises(Conflict):
        services.rate_activity(stayed_away, SignUp.objects.get(person=stayed_away), 1)
    with pytest.raises(DomainError):
        services.rate_activity(came, SignUp.objects.get(person=came), 9)


def test_the_export_lists_every_sign_up_with_what_people_typed_kept_as_text(world, hosts, clock):
    activity = make(world, hosts)
    (a,) = residents(world, 1)
    User.objects.filter(pk=a.pk).update(real_name="=HYPERLINK(1)")
    a.refresh_from_db()
    services.sign_up(a, activity)
    book = load_workbook(io.BytesIO(documents.render_signups_xlsx(activity, full_numbers=True)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == a.mobile
    assert sheet.cell(2, 1).data_type == "s"


def test_the_calendar_feed_parses_back_with_a_real_icalendar_parser(world, hosts, clock):
    make(world, hosts, description="防诈骗；防中暑,\n两件事")
    cancelled = make(world, hosts, title="取消的活动" * 10)
    services.cancel_activity(fresh(world["community_staff"]), cancelled, "天气")
    feed = documents.render_ics("江汉北路社区", Activity.objects.all())
    assert all(len(line.encode()) <= 75 for line in feed.decode().split("\r\n"))
    calendar = icalendar.Calendar.from_ical(feed)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    first = next(e for e in events if str(e["SUMMARY"]) == "反诈防暑进站点")
    assert first.decoded("DTSTART") == at(6, 14).astimezone(datetime.UTC)
    assert str(first["DESCRIPTION"]) == "防诈骗；防中暑,\n两件事"
    assert str(first["LOCATION"]) == "江汉北路骑手驿站"
    other = next(e for e in events if e is not first)
    assert str(other["SUMMARY"]) == "取消的活动" * 10 and str(other["STATUS"]) == "CANCELLED"


def test_sign_up_cannot_close_after_the_activity_has_started(world, hosts, clock):
    with pytest.raises(DomainError) as late:
        make(world, hosts, signup_closes_at=at(7, 9))  # the activity is on the 6th
    assert late.value.code == "activity.late_window"
    assert not Activity.objects.exists()
    assert make(world, hosts, signup_closes_at=at(6, 12)).signup_closes_at == at(6, 12)
