"""Workers refreshing and rebuilding at once, in real threads with their own connections,
leave the rollups as one rebuild leaves them, and none of them fails."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from tests.dashboards.conftest import at, live
from tests.dashboards.test_indicators import _table
from wulian.dashboards import services
from wulian.dashboards.models import RollupState


@pytest.mark.django_db(transaction=True)
def test_refreshes_and_rebuilds_at_once_agree_with_one_rebuild(world: Any, clock: Any):
    live(world, clock)
    clock.move_to(at(11, 20))
    services.rebuild()
    expected = _table()
    RollupState.objects.update(audit_mark=0, daily_on=None)  # as if nothing were rolled up
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            barrier.wait()
            services.rebuild() if n % 3 == 0 else services.refresh()
            result = "ok"
        except Exception as exc:  # anything is a failure of the test
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["ok"] * 6
    assert _table() == expected
