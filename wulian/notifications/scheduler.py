"""Periodic jobs: tasks the worker enqueues every few seconds (see `wulian worker`).

Apps register their periodic tasks in `AppConfig.ready()`:

    from wulian.notifications.scheduler import register_periodic
    register_periodic("wulian.whistle.tasks.sweep_deadlines_task")

A job is enqueued only when no run of it is already waiting, so many workers against one
database do not pile up copies; every periodic task must be idempotent.
"""

from __future__ import annotations

import logging

from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

_PERIODIC: list[str] = ["wulian.notifications.tasks.recover_deliveries_task"]


def register_periodic(task_path: str) -> None:
    if task_path not in _PERIODIC:
        _PERIODIC.append(task_path)


def periodic_task_paths() -> list[str]:
    return list(_PERIODIC)


def enqueue_periodic() -> list[str]:
    """Enqueue each periodic task that has no run waiting; return the paths enqueued."""
    enqueued = []
    for path in _PERIODIC:
        task = import_string(path)
        assert isinstance(task, Task), path
        waiting = DBTaskResult.objects.filter(
            task_path=task.module_path, status=TaskResultStatus.READY
        ).exists()
        if waiting:
            continue
        task.enqueue()
        enqueued.append(path)
    return enqueued
