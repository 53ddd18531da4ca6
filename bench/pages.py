"""The key pages of a whole district, timed against a hello-world view on the same server.

    .venv/bin/python bench/pages.py --db sqlite
    .venv/bin/python bench/pages.py --db postgres \
        --postgres-url postgres://postgres@127.0.0.1:5433/postgres

It makes a throwaway data folder (and, for PostgreSQL, a throwaway database), migrates it,
builds the district with `wulian demo --scale district` (timed: the build is part of what is
measured), signs in a member of the district's staff, starts gunicorn on 127.0.0.1, keeps
the CSRF cookie the first page sets (as a browser does) and asks, one request at a time and
in a shuffled order each round, for:

    hello      /healthz (the same middleware, one query)
    community  the demo community's dashboard
    compare    the district's communities side by side
    needs      the needs list of that community, filtered (published, raised by enterprises)
    need       one claimed need with its claims, agreement and history
    unit       the scorecard of the community's busiest unit
    board      a release event's board as JSON (what the big screen polls)

Every answer must be a 200 with the page's own content (not a sign-in page). It prints each
page's median and p95 in milliseconds and as a ratio to hello-world's median, then a last
line of JSON. Targets: every page's median at most 3× hello-world's, its p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if not __package__:  # run as a script: the repository's root holds the bench package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import Site, add_site_arguments, percentile, request

SEED = r"""
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from wulian.accounts.models import User
from wulian.events.models import ReleaseEvent
from wulian.lists.models import Claim, Need
from wulian.places.models import Region, StaffAssignment

community = Region.objects.get(name="江汉北路社区", level=Region.Level.COMMUNITY)
district = Region.objects.get(pk=community.parent.parent_id, level=Region.Level.DISTRICT)
communities = Region.objects.filter(path__startswith=district.path, level="community").count()
staff = User.objects.create_user("15900000001", None, real_name="区级测速")
StaffAssignment.objects.create(user=staff, region=district)
session = SessionStore()
session[SESSION_KEY] = str(staff.pk)
session[BACKEND_SESSION_KEY] = "wulian.accounts.backends.KeptUserBackend"
session[HASH_SESSION_KEY] = staff.get_session_auth_hash()
session.create()
need = (Need.objects.filter(community=community, state=Need.State.CLAIMED)
        .annotate(n=Count("claims")).order_by("-n", "pk").first())
unit = (Claim.objects.filter(need__community=community, organization__region=community)
        .values("organization").annotate(n=Count("id")).order_by("-n", "organization").first())
event = ReleaseEvent.objects.filter(communities=community).order_by("-pk").first()
print(json.dumps({
    "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
    "community": community.pk, "community_name": community.name,
    "district": district.pk, "district_name": district.name, "communities": communities,
    "need": need.pk, "need_title": need.title,
    "unit": unit["organization"], "event": event.pk,
    "needs": Need.objects.count(),
}))
"""


def pages(seeded: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each page's path and a piece of text its answer must contain."""
    c, d = seeded["community"], seeded["district"]
    return {
        "hello": ("/healthz", '"ok"'),
        "community": (f"/dashboards/regions/{c}/", seeded["community_name"]),
        "compare": (f"/dashboards/regions/{d}/compare/", seeded["community_name"]),
        "needs": (
            f"/lists/needs/?community={c}&state=published&raiser_kind=enterprise",
            seeded["community_name"],
        ),
        "need": (f"/lists/needs/{seeded['need']}/", seeded["need_title"][:8]),
        "unit": (f"/dashboards/units/{seeded['unit']}/", "</html>"),
        "board": (f"/events/{seeded['event']}/board.json", '"tiles"'),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_arguments(parser, "PAGES_POSTGRES_URL")
    parser.add_argument("--rounds", type=int, default=100, help="requests of each page")
    parser.add_argument("--communities", type=int, default=0, help="0: the district's ~100")
    args = parser.parse_args()
    if not 5 <= args.rounds <= 10000:
        raise SystemExit("--rounds must be between 5 and 10000")

    with Site(args.db, args.postgres_url, "pages") as site:
        site.manage("migrate", "-v0")
        started = time.perf_counter()
        build = ["demo", "--scale", "district", "--quiet"]
        if args.communities:
            build += ["--communities", str(args.communities)]
        site.manage(*build)
        build_s = time.perf_counter() - started
        seeded = site.shell(SEED)
        headers = {"Cookie": seeded["cookie"], "Accept-Language": "zh-hans"}
        targets = pages(seeded)
        port = site.serve(args.workers, args.threads, targets["hello"][0], headers)
        # As a browser does: keep the CSRF cookie the first page with a form sets.
        _status, _body, answered, _ms = request(port, "GET", targets["need"][0], headers=headers)
        csrf = re.search(r"csrftoken=([^;]+)", answered.get("set-cookie", ""))
        if csrf:
            headers["Cookie"] += f"; csrftoken={csrf.group(1)}"
        for path, _text in targets.values():  # every worker has opened every page once
            for _ in range(args.workers * args.threads * 2):
                request(port, "GET", path, headers=headers)
        times: dict[str, list[float]] = {name: [] for name in targets}
        rng = random.Random(20261203)
        order = list(targets)
        for _ in range(args.rounds):
            rng.shuffle(order)
            for name in order:
                path, text = targets[name]
                status, body, _answered, ms = request(port, "GET", path, headers=headers)
                if status != 200 or text not in body:
                    raise SystemExit(f"{name} {path}: {status}, not the page:\n{body[:500]}")
                times[name].append(ms)
        site.stop()

    hello = statistics.median(times["hello"])
    figures: dict[str, Any] = {}
    print(f"{'page':<10} {'median ms':>10} {'p95 ms':>8} {'× hello':>8}")
    for name, values in times.items():
        median, p95 = statistics.median(values), percentile(values, 0.95)
        figures[name] = {
            "median_ms": round(median, 2),
            "p95_ms": round(p95, 2),
            "ratio": round(median / hello, 2),
        }
        print(f"{name:<10} {median:>10.2f} {p95:>8.2f} {median / hello:>8.2f}")
    worst = max(f["ratio"] for n, f in figures.items() if n != "hello")
    slowest = max(f["p95_ms"] for n, f in figures.items() if n != "hello")
    print(
        json.dumps(
            {
                "db": args.db,
                "communities": seeded["communities"],
                "needs": seeded["needs"],
                "build_s": round(build_s, 1),
                "rounds": args.rounds,
                "pages": figures,
                "worst_ratio": worst,
                "slowest_p95_ms": slowest,
                "ratio_met": worst <= 3,
                "p95_met": slowest < 300,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
