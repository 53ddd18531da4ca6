"""`wulian hours summary --community NAME --period 2026` and
`wulian hours certificate PERSON --period 2026 -o FILE.pdf`."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import translation

from wulian.accounts.models import User, normalize_mobile
from wulian.core.errors import DomainError
from wulian.places.models import Region
from wulian.volunteering import documents, queries, services


def find_community(value: str) -> Region:
    query = Q(name=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    found = list(Region.objects.filter(query, level=Region.Level.COMMUNITY)[:2])
    if len(found) != 1:
        raise CommandError(f"No single community is named {value!r}.")
    return found[0]


def find_person(value: str) -> User:
    """A person by mobile number, id or (when unique) real name."""
    query = Q(mobile=normalize_mobile(value)) | Q(real_name=value)
    if value.isdigit() and len(value) < 11:
        query |= Q(pk=int(value))
    found = list(User.objects.filter(query)[:2])
    if len(found) != 1:
        raise CommandError(f"No single person matches {value!r}; give their mobile number.")
    return found[0]


class Command(BaseCommand):
    help = "Volunteer hours: `summary` per community and period; `certificate` for a person."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        summary = sub.add_parser("summary", help="each volunteer's confirmed hours, ranked")
        summary.add_argument("--community", required=True, help="the community's name or id")
        summary.add_argument("--period", required=True, help="2026, 2026-Q2 or 2026-03")
        summary.add_argument("--format", choices=["json", "table"], default="table")
        cert = sub.add_parser("certificate", help="a volunteer service certificate as PDF")
        cert.add_argument("person", help="mobile number, id or real name")
        cert.add_argument("--period", required=True, help="2026, 2026-Q2 or 2026-03")
        cert.add_argument("-o", "--output", default="", help="write to this file")
        sub.add_parser("sweep", help="missed check-outs, then badges earned")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "sweep":
            recorded = services.sweep_activity_hours()
            self.stdout.write(
                json.dumps({"recorded": recorded, "awarded": services.award_badges()})
            )
            return
        try:
            period = services.parse_period(options["period"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        with translation.override(settings.LANGUAGE_CODE):
            if options["action"] == "summary":
                data = queries.summary(find_community(options["community"]), period)
                if options["format"] == "json":
                    self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
                    return
                self.stdout.write(f"{data['community']} {data['period']}: {data['hours']} h")
                for p in data["people"]:
                    detail = (
                        f"verified {p['verified_hours']}, ranked {p['ranked_hours']},"
                        f" {p['services']} services"
                    )
                    self.stdout.write(f"{p['rank']:>3} {p['name']} {p['hours']} h ({detail})")
                return
            person = find_person(options["person"])
            try:
                cert = services.issue_certificate(person, person, period)
            except DomainError as exc:
                raise CommandError(str(exc.message)) from None
            pdf = documents.render_certificate_pdf(cert, verify_url(cert.token))
            if options["output"]:
                with open(options["output"], "wb") as fh:
                    fh.write(pdf)
                self.stdout.write(f"{options['output']} {cert.number}")
            else:
                sys.stdout.buffer.write(pdf)


def verify_url(token: str) -> str:
    from django.urls import reverse

    base = getattr(settings, "SITE_URL", "") or "http://localhost:8000"
    return base.rstrip("/") + reverse("volunteering:verify", args=[token])
