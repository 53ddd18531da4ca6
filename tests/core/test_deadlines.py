"""Deadline steps run once each, when due, and their marks are saved with them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from wulian.core.deadlines import Step, run_steps
from wulian.orgs.models import Organization


def test_a_due_step_runs_once_and_a_step_not_due_waits(world):
    ran: list[str] = []
    now = timezone.now()
    steps: list[Step[Organization]] = [
        Step("due", "is_active", lambda obj, at: True, lambda obj, at: ran.append("due")),
        Step("later", "is_active", lambda obj, at: False, lambda obj, at: ran.append("later")),
    ]
    unit = world.other_unit
    unit.is_active = False
    unit.save()
    assert run_steps(unit, steps, now) == ["due"]
    unit.refresh_from_db()
    assert unit.is_active is True
    assert run_steps(unit, steps, now + datetime.timedelta(days=1)) == []
    assert ran == ["due"]
