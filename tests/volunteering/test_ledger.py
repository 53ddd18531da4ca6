"""The ledger: verified records from check-outs (once), manual entries confirmed by a second
person, corrections as new entries, records that are never rewritten or deleted."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import TestCase

from tests.conftest import fresh
from tests.volunteering.conftest import at
from wulian.activities import services as activities
from wulian.audit.models import AuditEntry
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.notifications.models import Notification
from wulian.volunteering import services
from wulian.volunteering.models import CorrectionRequest, VolunteerRecord

D = Decimal


def test_it_records_a_check_out_once_as_system_verified(ledger):
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 150)
    (record,) = VolunteerRecord.objects.all()
    assert record.source == "activity" and record.is_verified
    assert record.hours == D("2.50") and record.person == ledger.volunteer
    assert record.organization == ledger.team and record.organiser == ledger.captain
    assert record.date == datetime.date(2026, 3, 7) and record.service == "清洁家园（清扫）"
    assert record.place == "42号小区广场" and record.state == "confirmed"

    # the signal again, and the sweep over the same check-outs, write nothing more
    activities.volunteer_hours_recorded.send(
        sender=None, records=activities.activity_volunteer_hours(activity)
    )
    assert services.sweep_activity_hours() == 0
    assert VolunteerRecord.objects.count() == 1


def test_the_sweep_catches_a_check_out_whose_signal_was_lost(ledger):
    activity = ledger.activity(at(3, 7, 9))
    activities.volunteer_hours_recorded.disconnect(dispatch_uid="volunteering.ledger")
    try:
        ledger.serve(ledger.volunteer, activity, 60)
    finally:
        from wulian.volunteering.apps import _record_check_outs

        activities.volunteer_hours_recorded.connect(
            _record_check_outs, dispatch_uid="volunteering.ledger"
        )
    assert VolunteerRecord.objects.count() == 0
    assert services.sweep_activity_hours() == 1
    assert services.sweep_activity_hours() == 0
    assert VolunteerRecord.objects.get().hours == D("1.00")


def test_a_manual_entry_waits_for_a_second_person_of_the_body(ledger, clock):
    clock.move_to(at(3, 10, 20))
    record = ledger.manual(ledger.volunteer, datetime.date(2026, 3, 9), "3")
    assert record.state == "pending" and record.source == "manual"
    assert services.person_totals(ledger.volunteer, services.parse_period("2026")).hours == 0
    assert Notification.objects.filter(recipient=ledger.second, kind="hours.to_confirm").exists()

    with pytest.raises(NotAllowed) as same:
        services.confirm_hours(fresh(ledger.captain), record)
    assert same.value.code == "hours.same_person"
    for role in ("resident", "unit_contact", "outsider"):
        with pytest.raises(NotAllowed):
            services.confirm_hours(fresh(ledger.world[role]), record)

    clock.move_to(at(3, 11, 8))
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = services.confirm_hours(fresh(ledger.second), record)
    assert done.state == "confirmed" and done.confirmed_by == ledger.second
    assert done.confirmed_at == at(3, 11, 8)
    assert services.person_totals(ledger.volunteer, services.parse_period("2026")).manual == D(3)
    assert Notification.objects.filter(recipient=ledger.volunteer, kind="hours.confirmed").exists()
    with pytest.raises(Conflict):
        services.confirm_hours(fresh(ledger.staff), done)
    entry = AuditEntry.objects.get(action="hours.confirmed")
    assert entry.actor == ledger.second and (entry.after or {})["state"] == "confirmed"


def test_staff_may_confirm_and_a_declined_entry_stays_with_its_reason(ledger, clock):
    clock.move_to(at(3, 10, 20))
    one = ledger.manual(ledger.volunteer, datetime.date(2026, 3, 9), "2")
    two = ledger.manual(ledger.volunteer, datetime.date(2026, 3, 9), "2", "重复录入")
    services.confirm_hours(fresh(ledger.staff), one)
    with pytest.raises(DomainError):
        services.decline_hours(fresh(ledger.second), two, " ")
    services.decline_hours(fresh(ledger.second), two, "与上一条重复")
    two.refresh_from_db()
    assert two.state == "declined" and two.decline_reason == "与上一条重复"
    assert VolunteerRecord.objects.count() == 2
    assert services.person_totals(ledger.volunteer, services.parse_period("2026-03")).hours == D(2)


def test_a_manual_entry_is_checked(ledger, clock):
    clock.move_to(at(3, 10, 20))
    for hours, code in (("0", "hours.bad_hours"), ("9.5", "hours.more_than_span")):
        with pytest.raises(DomainError) as refused:
            ledger.manual(ledger.volunteer, datetime.date(2026, 3, 9), hours)
        assert refused.value.code == code
    with pytest.raises(DomainError) as future:
        ledger.manual(ledger.volunteer, datetime.date(2026, 3, 11), "1")
    assert future.value.code == "hours.future"
    with pytest.raises(NotAllowed):
        services.enter_hours(
            fresh(ledger.world["unit_contact"]),
            ledger.team,
            services.ManualInput(
                ledger.volunteer,
                "探访",
                datetime.date(2026, 3, 9),
                datetime.time(9),
                datetime.time(10),
                D(1),
            ),
        )


def test_records_are_never_rewritten_or_deleted(ledger):
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 60)
    record = VolunteerRecord.objects.get()
    for attempt in (
        record.delete,
        VolunteerRecord.objects.all().delete,
        lambda: VolunteerRecord.objects.filter(pk=record.pk).update(hours=D(9)),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.code == "record.append_only"
    assert VolunteerRecord.objects.get().hours == D("1.00")


def test_a_volunteer_asks_and_the_organiser_corrects_with_a_new_entry(ledger, clock):
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 60)  # checked out too early
    record = VolunteerRecord.objects.get()
    clock.move_to(at(3, 8, 10))
    for role in ("unit_contact", "community_staff", "outsider"):
        with pytest.raises(NotAllowed):
            services.ask_correction(fresh(ledger.world[role]), record, "不对")
    with pytest.raises(DomainError):
        services.ask_correction(fresh(ledger.volunteer), record, "  ")
    with TestCase.captureOnCommitCallbacks(execute=True):
        request = services.ask_correction(
            fresh(ledger.volunteer), record, "忘记签退，实际服务到11点", D(2)
        )
    assert Notification.objects.filter(recipient=ledger.second, kind="hours.correction").exists()
    with pytest.raises(Conflict) as twice:
        services.ask_correction(fresh(ledger.volunteer), record, "再问一次")
    assert twice.value.code == "correction.open"
    with pytest.raises(NotAllowed):
        services.correct_record(fresh(ledger.volunteer), request, D(2))

    clock.move_to(at(3, 9, 15))
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = services.correct_record(fresh(ledger.second), request, None, "核实无误")
    assert done.state == "corrected" and done.answered_at == at(3, 9, 15)
    entry = done.entry
    assert entry is not None and entry.kind == "adjustment" and entry.hours == D(1)
    assert entry.corrects == record and entry.source == "activity"
    assert services.net_hours(record) == D(2)
    assert services.person_totals(ledger.volunteer, services.parse_period("2026")).verified == D(2)
    assert Notification.objects.filter(recipient=ledger.volunteer, kind="hours.corrected").exists()
    assert {e.action for e in AuditEntry.objects.filter(object_id=str(record.pk))} >= {
        "hours.correction_asked",
        "hours.corrected",
    }
    with pytest.raises(Conflict):
        services.decline_correction(fresh(ledger.second), done, "晚了")

    # a second request reverses the record altogether; the first entry stays
    again = services.ask_correction(fresh(ledger.volunteer), record, "那天我其实没去", D(0))
    services.correct_record(fresh(ledger.staff), again, None)
    reversal = VolunteerRecord.objects.get(kind="reversal")
    assert reversal.hours == D(-2) and services.net_hours(record) == 0
    assert VolunteerRecord.objects.count() == 3


def test_the_organiser_declines_a_correction_with_a_reason(ledger, clock):
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 120)
    record = VolunteerRecord.objects.get()
    request = services.ask_correction(fresh(ledger.volunteer), record, "应该是3小时", D(3))
    with pytest.raises(DomainError):
        services.decline_correction(fresh(ledger.second), request, "")
    clock.move_to(at(3, 8, 9))
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = services.decline_correction(fresh(ledger.captain), request, "签到记录显示2小时")
    assert done.state == CorrectionRequest.State.DECLINED and done.answered_at == at(3, 8, 9)
    assert services.net_hours(record) == D(2) and VolunteerRecord.objects.count() == 1
    assert AuditEntry.objects.filter(action="hours.correction_declined", actor=ledger.captain)
    assert Notification.objects.filter(
        recipient=ledger.volunteer, kind="hours.correction_declined"
    ).exists()


def test_project_work_is_reported_by_the_project_organisers(ledger, clock, project):
    clock.move_to(at(3, 20, 18))
    line = services.ProjectHoursLine(
        ledger.volunteer, datetime.date(2026, 3, 20), datetime.time(14), datetime.time(17), D(3)
    )
    for role in ("resident", "outsider"):
        with pytest.raises(NotAllowed):
            services.report_project_hours(fresh(ledger.world[role]), project, [line])
    (record,) = services.report_project_hours(
        fresh(ledger.world["unit_admin"]), project, [line], report_key="r1"
    )
    assert (
        services.report_project_hours(
            fresh(ledger.world["unit_admin"]), project, [line], report_key="r1"
        )
        == []
    )  # a retried report counts once
    assert record.source == "project" and record.project == project
    assert record.organization == ledger.world.unit and record.hours == D(3)
    totals = services.person_totals(ledger.volunteer, services.parse_period("2026-Q1"))
    assert (totals.project, totals.verified, totals.manual) == (D(3), D(0), D(0))


def test_of_several_co_hosts_the_organisers_body_records_the_hours(ledger):
    activity = ledger.activity(at(3, 7, 9))
    activity.hosts.add(ledger.world.party_committee, ledger.world.unit)
    ledger.serve(ledger.volunteer, activity, 60)
    assert VolunteerRecord.objects.get().organization == ledger.team  # the captain's team


def test_a_failing_ledger_does_not_undo_the_check_out_and_the_sweep_catches_up(
    ledger, monkeypatch, caplog
):
    activity = ledger.activity(at(3, 7, 9))

    def broken(records):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "record_activity_hours", broken)
    ledger.serve(ledger.volunteer, activity, 60)
    assert "the sweep retries" in caplog.text
    assert activity.signups.get(person=ledger.volunteer).checked_out_at is not None
    monkeypatch.undo()
    assert services.sweep_activity_hours() == 1
