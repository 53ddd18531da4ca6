"""Periodic jobs: tasks the worker enqueues every few seconds (see `wulian worker`).

Apps declare their periodic tasks on their `AppConfig` (`periodic_tasks`, see
`wulian.core.registry`).

A job is enqueued only when no run of it is already waiting, so many workers against one
database do not pile up copies; every periodic task must be idempotent.
"""

from __future__ import annotations

import logging

from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from wulian.core import registry

logger = logging.getLogger(__name__)


def periodic_task_paths() -> list[str]:
    return registry.periodic_task_paths()


def enqueue_periodic() -> list[str]:
    """Enqueue each periodic task that has no run waiting; return the paths enqueued."""
    enqueued = []
    for path in periodic_task_paths():
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
