"""Background tasks of the whistle: the deadline sweep, enqueued by the worker's scheduler."""

from __future__ import annotations

from django_tasks import task

from wulian.whistle import services


@task()
def sweep_deadlines_task() -> str:
    return str(services.sweep_deadlines())
