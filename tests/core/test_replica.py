"""Reads that may lag go to the replica; a claim, and a person who just wrote, never do.

The test settings have no replica, so the router is installed around each test with a
recorder that notes where each read would go and then sends it to the one test database."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import connection
from django.db import router as django_router
from django.test import Client, override_settings

from tests.lists.conftest import haircut, need  # noqa: F401
from wulian.core import db as replica
from wulian.lists.models import Need


class RecordingRouter(replica.PrimaryReplicaRouter):
    decisions: list[tuple[str, str]] = []

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        chosen = super().db_for_read(model, **hints)
        self.decisions.append((model._meta.label, chosen or "default"))
        return None  # the test's one database answers either way


@pytest.fixture
def recorded(monkeypatch) -> Any:
    RecordingRouter.decisions = []
    monkeypatch.setattr(replica, "replica_usable", lambda: True)
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    with override_settings(DATABASE_ROUTERS=[f"{__name__}.RecordingRouter"]):
        assert isinstance(django_router.routers[0], RecordingRouter)
        yield RecordingRouter.decisions


def _on_replica(decisions, label: str) -> bool:
    return (label, "replica") in decisions


def test_a_lag_tolerant_read_goes_to_the_replica_and_a_plain_one_does_not(world, need, recorded):  # noqa: F811
    Need.objects.count()
    assert not _on_replica(recorded, "lists.Need")
    with replica.reads_may_lag():
        Need.objects.count()
    assert _on_replica(recorded, "lists.Need")


def test_a_claim_never_reads_the_replica(world, need, recorded):  # noqa: F811
    # Writes come as POSTs, which no page or API call lets read the replica.
    client = Client()
    client.force_login(world["unit_admin"])
    response = client.post(f"/lists/needs/{need.pk}/claim/", {"organization": world.unit.pk})
    assert response.status_code == 302, response.content.decode()[:1000]
    assert need.claims.count() == 1
    assert recorded and not [d for d in recorded if d[1] == "replica"], recorded


def test_the_public_list_reads_the_replica_until_the_reader_writes(world, need, recorded):  # noqa: F811
    client = Client()
    client.force_login(world["resident"])
    assert client.get("/lists/needs/").status_code == 200
    assert _on_replica(recorded, "lists.Need")

    recorded.clear()
    response = client.post("/lists/needs/new/", {"title": "楼道灯坏了", "urgency": 0})
    assert response.status_code == 302
    assert response.cookies[replica.PIN_COOKIE]["max-age"] == replica.PIN_SECONDS
    assert client.get("/lists/needs/").status_code == 200  # pinned: sees what they wrote
    assert not [d for d in recorded if d[1] == "replica"], recorded


def test_migrations_run_on_the_primary_only():
    router = replica.PrimaryReplicaRouter()
    assert router.allow_migrate("default", "lists") is True
    assert router.allow_migrate("replica", "lists") is False
    assert router.db_for_write(Need) is None


def test_a_replica_that_does_not_answer_sends_reads_to_the_primary(monkeypatch):
    # Configured but not reachable (here: not even defined): reads stay on the primary, and
    # the replica is not tried again at once.
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "_down_until", 0.0)
    assert replica.replica_usable() is False
    assert replica._down_until > 0
    with replica.reads_may_lag():
        assert replica.PrimaryReplicaRouter().db_for_read(Need) is None


def test_the_dashboards_and_the_honour_roll_read_the_replica(world, recorded):
    client = Client()
    client.force_login(world["community_staff"])
    community = world.community.pk
    assert client.get(f"/dashboards/regions/{community}/").status_code == 200
    assert _on_replica(recorded, "dashboards.MonthlyFigure")
    recorded.clear()
    assert client.get(f"/hours/roll/{community}/").status_code == 200
    assert _on_replica(recorded, "volunteering.VolunteerRecord")


def test_a_standby_that_takes_the_login_but_never_answers_does_not_hold_the_page(tmp_path):
    """A PgBouncer whose standby is down accepts the connection and keeps the login waiting
    (two minutes by default). The replica's connect timeout ends the wait and the reads go to
    the primary; without it this call would hang until the subprocess's limit."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the handshake; nothing ever speaks
    port = silent.getsockname()[1]
    code = "from wulian.core.db import replica_usable; print(replica_usable())"
    try:
        result = _shell(
            tmp_path,
            code,
            DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
            REPLICA_DATABASE_URL=f"postgres://wulian@127.0.0.1:{port}/wulian",
        )
    finally:
        silent.close()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def _shell(tmp_path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`wulian shell -c code` in a fresh process with its own databases."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WULIAN_", "DATABASE"))}
    clean |= {"WULIAN_ENV": "development", "WULIAN_DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [sys.executable, "-m", "wulian.cli", "shell", "--no-imports", "-c", code],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


STANDBY_GONE = """
from django.db import connections
from django.test import Client

client = Client()
print(client.get("/lists/needs/").status_code)
replica = connections["replica"]
assert replica.connection is not None, "the list read the replica"
pid = replica.connection.info.backend_pid
with connections["default"].cursor() as cursor:
    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
print(client.get("/lists/needs/").status_code)
print(replica.connection is None)
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"
)
def test_a_standby_lost_under_an_open_connection_costs_the_page_nothing(db, tmp_path):
    """The standby goes away while an app process holds a connection to it (a restart, a
    failover): the page that meets the broken connection is read again from the primary."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )
    databases = {"DATABASE_URL": url, "REPLICA_DATABASE_URL": url}
    result = _shell(tmp_path, STANDBY_GONE, ALLOWED_HOSTS="testserver", **databases)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-3:] == ["200", "200", "True"]
