"""`wulian council tally MEETING` and `wulian council minutes MEETING` for a meeting's id."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from wulian.council import documents, queries, services
from wulian.council.models import Meeting


def find_meeting(value: str) -> Meeting:
    try:
        return Meeting.objects.select_related("council__community").get(pk=int(value))
    except (ValueError, Meeting.DoesNotExist):
        raise CommandError(f"No meeting has the id {value!r}.") from None


class Command(BaseCommand):
    help = (
        "Council meetings: `tally` prints each motion's counts and outcome; `minutes` the record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tally = sub.add_parser("tally", help="each motion: counts, base, threshold, outcome")
        tally.add_argument("meeting", help="the meeting's id")
        tally.add_argument("--format", choices=["json", "table"], default="table")
        minutes = sub.add_parser("minutes", help="the minutes as JSON or PDF")
        minutes.add_argument("meeting", help="the meeting's id")
        minutes.add_argument("--format", choices=["json", "pdf"], default="json")
        minutes.add_argument("-o", "--output", default="", help="write to this file")
        sub.add_parser("sweep", help="notice periods ending, overdue reminders, escalations")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.stdout.write(json.dumps(services.sweep_resolutions()))
            return
        meeting = find_meeting(options["meeting"])
        with translation.override("zh-hans"):
            if options["action"] == "tally":
                data = queries.tally(meeting)
                if options["format"] == "json":
                    self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
                    return
                self.stdout.write(f"{data['meeting']} ({data['rule']})")
                for row in data["motions"]:
                    counts = " ".join(f"{k} {v}" for k, v in row["counts"].items())
                    self.stdout.write(
                        f"#{row['id']} {row['motion']}: {counts}; base {row['base']}; "
                        f"{row['threshold']}; {row['outcome']}"
                    )
                return
            if options["format"] == "pdf":
                pdf = documents.render_minutes_pdf(meeting)
                if options["output"]:
                    with open(options["output"], "wb") as fh:
                        fh.write(pdf)
                    self.stdout.write(options["output"])
                else:
                    sys.stdout.buffer.write(pdf)
                return
            text = json.dumps(queries.minutes(meeting), ensure_ascii=False, indent=2)
            if options["output"]:
                with open(options["output"], "w", encoding="utf-8") as fh:
                    fh.write(text)
                self.stdout.write(options["output"])
            else:
                self.stdout.write(text)
