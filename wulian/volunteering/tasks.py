"""Background tasks: check-outs the ledger missed, and badges earned; both idempotent."""

from __future__ import annotations

from django_tasks import task

from wulian.volunteering import services


@task()
def sweep_volunteering_task() -> str:
    recorded = services.sweep_activity_hours()
    awarded = services.award_badges()
    return str({"recorded": recorded, "awarded": awarded})
