"""Prometheus metrics: requests and their time per view, and the task queue, at `/metrics`.

Each app process counts its own requests. Under gunicorn with several workers, set
`PROMETHEUS_MULTIPROC_DIR` to an empty folder of the app server's own (the systemd unit gives
each server one, emptied at every start): the processes then write their counts there and a
scrape of any of them sums all (prometheus_client's multiprocess mode; `deploy/gunicorn.conf.py`
forgets a worker's live gauges when it exits). The task queue is read from the database at
scrape time, so every server reports the same queue.

`/metrics` answers the callers whose address (`client_ip`: behind a proxy, the one it forwards)
is in `METRICS_ALLOWED_IPS` (loopback by default: a Prometheus on the same machine) and anyone
with `Authorization: Bearer <METRICS_TOKEN>`; everyone else gets a 404. The nginx site refuses
it from outside as well.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from wulian.core.http import client_ip

REQUESTS = Counter(
    "wulian_http_requests",
    "HTTP requests answered, by method, view and status.",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "wulian_http_request_seconds",
    "Time from the request reaching Django to the response leaving it, by view.",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def view_name(request: HttpRequest) -> str:
    """A bounded label: the URL pattern's name, never the path (ids would explode it)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or "unnamed"


class MetricsMiddleware:
    """First in the chain: counts every answer, errors included, and times it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            view = view_name(request)
            REQUESTS.labels(request.method or "", view, str(status)).inc()
            LATENCY.labels(view).observe(time.perf_counter() - started)


class TaskQueueCollector(Collector):
    """The background tasks by state, counted in the database at each scrape."""

    def collect(self) -> Iterator[Metric]:
        from django_tasks_db.models import DBTaskResult

        family = GaugeMetricFamily(
            "wulian_tasks", "Background tasks in the database, by state.", labels=["state"]
        )
        counts = dict.fromkeys(("READY", "RUNNING", "FAILED", "SUCCESSFUL"), 0)
        for row in DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by():
            counts[row["status"]] = row["n"]
        for state, n in counts.items():
            family.add_metric([state.lower()], n)
        yield family


class _ThisProcess(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return client_ip(request) in getattr(settings, "METRICS_ALLOWED_IPS", ())


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    registry.register(TaskQueueCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
