"""Every deadline path with frozen time: reminder, overdue, escalation, closure, send-back,
decline and re-route."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from tests.whistle.conftest import START, blow
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.notifications.models import Delivery, Notification
from wulian.whistle import services
from wulian.whistle.models import DeadlinePolicy, Whistle, WhistleCall

H = datetime.timedelta(hours=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_an_emergency_whistle_has_2_hours_to_report_and_reaches_units_by_sms(world, clock):
    whistle = blow(world, [world.unit])
    assert whistle.report_by == START + 2 * H and whistle.resolve_by == START + 24 * H
    assert kinds(world["unit_contact"]) == ["whistle.called"]
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"sms"}


def test_defaults_per_type_and_a_communitys_own_policy(world, clock):
    assert services.deadlines_for(world.community, "everyday") == (24, 72)
    assert services.deadlines_for(world.community, "joint") == (24, 168)
    services.set_deadline_policy(world["community_staff"], world.community, "everyday", 12, 48)
    assert blow(world, [world.unit], type="everyday").report_by == START + 12 * H
    assert DeadlinePolicy.objects.count() == 1
    with pytest.raises(NotAllowed):
        services.set_deadline_policy(world["unit_admin"], world.community, "everyday", 1, 2)


def test_a_reminder_when_a_quarter_of_the_time_is_left_once(world, clock):
    blow(world, [world.unit])
    clock.move_to(START + 80 * datetime.timedelta(minutes=1))
    assert services.sweep_deadlines().reminders == 0
    clock.move_to(START + 90 * datetime.timedelta(minutes=1))
    assert services.sweep_deadlines().reminders == 1
    assert services.sweep_deadlines().reminders == 0
    assert kinds(world["unit_admin"]) == ["whistle.called", "whistle.reminder"]


def test_a_late_unit_is_marked_overdue_and_escalated_to_the_subdistrict_once(
    world, second_unit, clock
):
    whistle = blow(world, [world.unit, second_unit])
    call = WhistleCall.objects.get(organization=world.unit)
    services.arrive_call(world["unit_contact"], call)
    clock.move_to(START + 2 * H + datetime.timedelta(seconds=1))
    result = services.sweep_deadlines()
    assert (result.report_overdue, result.escalated) == (1, 1)
    late = WhistleCall.objects.get(organization=second_unit)
    assert late.report_overdue and late.escalated_at == START + 2 * H + datetime.timedelta(
        seconds=1
    )
    assert not WhistleCall.objects.get(organization=world.unit).report_overdue
    assert kinds(world["subdistrict_staff"]) == ["whistle.escalated"]
    assert "whistle.report_overdue" in kinds(world["community_staff"])
    second = services.sweep_deadlines()
    assert (second.report_overdue, second.escalated) == (0, 0)
    assert Notification.objects.filter(kind="whistle.escalated").count() == 1
    # Reporting late still counts as reported, but not on time.
    services.arrive_call(world["second_contact"], late)
    late.refresh_from_db()
    assert late.state == "arrived" and not late.arrived_on_time
    assert whistle.pk == late.whistle_id


def test_the_resolve_deadline_is_reminded_and_then_marked(world, clock):
    blow(world, [world.unit])
    call = WhistleCall.objects.get()
    services.arrive_call(world["unit_admin"], call)
    clock.move_to(START + 19 * H)
    assert services.sweep_deadlines().resolve_reminders == 1
    clock.move_to(START + 25 * H)
    assert services.sweep_deadlines().resolve_overdue == 1
    assert services.sweep_deadlines().resolve_overdue == 0
    call.refresh_from_db()
    assert call.resolve_overdue and not call.report_overdue


def test_handled_calls_are_closed_by_staff_then_rated_by_the_resident(world, clock):
    whistle = blow(world, [world.unit], raised_by=world["resident"])
    call = WhistleCall.objects.get()
    services.sign_call(world["unit_contact"], call)
    clock.move_to(START + H)
    services.arrive_call(world["unit_contact"], call)
    services.post_action(world["unit_contact"], call, "已关闭总阀")
    with pytest.raises(Conflict) as caught:
        services.confirm_closure(world["community_staff"], whistle)
    assert caught.value.code == "whistle.not_closable"
    services.handle_call(world["unit_contact"], call, "已更换水管")
    with pytest.raises(NotAllowed):
        services.confirm_closure(world["unit_admin"], whistle)
    closed = services.confirm_closure(world["community_staff"], whistle)
    assert closed.state == Whistle.State.CLOSED
    call.refresh_from_db()
    assert call.confirmed_at == START + H
    with pytest.raises(NotAllowed):
        services.rate_whistle(world["unit_admin"], whistle, 5)
    assert services.rate_whistle(world["resident"], whistle, 5, "很及时").rating == 5
    with pytest.raises(Conflict):
        services.rate_whistle(world["resident"], whistle, 4)
    # Nothing more happens to a closed whistle.
    clock.move_to(START + 100 * H)
    assert str(services.sweep_deadlines()).startswith("0 reminders")


def test_staff_send_a_handled_call_back(world, clock):
    whistle = blow(world, [world.unit])
    call = services.handle_call(world["unit_admin"], WhistleCall.objects.get())
    with pytest.raises(DomainError):
        services.send_back_call(world["community_staff"], call, " ")
    back = services.send_back_call(world["community_staff"], call, "还在漏水")
    assert back.state == "arrived" and back.sent_back_count == 1 and back.handled_at is None
    assert "whistle.sent_back" in kinds(world["unit_admin"])
    with pytest.raises(Conflict):
        services.confirm_closure(world["community_staff"], whistle)


def test_a_unit_declines_with_a_reason_and_staff_reroute_with_fresh_deadlines(
    world, second_unit, clock
):
    whistle = blow(world, [world.unit], type="everyday")
    call = WhistleCall.objects.get()
    with pytest.raises(DomainError) as caught:
        services.decline_call(world["unit_admin"], call, "")
    assert caught.value.code == "call.no_reason"
    clock.move_to(START + 20 * H)
    declined = services.decline_call(world["unit_admin"], call, "不属于学校职责")
    assert "whistle.declined" in kinds(world["community_staff"])
    with pytest.raises(Conflict):
        services.confirm_closure(world["community_staff"], whistle)
    new = services.reroute_call(world["community_staff"], declined, second_unit)
    assert new.report_by == START + 44 * H  # 24 h from the re-route, later than the original
    assert new.resolve_by == START + 72 * H
    declined.refresh_from_db()
    assert declined.state == "rerouted" and declined.rerouted_to == new
    assert kinds(world["second_contact"]) == ["whistle.called"]
    # The old deadline passing does not touch the declined unit.
    clock.move_to(START + 30 * H)
    assert services.sweep_deadlines().report_overdue == 0
    with pytest.raises(DomainError):
        services.reroute_call(world["community_staff"], declined, world.unit)


def test_only_members_answer_and_steps_keep_their_order(world, clock):
    blow(world, [world.unit])
    call = WhistleCall.objects.get()
    for role in ("outsider", "community_staff", "resident"):
        with pytest.raises(NotAllowed):
            services.sign_call(world[role], call)
    services.arrive_call(world["unit_admin"], call)
    with pytest.raises(Conflict) as caught:
        services.sign_call(world["unit_admin"], call)
    assert caught.value.code == "call.bad_state"


def test_blowing_needs_staff_units_and_sane_deadlines(world, clock):
    with pytest.raises(NotAllowed):
        services.blow_whistle(
            world["unit_admin"],
            world.community,
            services.WhistleInput(type="emergency", title="x", units=[world.unit]),
        )
    with pytest.raises(DomainError) as caught:
        blow(world, [])
    assert caught.value.code == "whistle.no_units"
    with pytest.raises(DomainError) as caught:
        blow(world, [world.unit], report_by=START - H)
    assert caught.value.code == "whistle.bad_deadlines"
