"""What leaves the site as files: the organisers' sign-up list (.xlsx) and iCalendar feeds.

The .ics is written by hand (RFC 5545: CRLF lines folded at 75 octets, text escaped) and
checked in the tests by parsing it back with the `icalendar` library.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from wulian.activities.models import Activity, ServiceBooking, SignUp
from wulian.core.text import mask_mobile
from wulian.lists.spreadsheets import Cell, render_xlsx


def signup_rows(activity: Activity, *, full_numbers: bool = False) -> list[list[Cell]]:
    """One row per sign-up, for the organisers: mobile numbers masked unless they ask for the
    full ones (which `services.export_signups` records)."""
    rows: list[list[Cell]] = [
        [
            _("Name"),
            _("Mobile"),
            _("As"),
            _("Task"),
            _("State"),
            _("Signed up"),
            _("Checked in"),
            _("Checked out"),
            _("Hours"),
            _("No-show"),
            _("Rating"),
        ]
    ]
    signups = activity.signups.select_related("person").order_by("role", "created_at", "id")
    for s in signups:
        rows.append(
            [
                s.person.real_name,
                s.person.mobile if full_numbers else mask_mobile(s.person.mobile),
                s.get_role_display(),
                s.task,
                s.get_state_display(),
                _stamp(s.created_at),
                _stamp(s.checked_in_at),
                _stamp(s.checked_out_at),
                s.hours or "",
                _("yes") if s.no_show else "",
                s.rating or "",
            ]
        )
    return rows


def _stamp(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def render_signups_xlsx(activity: Activity, *, full_numbers: bool = False) -> bytes:
    return render_xlsx(signup_rows(activity, full_numbers=full_numbers), title=_("Sign-ups"))


def masked_mobile(signup: SignUp) -> str:
    return mask_mobile(signup.person.mobile)


# ------------------------------------------------------------------ iCalendar


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (whole chars)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > 75:
            out.append(current.decode("utf-8"))
            current = b" "
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _host() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    return hosts[0] if hosts else "wulian.local"


def render_ics(
    name: str,
    activities: Iterable[Activity] = (),
    bookings: Iterable[ServiceBooking] = (),
    base_url: str = "",
) -> bytes:
    now = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Wulian//Activities//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    host = _host()
    for activity in activities:
        lines += [
            "BEGIN:VEVENT",
            f"UID:activity-{activity.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(activity.starts_at)}",
            f"DTEND:{_utc(activity.ends_at)}",
            f"SUMMARY:{_escape(activity.title)}",
            f"DESCRIPTION:{_escape(activity.description)}",
            f"LOCATION:{_escape(activity.where)}",
            "STATUS:"
            + ("CANCELLED" if activity.state == Activity.State.CANCELLED else "CONFIRMED"),
        ]
        if base_url:
            lines.append(f"URL:{base_url}{activity.get_absolute_url()}")
        lines.append("END:VEVENT")
    for booking in bookings:
        service = booking.service
        end = booking.starts_at + datetime.timedelta(minutes=service.slot_minutes)
        lines += [
            "BEGIN:VEVENT",
            f"UID:service-booking-{booking.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(booking.starts_at)}",
            f"DTEND:{_utc(end)}",
            f"SUMMARY:{_escape(service.title)}",
            f"LOCATION:{_escape(service.where)}",
            "STATUS:CONFIRMED",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
