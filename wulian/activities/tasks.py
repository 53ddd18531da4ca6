"""Background tasks: offers that lapse, service reminders and no-shows, enqueued every round."""

from __future__ import annotations

from django_tasks import task

from wulian.activities import services


@task()
def sweep_activities_task() -> str:
    return str({**services.sweep_offers(), **services.sweep_services()})
