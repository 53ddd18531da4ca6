"""`wulian worker`: run background tasks, and enqueue the periodic jobs every few seconds.

It reuses django_tasks_db's worker (the one behind `db_worker`): the same claim of a ready
task (`get_locked` under an exclusive transaction, then `claim`) and the same `run_task`, which
records success or failure and sends the task signals. Around it sits a scheduler: every
`--every` seconds the periodic jobs (the deadline sweep, the delivery recovery) are enqueued
unless a run of them is already waiting. A worker killed at any point loses nothing: every
task is idempotent, and the periodic jobs pick up what a dead worker left behind.

`--batch` runs every ready task and exits; `--once` enqueues the periodic jobs first.
"""

from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from wulian.notifications.scheduler import enqueue_periodic

logger = logging.getLogger(__name__)

TASKS_PER_ROUND = 50


def run_ready_tasks(worker: Worker, limit: int | None = None) -> int:
    """Claim and run ready tasks one at a time until none is left (or `limit` ran)."""
    ran = 0
    while worker.running and (limit is None or ran < limit):
        tasks = DBTaskResult.objects.ready().filter(backend_name=worker.backend_name)
        if not worker.process_all_queues:
            tasks = tasks.filter(queue_name__in=worker.queue_names)
        try:
            with exclusive_transaction(tasks.db):
                result = tasks.get_locked()
                if result is not None:
                    result.claim(worker.worker_id)
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            time.sleep(0.1)  # another worker holds the lock: try again
            continue
        if result is None:
            break
        worker.run_task(result)
        ran += 1
    return ran


class Command(BaseCommand):
    help = "Run background tasks (notifications, deadline checks) with a periodic scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=float(getattr(settings, "WORKER_SCHEDULE_SECONDS", 60)),
            help="seconds between two runs of the periodic jobs (default: %(default)s)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to wait when the queue is empty (default: %(default)s)",
        )
        parser.add_argument("--batch", action="store_true", help="run every ready task, then exit")
        parser.add_argument(
            "--once",
            action="store_true",
            help="enqueue the periodic jobs once, run every ready task, then exit",
        )
        parser.add_argument("--queue-name", default="default", help="queues, comma-separated")
        parser.add_argument("--worker-id", default="", help="unique id (default: random)")

    def handle(self, *args: Any, **options: Any) -> None:
        once: bool = options["once"]
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"] or once,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=options["worker_id"] or get_random_string(32),
            excluded_queue_names=[],
        )
        if worker.batch:
            if once:
                enqueue_periodic()
            count = run_ready_tasks(worker)
            if options["verbosity"] >= 1:
                self.stdout.write(f"Ran {count} tasks.")
            return
        self.serve(worker, every=options["every"])

    def serve(self, worker: Worker, *, every: float) -> None:
        def shutdown(signum: int, frame: FrameType | None) -> None:
            worker.shutdown(signum, frame)  # exits at once unless a task is running

        signal.signal(signal.SIGINT, shutdown)
        signal.signal(signal.SIGTERM, shutdown)
        logger.info("Worker %s started; periodic jobs every %g s.", worker.worker_id, every)
        last_schedule = float("-inf")
        while worker.running:
            close_old_connections()
            if time.monotonic() - last_schedule >= every:
                try:
                    enqueue_periodic()
                except OperationalError as exc:
                    if not is_locked_database_exception(exc):
                        raise
                else:
                    last_schedule = time.monotonic()
            count = run_ready_tasks(worker, TASKS_PER_ROUND)
            close_old_connections()
            if not count and worker.running:
                time.sleep(worker.interval)
