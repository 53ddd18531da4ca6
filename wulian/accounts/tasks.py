"""Background work of the accounts, run by `wulian worker`."""

from __future__ import annotations

from django_tasks import task

from wulian.accounts import services


@task()
def sweep_accounts_task() -> str:
    """Forget sign-in codes, failures and submission claims older than a day (idempotent)."""
    return services.forget_old_records()
