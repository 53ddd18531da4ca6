"""`wulian event list` and `wulian event report EVENT [--format json|xlsx|pdf] [-o FILE]`."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from wulian.events import documents, reports
from wulian.events.models import ReleaseEvent


class Command(BaseCommand):
    help = "Release events: list them, or write an event's report as JSON, .xlsx or PDF."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="every release event, one a line")
        report = sub.add_parser("report", help="an event's report")
        report.add_argument("event", help="the event's id or exact title")
        report.add_argument("--format", choices=["json", "xlsx", "pdf"], default="json")
        report.add_argument("-o", "--output", help="write to this file instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
        else:
            self._report(options["event"], options["format"], options.get("output"))

    def _list(self) -> None:
        events = ReleaseEvent.objects.prefetch_related("communities").order_by("starts_at", "id")
        for event in events:
            communities = "、".join(c.name for c in event.communities.all())
            needs = event.event_needs.count()
            when = timezone.localtime(event.starts_at)
            self.stdout.write(
                f"{event.pk}\t{when:%Y-%m-%d %H:%M}\t{event.state}\t{needs}\t"
                f"{event.title}\t{communities}"
            )

    def _find(self, key: str) -> ReleaseEvent:
        found = (
            ReleaseEvent.objects.filter(pk=int(key)).first()
            if key.isdigit()
            else ReleaseEvent.objects.filter(title=key).order_by("-starts_at").first()
        )
        if found is None:
            raise CommandError(f"no release event {key!r}; `wulian event list` shows them")
        return found

    def _report(self, key: str, fmt: str, output: str | None) -> None:
        report = reports.build_report(self._find(key))
        if fmt == "json":
            data = (json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n").encode()
        elif fmt == "xlsx":
            data = documents.render_report_xlsx(report)
        else:
            data = documents.render_report_pdf(report)
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"wrote {output}")
        elif fmt == "json":
            self.stdout.write(data.decode(), ending="")
        else:
            if sys.stdout.isatty():
                raise CommandError(f"{fmt} is binary: give -o FILE")
            sys.stdout.buffer.write(data)
