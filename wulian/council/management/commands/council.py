"""`wulian council tally MEETING` and `wulian council minutes MEETING` for a meeting's id;
`wulian council households COUNCIL FILE` imports the residents' register."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from wulian.core.errors import DomainError
from wulian.council import documents, queries, register, services
from wulian.council.models import Council, Meeting
from wulian.lists.spreadsheets import acting_user


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
        households = sub.add_parser(
            "households",
            help="import households from the residents' register (.xlsx or .csv): every row "
            "is checked; nothing is written unless all are right",
        )
        households.add_argument("council", help="the council's id")
        households.add_argument("file", help="the .xlsx or .csv file")
        households.add_argument("--dry-run", action="store_true", help="check only")
        households.add_argument("--as", dest="actor", metavar="MOBILE", help="staff acting")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            self.stdout.write(json.dumps(services.sweep_resolutions()))
            return
        if options["action"] == "households":
            self.import_households(options)
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

    def import_households(self, options: dict[str, Any]) -> None:
        try:
            council = Council.objects.select_related("community").get(pk=int(options["council"]))
        except (ValueError, Council.DoesNotExist):
            raise CommandError(f"No council has the id {options['council']!r}.") from None
        with translation.override("zh-hans"):
            try:
                with open(options["file"], "rb") as fh:
                    data = fh.read()
                actor = acting_user(options.get("actor"))
                table = register.read_register(options["file"], data)
                run = register.check_register if options["dry_run"] else register.import_register
                report = run(actor, council, table, options["file"])
            except OSError as exc:
                raise CommandError(str(exc)) from exc
            except DomainError as exc:
                raise CommandError(str(exc.message)) from exc
            summary = {
                "rows": report.rows,
                "to_create": len(report.to_create),
                "to_update": len(report.to_update),
                "unchanged": len(report.unchanged),
                "created": report.created,
                "updated": report.updated,
                "errors": [str(e) for e in report.errors],
                "notes": [str(n) for n in report.notes],
            }
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            if report.errors:
                raise CommandError("Nothing was imported: the file has errors.")
