from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wulian.core.text import fold
from wulian.dashboards import reports
from wulian.dashboards.panels import parse_month
from wulian.places.models import Region


def find_region(name: str, level: str | None = None) -> Region:
    """A region by its name, in simplified or traditional characters."""
    wanted = fold(name.strip())
    regions = Region.objects.all() if level is None else Region.objects.filter(level=level)
    for region in regions:
        if fold(region.name) == wanted:
            return region
    raise CommandError(f"No region is called {name!r}.")


class Command(BaseCommand):
    help = "Reports: `wulian report monthly --community NAME --month 2026-11 --format pdf`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser("monthly", help="a community's (or region's) monthly report")
        where = monthly.add_mutually_exclusive_group(required=True)
        where.add_argument("--community", help="the community's name")
        where.add_argument("--region", help="a subdistrict's or district's name")
        monthly.add_argument("--month", required=True, help="YYYY-MM")
        monthly.add_argument("--format", choices=reports.FORMATS, default="json")
        monthly.add_argument("-o", "--output", default="", help="file to write (default: stdout)")
        sub.add_parser("round", help="the worker's round: the 1st's reports and e-mails, once")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "round":
            self.stdout.write(str(reports.monthly_round()))
            return
        if options["community"]:
            region = find_region(options["community"], Region.Level.COMMUNITY)
        else:
            region = find_region(options["region"])
        try:
            year, month = (int(part) for part in options["month"].split("-"))
            assert 1 <= month <= 12
        except (ValueError, AssertionError) as exc:
            raise CommandError("Give --month as YYYY-MM, e.g. 2026-11.") from exc
        data = reports.generate(region, parse_month(f"{year:04d}-{month:02d}")).data
        body = reports.render(data, options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(body)
            self.stdout.write(options["output"])
        elif options["format"] == "json":
            self.stdout.write(body.decode())
        else:
            sys.stdout.buffer.write(body)
