"""Background tasks of the council: the resolutions' sweep, enqueued by the worker's scheduler."""

from __future__ import annotations

from django_tasks import task

from wulian.council import services


@task()
def sweep_resolutions_task() -> str:
    return str(services.sweep_resolutions())
