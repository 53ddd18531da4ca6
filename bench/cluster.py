"""A city's topology on one machine, under faults: PostgreSQL primary and streaming standby,
PgBouncer, nginx in front of three app servers, two workers, every part its own process.

    .venv/bin/python bench/cluster.py [--claimants 300] [--needs 49] [--scale district]

From the installed Debian packages (postgresql 15, pgbouncer, nginx) it starts, on loopback and
in a throwaway folder: a primary (`initdb`), a hot standby (`pg_basebackup -R`, streaming),
PgBouncer in transaction pooling in front of both, three gunicorn app servers (2 workers × 2
threads each; the primary and the replica through PgBouncer, `PGBOUNCER=true`) and nginx
balancing them as `deploy/nginx/wulian.conf` does (a GET an app server dropped is retried on
another, a POST never). It seeds a district (`wulian demo --scale district`: 100 communities,
about 100,000 needs; `--scale community` or `none` for a quicker run), and on top of it the
rush's own event, needs and claimants in the demo's 江汉北路社区. Then:

1. the claim rush (`bench/claim_rush.py`'s claimants and seed) through nginx, during which one
   app server is killed with SIGKILL and started again: no double claim, no lost claim (every
   claim an answer reported is in the database), and the 5xx counted;
2. two workers run a deadline sweep of 100 late whistles (400 notifications) and one is killed
   with SIGKILL in the middle and started again: every notification made exactly once;
3. the standby is killed: the public lists (`@lag_tolerant`, read from the replica) keep
   answering, from the primary;
4. claims a second through the cluster against one app server alone (everyone at once).

It prints what it found and a last line of JSON, and stops every process it started (also on
an error or Ctrl-C). Run it as root (it runs PostgreSQL and PgBouncer as `postgres`) or as an
ordinary user who may run them.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: the repository's root holds the bench package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import BIN, ROOT, request, run_code
from bench.claim_rush import CHECK as CLAIM_CHECK
from bench.claim_rush import SEED as CLAIM_SEED
from bench.claim_rush import Claimant, rush

PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
AS_ROOT = os.geteuid() == 0

SWEEP_SEED = r"""
import datetime, json
import time_machine
from django.utils import timezone
from wulian.accounts.models import User
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.whistle import services
staff = User.objects.get(mobile="13800000001")
community = Region.objects.get(name="江汉北路社区")
unit = Organization.objects.filter(kind="enterprise").order_by("pk").first()
with time_machine.travel(timezone.now() - datetime.timedelta(hours=3), tick=False):
    calls = [services.blow_whistle(staff, community, services.WhistleInput(
        type="emergency", title=f"第{i}号险情", units=[unit])) for i in range(100)]
from django_tasks_db.models import DBTaskResult
from wulian.notifications.models import Delivery, Notification
DBTaskResult.objects.all().delete(); Delivery.objects.all().delete()
Notification.objects.all().delete()
print(json.dumps({"whistles": [w.pk for w in calls]}))
"""

SWEEP_CHECK = r"""
import json, sys
from django.db.models import Count
from wulian.notifications.models import Notification
from wulian.whistle.models import WhistleCall
twice = (Notification.objects.values("recipient", "key")
         .annotate(n=Count("id")).filter(n__gt=1).count())
done = WhistleCall.objects.filter(whistle__in=json.loads(sys.argv[1]), report_overdue=True,
                                  escalated_at__isnull=False).count()
print(json.dumps({"notifications": Notification.objects.count(), "made_twice": twice,
                  "calls_swept": done}))
"""


RECOVER = r"""
import datetime, json
from django.utils import timezone
from wulian.notifications import services
later = timezone.now() + 2 * services.RECOVERY_GRACE + services.SENDING_LEASE
print(json.dumps({"enqueued": services.recover_deliveries(later)}))
"""

STANDBY_READY = r"""
import json, time
from django.db import connections
from django.db.utils import OperationalError
for _ in range(600):  # the restarted standby replays its WAL before it answers a read
    try:
        connections["replica"].close()
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT 1")
        break
    except OperationalError:
        time.sleep(0.5)
print(json.dumps({}))
"""

RESET = r"""
import json, sys
from wulian.lists.models import Agreement, Claim, Need, Project
ids = json.loads(sys.argv[1])  # the rush's needs: claimed again from the start
Agreement.objects.filter(project__need__in=ids).delete()
Project.objects.filter(need__in=ids).delete()
Claim.objects.filter(need__in=ids).delete()
Need.objects.filter(pk__in=ids).update(state="published", claimed_slots=0)
print(json.dumps({}))
"""

DELIVERY_CHECK = r"""
import collections, json, sys
from pathlib import Path
from wulian.notifications.models import Delivery
states = collections.Counter(Delivery.objects.values_list("state", flat=True))
sent = collections.Counter(Delivery.objects.filter(channel="sms", state="sent")
                           .values_list("address", flat=True))
folder = Path(sys.argv[1])
lines = {f.stem: len(f.read_text(encoding="utf-8").splitlines()) for f in folder.glob("*.txt")}
print(json.dumps({
    "deliveries": sum(states.values()), "states": dict(states),
    "texts_sent": sum(sent.values()), "texts_in_files": sum(lines.values()),
    "addresses_texted_twice": sum(1 for a, n in lines.items() if n > sent.get(a, 0)),
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers on port {port}")


class Cluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports = {
            name: free_port()
            for name in ("primary", "standby", "pgbouncer", "nginx", "app1", "app2", "app3")
        }
        self.log = (folder / "cluster.log").open("ab")

    # ------------------------------------------------------------ processes

    def _as_postgres(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if AS_ROOT else args

    def run(self, args: list[str], as_postgres: bool = False) -> None:
        command = self._as_postgres(args) if as_postgres else args
        result = subprocess.run(command, stdout=self.log, stderr=self.log, check=False)
        if result.returncode:
            raise SystemExit(f"{' '.join(args[:2])} failed: see {self.folder / 'cluster.log'}")

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        self.procs[name] = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,  # its own process group: killed with its children
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)
        for data in ("primary", "standby"):
            if (self.folder / data / "postmaster.pid").exists():
                subprocess.run(
                    self._as_postgres(
                        [
                            str(PGBIN / "pg_ctl"),
                            "-D",
                            str(self.folder / data),
                            "-m",
                            "immediate",
                            "stop",
                        ]
                    ),
                    stdout=self.log,
                    stderr=self.log,
                    check=False,
                )

    # ------------------------------------------------------------ the parts

    def postgres(self, name: str) -> None:
        port = self.ports[name]
        self.start(
            name,
            self._as_postgres(
                [
                    str(PGBIN / "postgres"),
                    "-D",
                    str(self.folder / name),
                    "-p",
                    str(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={self.folder}",
                ]
            ),
        )
        wait_port(port)

    def databases(self) -> None:
        primary = self.folder / "primary"
        self.run(
            [
                str(PGBIN / "initdb"),
                "-D",
                str(primary),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            as_postgres=True,
        )
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(
                "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n"
                "max_connections = 200\nfsync = off\nsynchronous_commit = off\n"
            )
        self.postgres("primary")
        self.run(
            [
                str(PGBIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports["primary"]),
                "-U",
                "postgres",
                "-D",
                str(self.folder / "standby"),
                "-R",
                "-X",
                "stream",
            ],
            as_postgres=True,
        )
        self.postgres("standby")
        self.run(
            [
                str(PGBIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports["primary"]),
                "-U",
                "postgres",
                "-c",
                "CREATE DATABASE wulian",
            ]
        )

    def pgbouncer(self) -> None:
        (self.folder / "users.txt").write_text('"postgres" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"wulian = host=127.0.0.1 port={self.ports['primary']} dbname=wulian\n"
            f"wulian_replica = host=127.0.0.1 port={self.ports['standby']} dbname=wulian\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.ports['pgbouncer']}\n"
            f"auth_type = trust\nauth_file = {self.folder / 'users.txt'}\n"
            "unix_socket_dir =\ndefault_pool_size = 20\nmax_client_conn = 500\n"
            + "".join(f"{key} = {value}\n" for key, value in shipped_pgbouncer().items())
        )
        if AS_ROOT:
            shutil.chown(self.folder / "users.txt", "postgres")
            shutil.chown(self.folder / "pgbouncer.ini", "postgres")
        self.start(
            "pgbouncer", self._as_postgres(["pgbouncer", str(self.folder / "pgbouncer.ini")])
        )
        wait_port(self.ports["pgbouncer"])

    def env(self, direct: bool = False) -> dict[str, str]:
        """What every Wulian process reads: through PgBouncer (or straight to the primary,
        for migrations and checks)."""
        bouncer = f"postgres://postgres@127.0.0.1:{self.ports['pgbouncer']}"
        env = {
            **os.environ,
            "WULIAN_ENV": "development",
            "DEBUG": "false",
            "WULIAN_DATA_DIR": str(self.folder / "data"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SMS_BACKEND": "wulian.accounts.sms.FileBackend",
            "SMS_FILE_PATH": str(self.folder / "sms"),
        }
        if direct:
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{self.ports['primary']}/wulian"
        else:
            env["DATABASE_URL"] = f"{bouncer}/wulian"
            env["REPLICA_DATABASE_URL"] = f"{bouncer}/wulian_replica"
            env["PGBOUNCER"] = "true"
        return env

    def manage(self, *args: str) -> None:
        result = subprocess.run(
            [str(BIN / "wulian"), *args],
            env=self.env(direct=True),
            stdout=self.log,
            stderr=self.log,
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"wulian {args[0]} failed: see {self.folder / 'cluster.log'}")

    def shell(self, code: str, *argv: str) -> Any:
        return run_code(self.env(direct=True), code, *argv)

    def app(self, name: str) -> None:
        env = {**self.env(), "PROMETHEUS_MULTIPROC_DIR": str(self.folder / f"metrics-{name}")}
        shutil.rmtree(env["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
        os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])
        self.start(
            name,
            [
                str(BIN / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "wulian.wsgi",
                "-b",
                f"127.0.0.1:{self.ports[name]}",
                "-w",
                "2",
                "--threads",
                "2",
                "--preload",
                "--log-level",
                "warning",
            ],
            env,
        )
        wait_port(self.ports[name])

    def nginx(self) -> None:
        servers = "".join(
            f"        server 127.0.0.1:{self.ports[a]} max_fails=1 fail_timeout=5s;\n"
            for a in ("app1", "app2", "app3")
        )
        (self.folder / "nginx").mkdir(exist_ok=True)
        (self.folder / "nginx.conf").write_text(
            f"pid {self.folder / 'nginx.pid'};\nerror_log {self.folder / 'nginx-error.log'};\n"
            "worker_processes 1;\ndaemon off;\nevents { worker_connections 2048; }\n"
            "http {\n"
            f"    access_log off;\n    client_body_temp_path {self.folder / 'nginx'};\n"
            f"    proxy_temp_path {self.folder / 'nginx'};\n"
            "    upstream wulian_web {\n" + servers + "        keepalive 32;\n    }\n"
            "    server {\n"
            f"        listen 127.0.0.1:{self.ports['nginx']};\n"
            "        location / {\n"
            "            proxy_pass http://wulian_web;\n"
            "            proxy_http_version 1.1;\n"
            '            proxy_set_header Connection "";\n'
            "            proxy_set_header Host 127.0.0.1;\n"
            "            proxy_set_header X-Real-IP $remote_addr;\n"
            "            proxy_next_upstream error timeout http_502 http_503;\n"
            "            proxy_next_upstream_tries 2;\n"
            "            proxy_read_timeout 60s;\n"
            "        }\n    }\n}\n"
        )
        self.start(
            "nginx", ["nginx", "-c", str(self.folder / "nginx.conf"), "-p", str(self.folder)]
        )
        wait_port(self.ports["nginx"])

    def worker(self, name: str) -> None:
        self.start(name, [str(BIN / "wulian"), "worker", "-v", "0"], self.env())


# ---------------------------------------------------------------- the four trials


def claims_per_second(claimants: list[Claimant], seconds: float) -> float:
    return round(sum(len(c.latencies) for c in claimants) / seconds, 1) if seconds else 0.0


SHIPPED_PGBOUNCER = Path(__file__).resolve().parents[1] / "deploy" / "pgbouncer" / "pgbouncer.ini"
OWN_PGBOUNCER = {"listen_addr", "listen_port", "auth_type", "auth_file", "unix_socket_dir"}
OWN_PGBOUNCER |= {"default_pool_size", "max_client_conn"}


def shipped_pgbouncer() -> dict[str, str]:
    """The [pgbouncer] settings of deploy/pgbouncer/pgbouncer.ini (pooling, timeouts), less
    what this machine sets itself (addresses, authentication, sizes)."""
    parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
    parser.read(SHIPPED_PGBOUNCER)
    return {k: v for k, v in parser["pgbouncer"].items() if k not in OWN_PGBOUNCER}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claimants", type=int, default=300)
    parser.add_argument("--needs", type=int, default=49)
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--window", type=float, default=20, help="seconds of arrivals")
    parser.add_argument(
        "--scale",
        choices=("district", "community", "none"),
        default="district",
        help="the demo under the rush's own seed (district: wulian demo --scale district)",
    )
    parser.add_argument(
        "--standby-stop",
        choices=("kill", "stop"),
        default="kill",
        help="how the standby goes down: SIGKILL, or a clean fast shutdown (systemctl stop)",
    )
    args = parser.parse_args()
    for tool in ("nginx", "pgbouncer", str(PGBIN / "postgres")):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt install nginx pgbouncer postgresql)")

    folder = Path(tempfile.mkdtemp(prefix="wulian-cluster-", dir="/var/tmp"))
    if AS_ROOT:
        shutil.chown(folder, "postgres")
        folder.chmod(0o755)
    cluster = Cluster(folder)
    result: dict[str, Any] = {"phase_seconds": {}}
    clock = [time.monotonic()]

    def phase(name: str) -> None:
        now = time.monotonic()
        result["phase_seconds"][name] = round(now - clock[0], 1)
        clock[0] = now
        print(f"{name}: {result['phase_seconds'][name]} s", file=sys.stderr)

    try:
        cluster.databases()
        cluster.pgbouncer()
        cluster.manage("migrate", "-v0")
        if args.scale != "none":
            cluster.manage("demo", "--scale", args.scale, "--quiet")
            phase("seeded")
        seeded = cluster.shell(CLAIM_SEED, str(args.claimants), str(args.needs))
        for name in ("app1", "app2", "app3"):
            cluster.app(name)
        cluster.nginx()
        front = cluster.ports["nginx"]
        for _ in range(30):
            request(front, "GET", "/healthz")

        phase("started")
        # 1. the rush, with an app server killed and started again in the middle
        killed_at: list[float] = []

        def kill_and_restart() -> None:
            time.sleep(args.window / 3)
            cluster.kill("app2")
            killed_at.append(time.monotonic())
            time.sleep(2)
            cluster.app("app2")

        claimants, seconds = rush(
            front, seeded, args.window, args.tries, during=kill_and_restart, seed=20261203
        )
        needs = json.dumps(seeded["needs"])
        checked = cluster.shell(CLAIM_CHECK, needs)
        reported = {p for c in claimants for p in c.projects}
        lost = cluster.shell(
            "import json, sys\nfrom wulian.lists.models import Project\n"
            "ids = [int(p.rstrip('/').rsplit('/', 1)[-1]) for p in json.loads(sys.argv[1])]\n"
            "print(json.dumps({'missing': len(ids) - Project.objects.filter(pk__in=ids).count()}))",
            json.dumps(sorted(reported)),
        )["missing"]
        errors = (folder / "nginx-error.log").read_text(errors="replace").splitlines()
        app2 = f"127.0.0.1:{cluster.ports['app2']}"
        cut_off = sum(
            1
            for line in errors
            if app2 in line and ("prematurely closed" in line or "reset by peer" in line)
        )
        result["rush"] = {
            "claim_requests": sum(len(c.latencies) for c in claimants),
            "claims_ok": sum(c.ok for c in claimants),
            "claims_in_database": checked["claims"],
            "double_claims": checked["double"],
            "lost_claims": lost,
            "server_errors": sum(c.server_errors for c in claimants),
            "cut_off_on_the_killed_server": cut_off,
            "connection_failures": sum(c.failures for c in claimants),
            "unclear_answers": sum(c.unclear for c in claimants),
            "seconds": round(seconds, 1),
        }

        phase("rush")
        # 2. a worker killed in the middle of a sweep; two workers finish it
        whistles = json.dumps(cluster.shell(SWEEP_SEED)["whistles"])
        cluster.worker("worker1")
        deadline = time.monotonic() + 120
        swept: dict[str, int] = {"notifications": 0}
        while time.monotonic() < deadline and swept["notifications"] == 0:
            swept = cluster.shell(SWEEP_CHECK, whistles)
        cluster.kill("worker1")
        at_kill = cluster.shell(SWEEP_CHECK, whistles)
        cluster.worker("worker1")
        cluster.worker("worker2")
        last = -1
        while time.monotonic() < deadline:
            swept = cluster.shell(SWEEP_CHECK, whistles)
            if swept["calls_swept"] == 100 and swept["notifications"] == last:
                break  # every call swept, and nothing more made since the last look
            last = swept["notifications"]
            time.sleep(3)
        # the scheduler's recovery finds what the kill cut off; the workers send the rest
        cluster.shell(RECOVER)
        delivered: dict[str, Any] = {}
        while time.monotonic() < deadline + 60:
            delivered = cluster.shell(DELIVERY_CHECK, str(folder / "sms"))
            waiting = delivered["states"].get("pending", 0) + delivered["states"].get("sending", 0)
            if not waiting:
                break
            time.sleep(2)
        result["workers"] = {"at_kill": at_kill["notifications"], **swept, **delivered}

        phase("workers")
        # 3. the standby killed: the lag-tolerant pages keep answering
        cluster.kill("standby", signal.SIGKILL if args.standby_stop == "kill" else signal.SIGINT)
        answers, took = [], []
        for _ in range(60):
            began = time.monotonic()
            answers.append(request(front, "GET", "/lists/needs/")[0])
            took.append(1000 * (time.monotonic() - began))
        took.sort()
        began = time.monotonic()
        cluster.postgres("standby")
        standby = f"postgres://postgres@127.0.0.1:{cluster.ports['standby']}/wulian"
        run_code({**cluster.env(direct=True), "REPLICA_DATABASE_URL": standby}, STANDBY_READY)
        result["standby_killed"] = {
            "requests": len(answers),
            "ok": answers.count(200),
            "errors": len(answers) - answers.count(200),
            "ms_median": round(took[len(took) // 2]),
            "ms_max": round(took[-1]),
            "restart_to_reads_s": round(time.monotonic() - began, 1),
        }

        phase("standby")
        # 4. claims a second: the cluster, then one app server alone, everyone at once
        rates: dict[str, Any] = {}
        for label, port in (("cluster", front), ("one_server", cluster.ports["app1"])):
            cluster.shell(RESET, needs)
            claimants, seconds = rush(port, seeded, 0, args.tries, seed=20261203)
            rates[label] = claims_per_second(claimants, seconds)
            rates[f"{label}_answers"] = {
                "ok": sum(c.ok for c in claimants),
                "taken": sum(c.taken for c in claimants),
                "unclear": sum(c.unclear for c in claimants),
                "server_errors": sum(c.server_errors for c in claimants),
                "failures": sum(c.failures for c in claimants),
                "seconds": round(seconds, 1),
            }
        result["claims_per_s"] = rates
        phase("claims_per_s")
    finally:
        cluster.stop_all()
        shutil.rmtree(folder, ignore_errors=True)

    rush_ok = result["rush"]
    checks = {
        "no_double_claims": rush_ok["double_claims"] == 0,
        "5xx_only_from_the_killed_server": rush_ok["server_errors"]
        <= rush_ok["cut_off_on_the_killed_server"]
        and rush_ok["unclear_answers"] == 0,
        "no_lost_claims": rush_ok["lost_claims"] == 0
        and rush_ok["claims_ok"] == rush_ok["claims_in_database"],
        "workers_exactly_once": result["workers"]["calls_swept"] == 100
        and result["workers"]["made_twice"] == 0
        and 0 < result["workers"]["at_kill"] < result["workers"]["notifications"]
        and set(result["workers"]["states"]) == {"sent"}
        and result["workers"]["texts_sent"] == result["workers"]["texts_in_files"]
        and result["workers"]["addresses_texted_twice"] == 0,
        "standby_down_still_serves": result["standby_killed"]["errors"] == 0,
    }
    result["checks"] = checks
    result["checks_passed"] = all(checks.values())
    print(json.dumps(result, ensure_ascii=False))
    sys.exit(0 if result["checks_passed"] else 1)


if __name__ == "__main__":
    main()
