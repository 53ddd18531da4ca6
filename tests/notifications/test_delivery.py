from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import fresh
from wulian.accounts.sms import SmsError
from wulian.core.errors import DomainError, NotAllowed
from wulian.notifications import channels, services
from wulian.notifications.models import Delivery, Notification, UnitWebhook
from wulian.notifications.services import notify


def _notify(recipients, **extra):
    defaults = {"kind": "test.hello", "title": "社区吹哨", "body": "请到42号小区", "url": "/x/"}
    return notify(recipients, **{**defaults, **extra})


def test_it_puts_one_row_in_each_inbox_and_a_unit_means_its_members(world):
    created = _notify([world.unit, world["resident"], world["unit_admin"]])
    recipients = sorted(n.recipient_id for n in created)
    assert recipients == sorted(
        [world["unit_contact"].pk, world["unit_admin"].pk, world["resident"].pk]
    )
    assert {n.organization_id for n in created if n.recipient_id != world["resident"].pk} == {
        world.unit.pk
    }
    assert services.unread_count(world["resident"]) == 1
    assert not Delivery.objects.exists()  # nobody chose another channel, nothing urgent


def test_urgent_items_always_go_by_text_message_too(world):
    created = _notify([world["resident"]], urgent=True)
    delivery = Delivery.objects.get()
    assert delivery.notification == created[0]
    assert (delivery.channel, delivery.address) == ("sms", world["resident"].mobile)


def test_chosen_channels_get_a_delivery_each(world):
    services.set_preferences(world["resident"], sms=True, email=True, email_address="a@b.cn")
    _notify([world["resident"]])
    assert sorted(Delivery.objects.values_list("channel", flat=True)) == ["email", "sms"]


def test_email_needs_an_address(world):
    with pytest.raises(DomainError) as caught:
        services.set_preferences(world["resident"], sms=False, email=True)
    assert caught.value.code == "notification.no_email"


def test_a_key_notifies_each_person_once(world):
    assert len(_notify([world.unit], key="call:1:overdue")) == 2
    assert _notify([world.unit, world["resident"]], key="call:1:overdue")[0].recipient_id == (
        world["resident"].pk
    )
    assert Notification.objects.count() == 3


def test_deliveries_are_enqueued_only_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify([world["resident"]], urgent=True)
    assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()
    task = DBTaskResult.objects.get()
    assert task.task_path == "wulian.notifications.tasks.deliver_task"
    assert task.args_kwargs["args"] == [Delivery.objects.get().pk]


def test_the_worker_sends_and_a_second_run_sends_nothing(
    world, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify([world["resident"]], urgent=True)
    call_command("worker", batch=True, verbosity=0)
    assert [m.mobile for m in sms_outbox] == [world["resident"].mobile]
    assert "社区吹哨" in sms_outbox[0].text
    delivery = Delivery.objects.get()
    assert delivery.state == "sent" and delivery.attempts == 1
    # The same task again, or a duplicate of it, finds nothing left to send.
    assert services.deliver(delivery.pk).state == "sent"
    assert len(sms_outbox) == 1


def test_a_delivery_claimed_by_another_worker_is_not_sent_twice(world, sms_outbox):
    _notify([world["resident"]], urgent=True)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", claimed_at=timezone.now())
    assert services.deliver(delivery.pk).state == "sending"
    assert sms_outbox == []


def test_failures_are_retried_with_growing_waits_then_given_up(world, monkeypatch):
    calls = []

    def broken(mobile, text):
        calls.append(mobile)
        raise SmsError("gateway down")

    monkeypatch.setattr(channels, "send_sms", broken)
    _notify([world["resident"]], urgent=True)
    delivery = Delivery.objects.get()
    start = timezone.now()
    waits = []
    with time_machine.travel(start, tick=False) as traveller:
        for _attempt in range(services.MAX_ATTEMPTS):
            outcome = services.deliver(delivery.pk)
            if outcome.retry_at is None:
                break
            waits.append(outcome.retry_at - timezone.now())
            # Not due yet: nothing happens.
            assert services.deliver(delivery.pk).state == "pending"
            traveller.move_to(outcome.retry_at)
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    assert delivery.attempts == services.MAX_ATTEMPTS == len(calls)
    assert waits == [datetime.timedelta(seconds=30 * 2**i) for i in range(5)]
    assert "gateway down" in delivery.last_error
    retries = DBTaskResult.objects.filter(task_path="wulian.notifications.tasks.deliver_task")
    assert retries.count() == services.MAX_ATTEMPTS - 1


def test_a_delivery_left_sending_by_a_dead_worker_is_sent_again_after_the_lease(world, sms_outbox):
    _notify([world["resident"]], urgent=True)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", claimed_at=timezone.now() - datetime.timedelta(minutes=5), attempts=1
    )
    assert services.recover_deliveries() == 0
    later = timezone.now() + services.SENDING_LEASE + services.RECOVERY_GRACE
    with time_machine.travel(later, tick=False):
        assert services.recover_deliveries() == 0  # back to pending, due now
    with time_machine.travel(later + services.RECOVERY_GRACE, tick=False):
        assert services.recover_deliveries() == 1
        call_command("worker", batch=True, verbosity=0)
    assert len(sms_outbox) == 1
    assert Delivery.objects.get().state == "sent"


def test_email_goes_through_djangos_email_backend(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.set_preferences(world["resident"], sms=False, email=True, email_address="a@b.cn")
    _notify([world["resident"]])
    services.deliver(Delivery.objects.get().pk)
    assert mail.outbox[0].to == ["a@b.cn"]
    assert mail.outbox[0].subject == "社区吹哨"


def test_a_units_robot_hears_each_event_once_as_json(world, robot):
    services.set_unit_webhook(world["unit_admin"], world.unit, robot.url)
    _notify([world.unit], urgent=True, kind="whistle.called")
    webhook = Delivery.objects.get(channel="webhook")
    assert services.deliver(webhook.pk).state == "sent"
    assert len(robot.received) == 1
    body = robot.received[0]
    assert body["kind"] == "whistle.called" and body["unit"] == world.unit.name
    assert body["msgtype"] == "text" and "社区吹哨" in body["text"]["content"]
    assert robot.headers[0]["X-Wulian-Delivery"] == str(webhook.pk)
    assert services.deliver(webhook.pk).state == "sent"
    assert len(robot.received) == 1


def test_a_robot_that_errors_is_retried_and_one_that_refuses_is_not(world, robot):
    services.set_unit_webhook(world["unit_admin"], world.unit, robot.url)
    robot.statuses = [503, 404]
    _notify([world.unit], kind="a")
    first = Delivery.objects.get(channel="webhook")
    outcome = services.deliver(first.pk)
    assert outcome.state == "pending"
    with time_machine.travel(outcome.retry_at, tick=False):
        assert services.deliver(first.pk).state == "failed"
    assert len(robot.received) == 2


def test_only_the_units_admins_and_staff_set_its_webhook(world, robot):
    with pytest.raises(NotAllowed):
        services.set_unit_webhook(fresh(world["unit_contact"]), world.unit, robot.url)
    services.set_unit_webhook(fresh(world["community_staff"]), world.unit, robot.url)
    assert UnitWebhook.objects.get().url == robot.url
    with pytest.raises(DomainError) as caught:
        services.set_unit_webhook(world["unit_admin"], world.unit, "ftp://example.org/x")
    assert caught.value.code == "notification.bad_webhook"
    services.set_unit_webhook(world["unit_admin"], world.unit, "")
    assert not UnitWebhook.objects.exists()


def test_in_production_a_webhook_may_not_point_inside_the_network(world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(DomainError):
        services.set_unit_webhook(world["unit_admin"], world.unit, "http://127.0.0.1:9/x")
