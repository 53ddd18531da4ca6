"""The worker's dashboard jobs, enqueued every round; both are idempotent."""

from __future__ import annotations

from django_tasks import task

from wulian.dashboards import services
from wulian.dashboards.reports import monthly_round


@task()
def refresh_rollups_task() -> str:
    return str(services.refresh())


@task()
def monthly_reports_task() -> str:
    return str(monthly_round())
