"""A worker killed with SIGKILL in the middle of a batch of deadline checks, then started
again, produces every notification exactly once (and sends each text message once)."""

from __future__ import annotations

import collections
import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wulian.notifications import services as notifications
from wulian.notifications.models import Delivery, Notification
from wulian.whistle import services
from wulian.whistle.models import WhistleCall

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = 100
PER_CALL = 4  # two unit members and the whistle's author told it is late; one escalation


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(sms_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "WULIAN_ENV": "test",
        "WULIAN_DATA_DIR": str(settings.DATA_DIR),
        "SMS_BACKEND": "wulian.accounts.sms.FileBackend",
        "SMS_FILE_PATH": str(sms_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "wulian.cli", "worker", "--once", "-v", "0"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )


def test_killing_the_worker_mid_sweep_loses_and_repeats_nothing(world, tmp_path, settings):
    settings.SMS_BACKEND = "wulian.accounts.sms.FileBackend"
    past = timezone.now() - datetime.timedelta(hours=3)
    with time_machine.travel(past, tick=False):
        for i in range(CALLS):
            services.blow_whistle(
                world["community_staff"],
                world.community,
                services.WhistleInput(type="emergency", title=f"第{i}号险情", units=[world.unit]),
            )
    # Forget the calls' own notifications: only the sweep's are counted below.
    DBTaskResult.objects.all().delete()
    Delivery.objects.all().delete()
    Notification.objects.all().delete()
    expected = CALLS * PER_CALL

    sms = tmp_path / "sms"
    log = tmp_path / "worker.log"
    settings.SMS_FILE_PATH = sms
    worker = _worker(sms, log)
    deadline = time.monotonic() + 60
    seen = 0
    while time.monotonic() < deadline:
        seen = Notification.objects.count()
        if seen >= expected // 4:
            break
        assert worker.poll() is None, log.read_text()
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    killed_at = Notification.objects.count()
    assert 0 < killed_at < expected, "the worker was not killed in the middle of the sweep"
    assert not list(sms.glob("*.txt")), "no message was sent before the sweep ended"

    again = _worker(sms, log)
    assert again.wait(timeout=120) == 0, log.read_text()
    # A delivery whose enqueue the kill may have cut off is found by the recovery.
    later = timezone.now() + 2 * notifications.RECOVERY_GRACE
    with time_machine.travel(later, tick=False):
        notifications.recover_deliveries()
    call_command("worker", batch=True, verbosity=0)

    assert Notification.objects.count() == expected
    keys = collections.Counter(Notification.objects.values_list("recipient_id", "key"))
    assert set(keys.values()) == {1}
    assert WhistleCall.objects.filter(report_overdue=True, escalated_at__isnull=False).count() == (
        CALLS
    )
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    sent = collections.Counter(Delivery.objects.values_list("address", flat=True))
    for mobile, count in sent.items():
        lines = (sms / f"{mobile}.txt").read_text(encoding="utf-8").splitlines()
        assert len(lines) == count, mobile
    assert sum(sent.values()) == expected
