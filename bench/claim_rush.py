"""The claim rush: a few hundred phones race for an event's needs against the real server.

    .venv/bin/python bench/claim_rush.py --db sqlite --claimants 300
    .venv/bin/python bench/claim_rush.py --db postgres --claimants 300 \
        --postgres-url postgres://postgres@127.0.0.1:5433/postgres

It makes a throwaway data folder (and, for PostgreSQL, a throwaway database), migrates it,
seeds a live event with N needs of one slot and one signed-in session per claimant (each for
their own enterprise), starts gunicorn with several workers on 127.0.0.1, and lets the claimants
race on loopback: each arrives at a random moment within `--window` seconds (the event's rush
lasts minutes; `--window 0` sends everyone at once), opens a claim page and claims, trying
another need when beaten, at most `--tries` times. Then it stops the server, checks the
database (no need with more active claims than slots) and the answers (no 5xx, every loser
told the need was taken), drops what it made,
and prints a last line of JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: the repository's root holds the bench package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import Site, add_site_arguments, percentile, request

TAKEN = ("claimed by someone else", "刚刚已被他人认领", "already been claimed", "已被认领")

SEED = r"""
import json, sys
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from wulian.accounts.models import User
from wulian.events import services as events
from wulian.lists import services as lists
from wulian.orgs.models import Membership, Organization
from wulian.places import services as places
from wulian.places.models import Region

claimants, needs_n = int(sys.argv[1]), int(sys.argv[2])
# on an empty database its own community; on a demo (a district's) the demo's 江汉北路社区,
# its party secretary and its party committee
community = Region.objects.filter(name="江汉北路社区", level=Region.Level.COMMUNITY).first()
if community is None:
    city = places.create_region("武汉市", Region.Level.CITY)
    district = places.create_region("江岸区", Region.Level.DISTRICT, city)
    sub = places.create_region("西马街道", Region.Level.SUBDISTRICT, district)
    community = places.create_region("江汉北路社区", Region.Level.COMMUNITY, sub)
    staff = User.objects.create_user("13800000001", "rush-pass-1", real_name="施敏")
    places.assign_staff(None, staff, community)
    committee = Organization.objects.create(name="社区党委", kind="community", region=community)
    Membership.objects.create(organization=committee, user=staff, role="admin")
else:
    staff = User.objects.get(mobile="13800000001")
    committee = Organization.objects.filter(kind="community", region=community).order_by("pk")[0]
event = events.create_event(staff, title="机会清单发布会", starts_at=timezone.now(),
                            communities=[community])
needs = [lists.publish_need(staff, lists.raise_need(
    staff, community, lists.NeedInput(title=f"需求{i:02d}"), for_org=committee))
    for i in range(1, needs_n + 1)]
events.add_needs(staff, event, needs)
events.open_event(staff, event)
password = make_password(None)
users = User.objects.bulk_create([
    User(mobile=f"137{i:08d}", real_name=f"认领人{i}", password=password)
    for i in range(claimants)])
orgs = Organization.objects.bulk_create([
    Organization(name=f"抢单企业{i:04d}", kind="enterprise", region=community)
    for i in range(claimants)])
Membership.objects.bulk_create([
    Membership(organization=o, user=u, role="admin") for o, u in zip(orgs, users)])
sessions = []
for user, org in zip(users, orgs):
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "wulian.accounts.backends.KeptUserBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    sessions.append([store.session_key, org.pk])
print(json.dumps({"needs": [n.pk for n in needs], "sessions": sessions}))
"""

CHECK = r"""
import json, sys
from django.db.models import Count, Q
from wulian.lists.models import Need
ids = json.loads(sys.argv[1])  # the seeded needs
rows = Need.objects.filter(pk__in=ids).annotate(
    active=Count("claims", filter=Q(claims__state="active")))
print(json.dumps({
    "double": sum(max(0, r.active - r.slots) for r in rows),
    "claimed": sum(1 for r in rows if r.active),
    "claims": sum(r.active for r in rows),
}))
"""


class Claimant(threading.Thread):
    def __init__(
        self,
        port: int,
        session: str,
        org: int,
        needs: list[int],
        tries: int,
        start_gate: threading.Event,
        deadline: float,
        seed: int,
        delay: float = 0.0,
    ) -> None:
        super().__init__(daemon=True)
        self.delay = delay
        self.port, self.session, self.org, self.tries = port, session, org, tries
        self.needs = random.Random(seed).sample(needs, k=min(tries, len(needs)))
        self.start_gate, self.deadline = start_gate, deadline
        self.latencies: list[float] = []
        self.page_latencies: list[float] = []
        self.ok = 0
        self.projects: list[str] = []  # where each won claim's answer led: its project
        self.taken = 0
        self.unclear = 0
        self.server_errors = 0
        self.failures = 0

    def _request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        status, text, answered, _ = request(
            self.port, method, path, body.encode(), headers, timeout=30
        )
        return status, text, answered

    def run(self) -> None:
        self.start_gate.wait()
        if self.delay:
            time.sleep(self.delay)  # this phone arrives later in the rush
        for need in self.needs:
            if time.monotonic() > self.deadline:
                return
            path = f"/lists/needs/{need}/claim/"
            cookie = f"sessionid={self.session}"
            try:
                opened = time.perf_counter()
                status, page, headers = self._request(
                    "GET", path, headers={"Cookie": cookie, "Accept-Language": "en"}
                )
                self.page_latencies.append((time.perf_counter() - opened) * 1000)
                match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                csrf = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
                if status >= 500:
                    self.server_errors += 1
                    continue
                if 'id="claim-form"' not in page or match is None or csrf is None:
                    # already taken: the page says so and offers no claim form
                    if any(word in page for word in TAKEN):
                        self.taken += 1
                    else:
                        self.unclear += 1
                    continue
                body = f"csrfmiddlewaretoken={match.group(1)}&organization={self.org}"
                started = time.perf_counter()
                status, page, headers = self._request(
                    "POST",
                    path,
                    body,
                    {
                        "Cookie": f"{cookie}; csrftoken={csrf.group(1)}",
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept-Language": "en",
                    },
                )
                self.latencies.append((time.perf_counter() - started) * 1000)
            except OSError:
                self.failures += 1
                continue
            if status >= 500:
                self.server_errors += 1
            elif status == 302 and "/lists/projects/" in headers.get("location", ""):
                self.ok += 1
                self.projects.append(headers["location"])
                return
            elif any(word in page for word in TAKEN):
                self.taken += 1
            else:
                self.unclear += 1


def rush(
    port: int,
    seeded: dict[str, Any],
    window: float,
    tries: int,
    *,
    time_limit: float = 180,
    seed: int = 20231113,
    during: Callable[[], None] | None = None,
) -> tuple[list[Claimant], float]:
    """Every seeded claimant races on `port`, arriving at random within `window` seconds;
    `during` runs once they are let go. The claimants and the seconds the race took."""
    gate = threading.Event()
    deadline = time.monotonic() + time_limit
    arrivals = random.Random(seed)
    claimants = [
        Claimant(
            port,
            session,
            org,
            seeded["needs"],
            tries,
            gate,
            deadline,
            seed=i,
            delay=arrivals.uniform(0, window),
        )
        for i, (session, org) in enumerate(seeded["sessions"])
    ]
    for claimant in claimants:
        claimant.start()
    started = time.perf_counter()
    gate.set()
    if during is not None:
        during()
    for claimant in claimants:
        claimant.join(timeout=max(1.0, deadline - time.monotonic() + 30))
    return claimants, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_arguments(parser, "RUSH_POSTGRES_URL")
    parser.add_argument("--claimants", type=int, default=300)
    parser.add_argument("--needs", type=int, default=49)
    parser.add_argument("--tries", type=int, default=3, help="needs each claimant tries at most")
    parser.add_argument(
        "--window",
        type=float,
        default=60,
        help="claimants arrive at random moments within this many seconds (0: all at once)",
    )
    parser.add_argument("--time-limit", type=float, default=180, help="seconds for the rush")
    args = parser.parse_args()
    if not 1 <= args.claimants <= 2000:
        raise SystemExit("--claimants must be between 1 and 2000")

    with Site(args.db, args.postgres_url, "rush") as site:
        site.manage("migrate", "-v0")
        seeded = site.shell(SEED, str(args.claimants), str(args.needs))
        port = site.serve(args.workers, args.threads, f"/lists/needs/{seeded['needs'][0]}/claim/")
        claimants, elapsed = rush(port, seeded, args.window, args.tries, time_limit=args.time_limit)
        site.stop()
        checked = site.shell(CHECK, json.dumps(seeded["needs"]))

    latencies = [ms for c in claimants for ms in c.latencies]
    pages = [ms for c in claimants for ms in c.page_latencies]
    ok = sum(c.ok for c in claimants)
    result = {
        "db": args.db,
        "claimants": args.claimants,
        "needs": args.needs,
        "gunicorn_workers": args.workers,
        "arrival_window_s": args.window,
        "claim_requests": len(latencies),
        "claims_ok": ok,
        "needs_claimed": checked["claimed"],
        "double_claims": checked["double"] + max(0, ok - checked["claims"]),
        "told_taken": sum(c.taken for c in claimants),
        "unclear_answers": sum(c.unclear for c in claimants),
        "server_errors": sum(c.server_errors for c in claimants),
        "connection_failures": sum(c.failures for c in claimants),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "claims_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "page_views": len(pages),
        "page_p50_ms": round(statistics.median(pages), 1) if pages else 0.0,
        "page_p99_ms": round(percentile(pages, 0.99), 1),
        "seconds": round(elapsed, 2),
    }
    checks = (
        result["double_claims"] == 0
        and result["server_errors"] == 0
        and result["unclear_answers"] == 0
        and result["claims_ok"] == checked["claims"]
    )
    result["checks_passed"] = checks
    print(json.dumps(result))
    sys.exit(0 if checks else 1)


if __name__ == "__main__":
    main()
