"""gunicorn settings for an app server: `gunicorn -c deploy/gunicorn.conf.py wulian.wsgi`.

With PROMETHEUS_MULTIPROC_DIR set (the systemd unit sets it to the server's own runtime
folder, emptied at each start), every worker writes its metrics there and `/metrics` sums them;
a worker that exits has its live gauges dropped here.
"""

from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
