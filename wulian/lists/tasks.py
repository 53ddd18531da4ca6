"""Background work of the lists, run by `wulian worker`."""

from __future__ import annotations

from django_tasks import task

from wulian.lists import services


@task()
def sweep_lists_task() -> str:
    """Expire needs past their deadline and mark silent projects stalled (idempotent)."""
    expired = services.expire_needs()
    stalled = services.mark_stalled_projects()
    return f"{len(expired)} needs expired, {len(stalled)} projects stalled"
