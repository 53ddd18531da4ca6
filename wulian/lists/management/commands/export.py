from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError
from wulian.lists import spreadsheets
from wulian.lists.models import Need, Project, Resource

STATES: dict[str, list[str]] = {
    "needs": list(Need.State.values),
    "resources": list(Resource.Status.values),
    "projects": list(Project.State.values),
}


class Command(BaseCommand):
    help = (
        "Export a community's needs, resources or projects to an .xlsx or .csv file. "
        "The export is recorded in the audit log as made by the staff member named with --as; "
        "without --as, by the first superuser."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=spreadsheets.EXPORT_KINDS, help="which list")
        parser.add_argument(
            "--community", required=True, help="the community's name (either script)"
        )
        parser.add_argument(
            "-o", "--output", required=True, help="the file to write: FILE.xlsx or FILE.csv"
        )
        parser.add_argument("--state", default="", help="only entries in this state")
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="MOBILE",
            help="mobile number of the staff member exporting (default: the first superuser)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        output = Path(options["output"])
        file_format = output.suffix.lower().lstrip(".")
        if file_format not in {"xlsx", "csv"}:
            raise CommandError(_("Name the output file .xlsx or .csv."))
        state = options["state"]
        if state and state not in STATES[kind]:
            raise CommandError(
                _("Unknown state %(state)s; use one of: %(states)s.")
                % {"state": state, "states": ", ".join(STATES[kind])}
            )
        try:
            community = spreadsheets.find_community(options["community"])
            actor = spreadsheets.acting_user(options["actor"])
            exported = spreadsheets.export_list(
                actor, community, kind, file_format, {"state": state}
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        try:
            output.write_bytes(exported.content)
        except OSError as exc:
            raise CommandError(_("Cannot write %(file)s.") % {"file": output}) from exc
        self.stdout.write(
            _("Exported %(rows)d rows to %(file)s.") % {"rows": exported.rows, "file": output}
        )
