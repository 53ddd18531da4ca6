"""The booking rush: residents race for haircut slots and units for venue times, against the
real server.

    .venv/bin/python bench/booking_rush.py --db sqlite
    .venv/bin/python bench/booking_rush.py --db postgres \
        --postgres-url postgres://postgres@127.0.0.1:5433/postgres

It makes a throwaway data folder (and, for PostgreSQL, a throwaway database), migrates it,
seeds a haircut service with 40 places (20 ten-minute slots × 2 chairs) next week and 5 venues,
300 residents and 200 units (each with an API token), starts gunicorn on 127.0.0.1 and lets
them race through the JSON API: every resident arrives at a random moment within `--window`
seconds (0: all at once) and books a random slot, trying another when it is full (at most
`--tries`); every unit asks one of the venues for a random one- or two-hour range of the same
day, and another when refused. Then it stops the server, checks the database (no slot seat
with two active bookings, no slot over its chairs, no two active bookings of one venue that
overlap) and the answers (no 5xx, every refusal a 409 with a code), drops what it made and
prints a last line of JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: the repository's root holds the bench package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import Site, add_site_arguments, percentile, post_json

SEED = r"""
import datetime, json, secrets, sys
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from wulian.accounts.models import ApiToken, User
from wulian.activities import services
from wulian.activities.models import Venue
from wulian.orgs.models import Membership, Organization
from wulian.places import services as places
from wulian.places.models import Region

residents_n, units_n, venues_n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
city = places.create_region("武汉市", Region.Level.CITY)
district = places.create_region("江岸区", Region.Level.DISTRICT, city)
sub = places.create_region("西马街道", Region.Level.SUBDISTRICT, district)
community = places.create_region("江汉北路社区", Region.Level.COMMUNITY, sub)
school = Organization.objects.create(name="武汉市第一商业学校", kind="school", region=community)
teacher = User.objects.create_user("13800000101", "rush-pass-1", real_name="老师")
Membership.objects.create(organization=school, user=teacher, role="admin")
day = timezone.localdate() + datetime.timedelta(days=7)
haircuts = services.create_service(teacher, school, community, services.ServiceInput(
    "义务理发", day.isoweekday(), datetime.time(9), datetime.time(12, 20), 10, seats=2))
venues = [Venue.objects.create(owner=school, community=community, name=f"教室{i}",
                               capacity=100, needs_approval=False, bookers="units")
          for i in range(venues_n)]
password = make_password(None)
people = User.objects.bulk_create([
    User(mobile=f"139{i:08d}", real_name=f"居民{i}", password=password, community=community)
    for i in range(residents_n + units_n)])
orgs = Organization.objects.bulk_create([
    Organization(name=f"企业{i:04d}", kind="enterprise", region=community) for i in range(units_n)])
Membership.objects.bulk_create([
    Membership(organization=o, user=u, role="admin") for o, u in zip(orgs, people[residents_n:])])
keys = []
tokens = []
for user in people:
    key = secrets.token_hex(20)
    keys.append(key)
    tokens.append(ApiToken(user=user, name="rush", prefix=key[:8], digest=ApiToken.digest_of(key)))
ApiToken.objects.bulk_create(tokens)
slots = [s.isoformat() for s, _e in services.slot_times(haircuts, day)]
print(json.dumps({
    "service": haircuts.pk, "slots": slots, "day": day.isoformat(),
    "venues": [v.pk for v in venues],
    "residents": keys[:residents_n],
    "units": [[k, o.pk] for k, o in zip(keys[residents_n:], orgs)],
}))
"""

CHECK = r"""
import json
from django.db.models import Count
from wulian.activities.models import Booking, Service, ServiceBooking
active = ServiceBooking.objects.filter(state__in=["booked", "attended", "no_show"])
seats = Service.objects.get().seats
per_seat = active.values("starts_at", "seat").annotate(n=Count("id"))
per_slot = active.values("starts_at").annotate(n=Count("id"))
double = sum(r["n"] - 1 for r in per_seat if r["n"] > 1)
double += sum(r["n"] - seats for r in per_slot if r["n"] > seats)
live = Booking.objects.filter(state__in=["pending", "approved"])
bookings = list(live.order_by("venue", "starts_at"))
for a, b in zip(bookings, bookings[1:]):
    if a.venue_id == b.venue_id and b.starts_at < a.ends_at:
        double += 1
print(json.dumps(
    {"double": double, "slot_bookings": active.count(), "venue_bookings": len(bookings)}
))
"""


class Racer(threading.Thread):
    """One phone: up to `tries` POSTs (each a new choice), stopping at the first 201."""

    def __init__(
        self,
        port: int,
        key: str,
        choices: list[tuple[str, dict[str, Any]]],
        gate: threading.Event,
        deadline: float,
        delay: float,
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.choices = port, key, choices
        self.gate, self.deadline, self.delay = gate, deadline, delay
        self.latencies: list[float] = []
        self.ok = self.refused = self.unclear = self.server_errors = self.failures = 0

    def run(self) -> None:
        self.gate.wait()
        time.sleep(self.delay)
        for path, body in self.choices:
            if time.monotonic() > self.deadline:
                return
            try:
                status, text, ms = post_json(self.port, path, body, self.key)
                self.latencies.append(ms)
            except OSError:
                self.failures += 1
                continue
            if status >= 500:
                self.server_errors += 1
            elif status == 201:
                self.ok += 1
                return
            elif status == 409 and '"code"' in text:
                self.refused += 1
            else:
                self.unclear += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_arguments(parser, "RUSH_POSTGRES_URL")
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--venues", type=int, default=5)
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument(
        "--window", type=float, default=15, help="arrivals spread over this many seconds"
    )
    parser.add_argument("--time-limit", type=float, default=180)
    args = parser.parse_args()

    racers: list[Racer] = []
    elapsed = 0.0
    with Site(args.db, args.postgres_url, "booking-rush") as site:
        site.manage("migrate", "-v0")
        seeded = site.shell(SEED, str(args.residents), str(args.units), str(args.venues))
        port = site.serve(
            args.workers,
            args.threads,
            f"/api/services/{seeded['service']}/slots?date={seeded['day']}",
        )
        rng = random.Random(20261202)
        gate = threading.Event()
        deadline = time.monotonic() + args.time_limit
        service_path = f"/api/services/{seeded['service']}/bookings"
        for key in seeded["residents"]:
            picks = rng.sample(seeded["slots"], k=min(args.tries, len(seeded["slots"])))
            choices = [(service_path, {"starts_at": s}) for s in picks]
            racers.append(Racer(port, key, choices, gate, deadline, rng.uniform(0, args.window)))
        day = seeded["day"]
        for key, org in seeded["units"]:
            choices = []
            for _ in range(args.tries):
                venue = rng.choice(seeded["venues"])
                hour = rng.randint(8, 19)
                length = rng.choice([1, 2])
                choices.append(
                    (
                        f"/api/venues/{venue}/bookings",
                        {
                            "starts_at": f"{day}T{hour:02d}:00:00+08:00",
                            "ends_at": f"{day}T{min(hour + length, 21):02d}:00:00+08:00",
                            "purpose": "会议",
                            "attendance": 20,
                            "organization_id": org,
                        },
                    )
                )
            racers.append(Racer(port, key, choices, gate, deadline, rng.uniform(0, args.window)))
        for racer in racers:
            racer.start()
        started = time.perf_counter()
        gate.set()
        for racer in racers:
            racer.join(timeout=max(1.0, deadline - time.monotonic() + 30))
        elapsed = time.perf_counter() - started
        site.stop()
        checked = site.shell(CHECK)

    latencies = [ms for r in racers for ms in r.latencies]
    ok = sum(r.ok for r in racers)
    result = {
        "db": args.db,
        "residents": args.residents,
        "units": args.units,
        "venues": args.venues,
        "slot_places": 40,
        "gunicorn_workers": args.workers,
        "arrival_window_s": args.window,
        "requests": len(latencies),
        "bookings_ok": ok,
        "slot_bookings": checked["slot_bookings"],
        "venue_bookings": checked["venue_bookings"],
        "double_bookings": checked["double"],
        "refused_409": sum(r.refused for r in racers),
        "unclear_answers": sum(r.unclear for r in racers),
        "server_errors": sum(r.server_errors for r in racers),
        "connection_failures": sum(r.failures for r in racers),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "seconds": round(elapsed, 2),
    }
    checks = (
        result["double_bookings"] == 0
        and result["server_errors"] == 0
        and result["unclear_answers"] == 0
        and ok == checked["slot_bookings"] + checked["venue_bookings"]
    )
    result["checks_passed"] = checks
    print(json.dumps(result))
    sys.exit(0 if checks else 1)


if __name__ == "__main__":
    main()
