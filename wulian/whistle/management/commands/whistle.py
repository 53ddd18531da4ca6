from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wulian.core.errors import DomainError
from wulian.core.text import fold
from wulian.places.models import Region
from wulian.whistle import services
from wulian.whistle.scorecard import parse_period, scorecard


def find_community(name: str) -> Region:
    """A community by its name, written in simplified or traditional characters."""
    wanted = fold(name.strip())
    for region in Region.objects.filter(level=Region.Level.COMMUNITY):
        if fold(region.name) == wanted:
            return region
    raise CommandError(f"No community is called {name!r}.")


class Command(BaseCommand):
    help = "Whistle and report: `wulian whistle scorecard` and `wulian whistle sweep`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        card = sub.add_parser("scorecard", help="per unit: counts and the four rates")
        card.add_argument("--community", required=True, help="the community's name")
        card.add_argument("--period", default="", help="a month, YYYY-MM (default: this month)")
        card.add_argument("--format", choices=["json", "table"], default="table")
        sub.add_parser("sweep", help="reminders, overdue marks and escalations, once")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.stdout.write(str(services.sweep_deadlines()))
            return
        community = find_community(options["community"])
        try:
            period = parse_period(options["period"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        rows = scorecard(community, period)
        if options["format"] == "json":
            payload = {
                "community": community.name,
                "period": period.label,
                "units": [row.as_dict() for row in rows],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return

        def pct(value: float | None) -> str:
            return "—" if value is None else f"{value:.0%}"

        self.stdout.write(f"{community.name} {period.label}")
        for row in rows:
            self.stdout.write(
                f"{row.rank:>3}. {row.unit}  calls {row.calls}  "
                f"response {pct(row.response_rate)} ({row.responded})  "
                f"on time {pct(row.on_time_rate)} ({row.on_time})  "
                f"resolved {pct(row.resolution_rate)} ({row.resolved})  "
                f"satisfied {pct(row.satisfaction_rate)} ({row.satisfied}/{row.rated})"
            )
