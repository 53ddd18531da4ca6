from __future__ import annotations

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from wulian.notifications.scheduler import enqueue_periodic, periodic_task_paths


def test_once_enqueues_the_periodic_jobs_and_runs_them(db, capsys):
    call_command("worker", once=True)
    assert "Ran" in capsys.readouterr().out
    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "wulian.notifications.tasks.recover_deliveries_task" in paths
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_periodic_job_already_waiting_is_not_enqueued_again(db):
    first = enqueue_periodic()
    assert set(first) == set(periodic_task_paths())
    assert enqueue_periodic() == []
