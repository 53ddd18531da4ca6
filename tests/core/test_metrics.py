"""Prometheus metrics: each answer counted by view and status, the task queue read from the
database, nobody else let in, and the counts of every gunicorn worker summed by one scrape."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from wulian.core.http import client_ip
from wulian.core.metrics import metrics_view
from wulian.dashboards.tasks import refresh_rollups_task


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def requests_of(text: str, view: str, status: str = "200") -> float:
    labels = frozenset({"method": "GET", "view": view, "status": status}.items())
    return samples(text).get(("wulian_http_requests_total", labels), 0.0)


def scrape(client: Any, **extra: Any) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return str(response.content.decode())


@pytest.mark.django_db
def test_each_answer_is_counted_by_its_view_and_status(client: Any):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/")
    after = scrape(client)
    assert requests_of(after, "healthz") - requests_of(before, "healthz") == 2
    assert requests_of(after, "unmatched", "404") - requests_of(before, "unmatched", "404") == 1
    timed = samples(after)[
        ("wulian_http_request_seconds_count", frozenset({"view": "healthz"}.items()))
    ]
    assert timed >= 2


@pytest.mark.django_db
def test_the_task_queue_is_read_from_the_database(client: Any):
    def ready() -> float:
        key = ("wulian_tasks", frozenset({"state": "ready"}.items()))
        return samples(scrape(client))[key]

    before = ready()
    refresh_rollups_task.enqueue()
    refresh_rollups_task.enqueue()
    assert ready() == before + 2


@pytest.mark.django_db
def test_the_metrics_are_not_shown_to_other_addresses(client: Any, settings: Any):
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 404
    settings.METRICS_TOKEN = "a-long-scrape-token"
    wrong = {"HTTP_AUTHORIZATION": "Bearer another-token"}
    assert client.get("/metrics", **outside, **wrong).status_code == 404
    right = {"HTTP_AUTHORIZATION": "Bearer a-long-scrape-token"}
    assert "wulian_http_requests_total" in scrape(client, **outside, **right)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_one_scrape_sums_every_gunicorn_worker(tmp_path: Path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "WULIAN_ENV": "test",
        "WULIAN_DATA_DIR": str(django_settings.DATA_DIR),
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "wulian.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Wait for the socket, not for an answer: a probe given up on a loaded machine would
        # still be answered, and counted, after the first scrape.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        before = urllib.request.urlopen(base + "/metrics", timeout=30).read().decode()
        # two at a time on two single-threaded workers: both must answer
        threads = [
            threading.Thread(
                target=lambda: [
                    urllib.request.urlopen(base + "/healthz", timeout=10).read() for _ in range(10)
                ]
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert len(list(folder.glob("counter_*.db"))) == 2  # each worker wrote its own counts
    assert requests_of(text, "healthz") - requests_of(before, "healthz") == 20


def test_the_deployed_proxy_header_names_the_callers_address(rf: Any, settings: Any):
    """What deploy/wulian.env.example sets is what nginx sends: behind it, the limits per
    address and /metrics see the caller, not nginx."""
    example = (Path(django_settings.BASE_DIR) / "deploy" / "wulian.env.example").read_text()
    values = dict(
        line.split("=", 1) for line in example.splitlines() if "=" in line and line[0] != "#"
    )
    settings.TRUSTED_PROXY_HEADER = values["TRUSTED_PROXY_HEADER"]
    nginx = (Path(django_settings.BASE_DIR) / "deploy" / "nginx" / "wulian.conf").read_text()
    assert f"proxy_set_header {values['TRUSTED_PROXY_HEADER']} $remote_addr;" in nginx
    request = rf.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == "203.0.113.9"
    assert metrics_view_status(request) == 404  # nginx's own address lets nobody in


def metrics_view_status(request: Any) -> int:
    from django.http import Http404

    try:
        return metrics_view(request).status_code
    except Http404:
        return 404
