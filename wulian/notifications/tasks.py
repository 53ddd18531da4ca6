"""Background tasks of the notifications app, run by `wulian worker`."""

from __future__ import annotations

from django_tasks import task

from wulian.notifications import services


@task()
def deliver_task(delivery_id: int) -> str:
    return services.deliver(delivery_id).state


@task()
def recover_deliveries_task() -> int:
    return services.recover_deliveries()
