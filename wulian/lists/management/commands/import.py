from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError
from wulian.lists import io


class Command(BaseCommand):
    help = (
        "Import needs or resources from an .xlsx or .csv file into a community's list. "
        "Nothing is written unless every row is valid (or --valid-only is given); rows with an "
        "id update the entry with that id. Changes are made, and audited, as the staff member "
        "named with --as; without --as, as the first superuser, who must then be staff of the "
        "community too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=io.IMPORT_KINDS, help="which list")
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument(
            "--community", required=True, help="the community's name (either script)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report, write nothing"
        )
        parser.add_argument(
            "--valid-only",
            action="store_true",
            help="write the valid rows even when other rows have errors",
        )
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="MOBILE",
            help="mobile number of the staff member acting (default: the first superuser)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s.") % {"file": path}) from exc
        try:
            community = io.find_community(options["community"])
            actor = io.acting_user(options["actor"])
            report = io.import_file(
                actor,
                community,
                options["kind"],
                path.name,
                data,
                dry_run=options["dry_run"],
                valid_only=options["valid_only"],
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        for column in report.ignored_columns:
            self.stdout.write(_("Column %(column)s is ignored.") % {"column": column})
        for note in report.warnings:
            self.stdout.write(str(note))
        for error in report.errors:
            self.stderr.write(str(error))
        counts = {
            "created": len(report.to_create),
            "updated": len(report.to_update),
            "unchanged": len(report.unchanged),
            "skipped": len(report.error_rows),
        }
        if options["dry_run"]:
            self.stdout.write(
                _(
                    "Dry run, nothing written: %(created)d to create, %(updated)d to update, "
                    "%(unchanged)d unchanged, %(skipped)d with errors."
                )
                % counts
            )
            if report.errors:
                raise CommandError(_("The file has errors."))
            return
        if not report.applied or (report.errors and not report.created + report.updated):
            raise CommandError(_("Nothing was imported: the file has errors."))
        counts.update(created=report.created, updated=report.updated)
        self.stdout.write(
            _(
                "Created %(created)d, updated %(updated)d, unchanged %(unchanged)d, "
                "skipped %(skipped)d."
            )
            % counts
        )
