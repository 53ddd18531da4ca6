from __future__ import annotations

import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone


def healthz_view(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def readyz_view(request: HttpRequest) -> HttpResponse:
    """Ready to serve: the database answers, every migration is applied, and a worker has
    finished a task lately (the worker enqueues its periodic jobs every minute, so a quiet
    queue still shows a live worker)."""
    checks: dict[str, str] = {}
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not plan else f"{len(plan)} not applied"
    except Exception as exc:  # any database failure means "not ready"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    from django_tasks_db.models import DBTaskResult

    stale = datetime.timedelta(seconds=getattr(settings, "WORKER_HEARTBEAT_SECONDS", 300))
    last = (
        DBTaskResult.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last is None:
        checks["worker"] = "no task finished yet"
    elif timezone.now() - last > stale:
        checks["worker"] = f"last task finished at {last.isoformat(timespec='seconds')}"
    else:
        checks["worker"] = "ok"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", **checks}, status=200 if ready else 503
    )
