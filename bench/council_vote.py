"""The council vote: hundreds of households check in at the door and vote from their phones.

    .venv/bin/python bench/council_vote.py --db sqlite --voters 500 --window 60
    .venv/bin/python bench/council_vote.py --db postgres --voters 500 --window 60 \
        --postgres-url postgres://postgres@127.0.0.1:5433/postgres

It makes a throwaway data folder (and, for PostgreSQL, a throwaway database), migrates it,
seeds a compound with N households (one representative each, with an API token), a council and
an open meeting with a secret yes/no ballot, starts gunicorn on 127.0.0.1 and lets every voter
arrive at a random moment within `--window` seconds (`--window 0`: all at once): each checks
in (a nonce per scan) and votes through `/api/council/...`, the same services as the pages; a
share of them taps twice (`--double-taps`), and must be told "already voted". Then it closes
the ballot, checks the database and the tally, drops what it made, and prints a last line of
JSON.
"""

from __future__ import annotations

import argparse
import json
import os
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
from decimal import Decimal
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from wulian.accounts.models import ApiToken, User
from wulian.council import services
from wulian.council.models import Household, HouseholdMember
from wulian.places import services as places
from wulian.places.models import Compound, Region

voters = int(sys.argv[1])
city = places.create_region("武汉市", Region.Level.CITY)
district = places.create_region("江岸区", Region.Level.DISTRICT, city)
sub = places.create_region("西马街道", Region.Level.SUBDISTRICT, district)
community = places.create_region("江汉北路社区", Region.Level.COMMUNITY, sub)
compound = Compound.objects.create(community=community, name="江汉北路42号小区")
staff = User.objects.create_user("13800000001", "vote-pass-1", real_name="施敏")
places.assign_staff(None, staff, community)
council = services.create_council(staff, community, "42号小区红色议事厅", compound=compound)
chair = User.objects.create_user("13800000002", "vote-pass-1", real_name="厅长",
                                 community=community, compound=compound)
services.appoint_member(staff, council, chair, "chair")
password = make_password(None)
users = User.objects.bulk_create([
    User(mobile=f"139{i:08d}", real_name=f"户代表{i}", password=password,
         community=community, compound=compound) for i in range(voters)])
households = Household.objects.bulk_create([
    Household(compound=compound, building=str(1 + i // 100), unit="1", room=str(i),
              floor_area=Decimal("70.5"), representative=user)
    for i, user in enumerate(users)])
HouseholdMember.objects.bulk_create([
    HouseholdMember(household=h, user=u, confirmed=True) for h, u in zip(households, users)])
tokens = []
rows = []
for user in users:
    key = secrets.token_urlsafe(24)
    rows.append(ApiToken(user=user, name="bench", prefix=key[:8], digest=ApiToken.digest_of(key)))
    tokens.append(key)
ApiToken.objects.bulk_create(rows)
meeting = services.schedule_meeting(chair, council, services.MeetingInput(
    title="红色议事会", starts_at=timezone.now() + datetime.timedelta(days=4), place="中心广场"))
services.publish_notice(chair, meeting)
services.open_meeting(chair, meeting)
motion = services.add_motion(chair, meeting, services.MotionInput(text="同意加装电梯"))
services.open_ballot(chair, motion, timezone.now() + datetime.timedelta(hours=2))
print(json.dumps({"meeting": meeting.pk, "token": meeting.checkin_token, "motion": motion.pk,
                  "tokens": tokens}))
"""

CHECK = r"""
import json
from django.db.models import Count
from wulian.accounts.models import User
from wulian.council import services
from wulian.council.models import Ballot, Motion, VoteMark
motion = Motion.objects.get()
chair = User.objects.get(mobile="13800000002")
closed = services.close_ballot(chair, motion)
result = services.motion_result(closed)
per_household = VoteMark.objects.values("household").annotate(n=Count("id")).filter(n__gt=1)
print(json.dumps({
    "marks": VoteMark.objects.count(),
    "ballots": Ballot.objects.count(),
    "households_twice": per_household.count(),
    "counted": sum(result["counts"].values()),
    "counts": result["counts"],
    "passed": result["passed"],
}))
"""


class Voter(threading.Thread):
    def __init__(
        self,
        port: int,
        key: str,
        seeded: dict[str, Any],
        gate: threading.Event,
        delay: float,
        choice: str,
        double_tap: bool,
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.key, self.seeded, self.gate = port, key, seeded, gate
        self.delay, self.choice, self.double_tap = delay, choice, double_tap
        self.vote_ms: list[float] = []
        self.checkin_ms: list[float] = []
        self.voted = 0
        self.told_already = 0
        self.double_votes = 0
        self.server_errors = 0
        self.other = 0
        self.failures = 0

    def _post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        status, text, elapsed = post_json(self.port, path, body, self.key)
        try:
            data = json.loads(text)
        except ValueError:
            data = {}
        return status, data, elapsed

    def run(self) -> None:
        self.gate.wait()
        time.sleep(self.delay)
        meeting, motion = self.seeded["meeting"], self.seeded["motion"]
        try:
            status, data, ms = self._post(
                f"/api/council/meetings/{meeting}/check-in",
                {"token": self.seeded["token"], "nonce": os.urandom(8).hex()},
            )
            self.checkin_ms.append(ms)
            if status >= 500:
                self.server_errors += 1
                return
            if status != 200:
                self.other += 1
                return
            for attempt in range(2 if self.double_tap else 1):
                status, data, ms = self._post(
                    f"/api/council/motions/{motion}/vote", {"choices": [self.choice]}
                )
                self.vote_ms.append(ms)
                code = data.get("error", {}).get("code")
                if status >= 500:
                    self.server_errors += 1
                elif status == 200 and attempt == 0:
                    self.voted += 1
                elif status == 200:
                    self.double_votes += 1
                elif status == 409 and code == "vote.already" and attempt == 1:
                    self.told_already += 1
                else:
                    self.other += 1
        except OSError:
            self.failures += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_site_arguments(parser, "VOTE_POSTGRES_URL")
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--window", type=float, default=60, help="seconds of arrivals (0: at once)")
    parser.add_argument("--double-taps", type=float, default=0.1, help="share who tap twice")
    args = parser.parse_args()
    if not 1 <= args.voters <= 5000:
        raise SystemExit("--voters must be between 1 and 5000")

    voters: list[Voter] = []
    elapsed = 0.0
    with Site(args.db, args.postgres_url, "vote") as site:
        site.manage("migrate", "-v0")
        seeded = site.shell(SEED, str(args.voters))
        port = site.serve(
            args.workers,
            args.threads,
            f"/api/council/meetings/{seeded['meeting']}",
            {"Authorization": f"Bearer {seeded['tokens'][0]}"},
        )
        rng = random.Random(20261202)
        gate = threading.Event()
        voters = [
            Voter(
                port,
                key,
                seeded,
                gate,
                rng.uniform(0, args.window),
                rng.choice(["yes"] * 6 + ["no"] * 3 + ["abstain"]),
                rng.random() < args.double_taps,
            )
            for key in seeded["tokens"]
        ]
        for voter in voters:
            voter.start()
        started = time.perf_counter()
        gate.set()
        for voter in voters:
            voter.join(timeout=args.window + 120)
        elapsed = time.perf_counter() - started
        site.stop()
        checked = site.shell(CHECK)

    votes = [ms for v in voters for ms in v.vote_ms]
    checkins = [ms for v in voters for ms in v.checkin_ms]
    votes_ok = sum(v.voted for v in voters)
    result = {
        "db": args.db,
        "voters": args.voters,
        "arrival_window_s": args.window,
        "gunicorn_workers": args.workers,
        "vote_requests": len(votes),
        "votes_ok": votes_ok,
        "told_already_voted": sum(v.told_already for v in voters),
        "double_taps": sum(1 for v in voters if v.double_tap),
        "double_votes": sum(v.double_votes for v in voters) + checked["households_twice"],
        "unexpected_answers": sum(v.other for v in voters),
        "server_errors": sum(v.server_errors for v in voters),
        "connection_failures": sum(v.failures for v in voters),
        "p50_ms": round(statistics.median(votes), 1) if votes else 0.0,
        "p95_ms": round(percentile(votes, 0.95), 1),
        "p99_ms": round(percentile(votes, 0.99), 1),
        "checkin_p50_ms": round(statistics.median(checkins), 1) if checkins else 0.0,
        "checkin_p99_ms": round(percentile(checkins, 0.99), 1),
        "counts": checked["counts"],
        "tally_matches": checked["counted"] == checked["ballots"] == checked["marks"] == votes_ok,
        "seconds": round(elapsed, 2),
    }
    checks = (
        result["double_votes"] == 0
        and result["server_errors"] == 0
        and result["unexpected_answers"] == 0
        and result["tally_matches"]
        and votes_ok == args.voters
    )
    result["checks_passed"] = checks
    print(json.dumps(result))
    sys.exit(0 if checks else 1)


if __name__ == "__main__":
    main()
