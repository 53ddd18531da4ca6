from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wulian.activities import services
from wulian.activities.models import Service
from wulian.core.text import fold


def find_service(name: str) -> Service:
    """A service by its number or its title (simplified or traditional)."""
    if name.isdigit():
        found = Service.objects.filter(pk=int(name)).first()
        if found is not None:
            return found
    wanted = fold(name.strip())
    matches = [s for s in Service.objects.all() if fold(s.title) == wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise CommandError(f"{len(matches)} services are called {name!r}; give the number.")
    raise CommandError(f"No service is called {name!r}.")


class Command(BaseCommand):
    help = "Convenience services: `wulian services list` and `wulian services slots`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="every service with its next free slot")
        listing.add_argument("--format", choices=["json", "table"], default="table")
        slots = sub.add_parser("slots", help="a service's slots on a day")
        slots.add_argument("service", help="the service's number or title")
        slots.add_argument("--date", required=True, help="YYYY-MM-DD")
        slots.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            rows = []
            for service in Service.objects.filter(is_active=True).select_related("provider"):
                slot = services.next_free_slot(service)
                rows.append(
                    {
                        "id": service.pk,
                        "title": service.title,
                        "provider": service.provider.name,
                        "next_free_slot": slot.starts_at.isoformat() if slot else None,
                    }
                )
            if options["format"] == "json":
                self.stdout.write(json.dumps({"services": rows}, ensure_ascii=False, indent=2))
            else:
                for row in rows:
                    self.stdout.write(f"{row['id']:>4}  {row['title']}  {row['next_free_slot']}")
            return
        service = find_service(options["service"])
        try:
            day = datetime.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"--date: {options['date']!r} is not YYYY-MM-DD.") from exc
        slots = services.slots_on(service, day)
        if options["format"] == "json":
            payload = {
                "service": {"id": service.pk, "title": service.title},
                "date": day.isoformat(),
                "slots": [
                    {
                        "starts_at": s.starts_at.isoformat(),
                        "ends_at": s.ends_at.isoformat(),
                        "seats": s.seats,
                        "taken": s.taken,
                        "free": s.free,
                    }
                    for s in slots
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        if not slots:
            self.stdout.write(f"{service.title}: no slots on {day.isoformat()}")
        for s in slots:
            self.stdout.write(f"{timezone.localtime(s.starts_at):%H:%M}  {s.free}/{s.seats} free")
