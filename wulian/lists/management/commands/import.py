from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError
from wulian.lists import spreadsheets
from wulian.lists.models import ImportMapping


class Command(BaseCommand):
    help = (
        "Import needs or resources from an .xlsx or .csv file into a community's list. "
        "Nothing is written unless every row is valid (or --valid-only is given); rows with an "
        "id update the entry with that id. Changes are made, and audited, as the staff member "
        "named with --as; without --as, as the first superuser, who must then be staff of the "
        "community too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=spreadsheets.IMPORT_KINDS, help="which list")
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
            "--map",
            dest="mapping",
            metavar="MAPPING.JSON",
            help=(
                "what unresolved values mean: "
                '{"compound": {"42号小区": "江汉北路42号小区", "老院子": null}, '
                '"category": {"养老": {"create": true}}, '
                '"organization": {"王师傅": {"keep": true}}} '
                "(a name: that one; null: leave empty); remembered for the community's next "
                "imports. --dry-run prints the questions and a file to start from."
            ),
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
        given: dict[str, Any] = {}
        if options["mapping"]:
            try:
                given = json.loads(Path(options["mapping"]).read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as exc:
                raise CommandError(
                    _("Cannot read the mapping file %(file)s: %(reason)s")
                    % {"file": options["mapping"], "reason": exc}
                ) from exc
            if not isinstance(given, dict):
                raise CommandError(_("The mapping file must hold a JSON object."))
        try:
            community = spreadsheets.find_community(options["community"])
            actor = spreadsheets.acting_user(options["actor"])
            answers = spreadsheets.answers_from_names(community, given, actor) if given else None
            report = spreadsheets.import_file(
                actor,
                community,
                options["kind"],
                path.name,
                data,
                dry_run=options["dry_run"],
                valid_only=options["valid_only"],
                answers=answers,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        for skipped in report.skipped_rows:
            self.stdout.write(
                _("Row %(row)d skipped (%(reason)s): %(text)s")
                % {"row": skipped.row, "reason": skipped.reason_label, "text": skipped.text}
            )
        if report.encoding:
            self.stdout.write(_("Read as %(encoding)s text.") % {"encoding": report.encoding})
        for used in report.used_answers:
            self.stdout.write(
                _("%(field)s “%(value)s”: %(meaning)s (%(source)s).")
                % {
                    "field": ImportMapping.Field(used.field_name).label,
                    "value": used.value,
                    "meaning": used.label,
                    "source": _("remembered") if used.remembered else _("as mapped"),
                }
            )
        for value_note in report.notes:
            self.stdout.write(str(value_note))
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
        if report.questions:
            self._print_questions(report)
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

    def _print_questions(self, report: spreadsheets.ImportReport) -> None:
        self.stdout.write(_("These values are not known; say what they mean with --map:"))
        for question in report.questions:
            labels = dict(question.candidates)
            choices = "、".join(label for _answer, label in question.candidates[:8])
            self.stdout.write(
                "  "
                + _("%(field)s “%(value)s” (rows %(rows)s): %(kind)s; for example %(choices)s")
                % {
                    "field": question.field_label,
                    "value": question.value,
                    "rows": question.rows_text,
                    "kind": _("could be several") if question.ambiguous else _("unknown"),
                    "choices": choices or "—",
                }
                + (
                    " " + _("(suggested: %(name)s)") % {"name": labels[question.suggested]}
                    if question.suggested in labels
                    else ""
                )
            )
        self.stdout.write(_("A mapping file to start from:"))
        self.stdout.write(
            json.dumps(spreadsheets.mapping_skeleton(report), ensure_ascii=False, indent=2)
        )
