"""What the load benchmarks share: a throwaway site served by gunicorn on loopback.

    with Site("postgres", postgres_url, "vote") as site:
        site.manage("migrate", "-v0")
        seeded = site.shell(SEED, "500")        # code run with Django set up; its last line JSON
        port = site.serve(workers=4, threads=2, warm="/api/council/meetings/1")
        ...                                      # the race, against 127.0.0.1:port
        site.stop()
        checked = site.shell(CHECK)

A site is a data folder of its own and, for PostgreSQL, a database of its own on the given
server; leaving the block stops the server and drops both.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

_SETUP = (
    "import django, os\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'wulian.settings')\n"
    "django.setup()\n"
)


def add_site_arguments(parser: argparse.ArgumentParser, postgres_env: str) -> None:
    """The options every load benchmark takes: the database, gunicorn's size, the server."""
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(postgres_env, "postgres://postgres@127.0.0.1:5433/postgres"),
        help="a server where a throwaway database may be created",
    )


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def request(
    port: int,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, str, dict[str, str], float]:
    """One request on a new connection: status, text, headers (lower-case) and milliseconds."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        answered = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    return response.status, text, answered, (time.perf_counter() - started) * 1000


def post_json(port: int, path: str, payload: dict[str, Any], key: str) -> tuple[int, str, float]:
    """A JSON POST with an API token, answered in English: status, text and milliseconds."""
    status, text, _, ms = request(
        port,
        "POST",
        path,
        json.dumps(payload).encode(),
        {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
    )
    return status, text, ms


def run_code(env: dict[str, str], code: str, *argv: str) -> Any:
    """Run `code` with Django set up in `env`; its last printed line is JSON."""
    result = subprocess.run(
        [str(BIN / "python"), "-c", _SETUP + code, *argv],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(f"seeding failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Site:
    def __init__(self, db: str, postgres_url: str, name: str) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=f"wulian-{name}-"))
        self.env = {
            **os.environ,
            "WULIAN_ENV": "development",
            "DEBUG": "false",
            "WULIAN_DATA_DIR": str(self.folder),
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        self.env.pop("DATABASE_URL", None)
        self.postgres_url = postgres_url
        self.database = ""
        self.server: subprocess.Popen[bytes] | None = None
        if db == "postgres":
            import psycopg

            self.database = f"wulian_{name.replace('-', '_')}_{os.getpid()}"
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
            base, _, _ = postgres_url.rpartition("/")
            self.env["DATABASE_URL"] = f"{base}/{self.database}"

    def __enter__(self) -> Site:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
        if self.database:
            import psycopg

            with psycopg.connect(self.postgres_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        shutil.rmtree(self.folder, ignore_errors=True)

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "wulian"), *args], env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise SystemExit(f"wulian {args[0]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def shell(self, code: str, *argv: str) -> Any:
        """Run `code` with Django set up on this site; its last printed line is JSON."""
        return run_code(self.env, code, *argv)

    def serve(
        self, workers: int, threads: int, warm: str, headers: dict[str, str] | None = None
    ) -> int:
        """Start gunicorn on a free port and warm every worker (templates, catalogues,
        database connections) with GETs of `warm`, as a server that has been up a while."""
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        self.server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "wulian.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
                "--preload",
            ],
            env=self.env,
            cwd=ROOT,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        for _ in range(workers * threads * 4):
            request(port, "GET", warm, headers=headers, timeout=30)
        return port

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)
            self.server = None
