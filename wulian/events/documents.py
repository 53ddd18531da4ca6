"""Printed material for an event (posters, cards) and its report as PDF and .xlsx.

Each poster carries a QR code that opens the need's claim page; the code is a PNG embedded as a
data URL, so the PDF holds the exact raster segno drew.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wulian.core.pdf import render_pdf
from wulian.events.models import ReleaseEvent
from wulian.events.reports import Report, raiser_label, sentence
from wulian.lists.models import Need

POSTER_KINDS = ("cards", "poster", "table-cards")
UrlBuilder = Callable[[str], str]


def claim_path(need: Need) -> str:
    return reverse("lists:claim", args=[need.pk])


def qr_data_uri(url: str) -> str:
    """A QR code for `url` as a PNG data URL: 6 pixels a module, the standard quiet zone."""
    return str(segno.make(url, error="m", micro=False).png_data_uri(scale=6, border=4))


def poster_items(needs: list[Need], absolute: UrlBuilder) -> list[dict[str, Any]]:
    items = []
    for need in needs:
        url = absolute(claim_path(need))
        items.append(
            {
                "need": need,
                "title": need.title,
                "description": need.description,
                "raiser": raiser_label(need),
                "slots_left": need.slots_left,
                "url": url,
                "qr": qr_data_uri(url),
            }
        )
    return items


def render_posters(
    kind: str, event: ReleaseEvent, needs: list[Need], absolute: UrlBuilder
) -> bytes:
    """`cards`: four cards to an A4 page; `poster`: the whole list on A3; `table-cards`."""
    template = {
        "cards": "events/pdf/cards.html",
        "poster": "events/pdf/poster.html",
        "table-cards": "events/pdf/table_cards.html",
    }[kind]
    items = poster_items(needs, absolute)
    return render_pdf(
        template,
        {
            "title": event.title,
            "event": event,
            "items": items,
            "pages": [items[i : i + 4] for i in range(0, len(items), 4)],
            "grid": poster_grid(len(items)),
            "generated_at": event.starts_at,
        },
    )


# The A3 poster's grid area below its title, in millimetres.
POSTER_WIDTH, POSTER_HEIGHT = 273.0, 345.0


def poster_grid(count: int) -> dict[str, float]:
    """Cells that fill the A3 poster: as few columns as give each need the largest square
    (three needs get a QR code a phone reads from across the hall); from 21 needs on, five
    columns of four rows a page."""
    if count > 20:
        columns, rows = 5, 4
    else:
        columns = max(
            range(1, 6),
            key=lambda c: (min(POSTER_WIDTH / c, POSTER_HEIGHT / -(-max(count, 1) // c)), -c),
        )
        rows = -(-max(count, 1) // columns)
    width, height = POSTER_WIDTH / columns, POSTER_HEIGHT / rows
    side = min(width, height)
    return {
        "width": round(width - 0.1, 1),
        "height": round(height - 0.1, 1),
        "qr": round(side * 0.55, 1),
        "title": round(max(10.0, min(28.0, side / 5.5)), 1),
        "text": round(max(7.5, min(16.0, side / 8.5)), 1),
    }


def render_report_pdf(report: Report) -> bytes:
    return render_pdf(
        "events/pdf/report.html",
        {
            "title": _("Report of %(event)s") % {"event": report.event.title},
            "subtitle": report.event.place,
            "issuer": ", ".join(c.name for c in report.event.communities.all()),
            "generated_at": report.event.closed_at or timezone.now(),
            "report": report,
            "sentence": sentence(report),
            "rows": report.rows(),
            "kinds": report.kinds(),
        },
    )


def render_report_xlsx(report: Report) -> bytes:
    """Two sheets: the summary with the counts by kind, and one row per need."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from wulian.core.sheets import xlsx_append
    from wulian.lists.models import PartyKind

    data = report.as_json()
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    xlsx_append(summary, [report.event.title])
    summary["A1"].font = Font(bold=True, size=14)
    xlsx_append(summary, [data["sentence"]])
    summary["A2"].alignment = Alignment(wrap_text=True)
    xlsx_append(summary, [])
    for label, value in (
        (_("Needs released"), data["needs"]),
        (_("Claimed"), data["claimed"]),
        (_("Unclaimed"), data["unclaimed"]),
        (_("Agreements signed"), data["agreements_signed"]),
    ):
        xlsx_append(summary, [label, value])
    xlsx_append(summary, [])
    xlsx_append(summary, [_("Kind"), _("Raisers"), _("Claimants")])
    for cell in summary[summary.max_row]:
        cell.font = Font(bold=True)
    for kind in data["raisers_by_kind"]:
        xlsx_append(
            summary,
            [
                str(PartyKind(kind).label),
                data["raisers_by_kind"][kind],
                data["claimants_by_kind"][kind],
            ],
        )
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["B"].width = 12
    summary.column_dimensions["C"].width = 12

    sheet = workbook.create_sheet(_("Needs")[:31])
    xlsx_append(
        sheet,
        [_("Need"), _("Title"), _("Raised by"), _("Raiser kind"), _("Slots"), _("Claimed by")],
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in report.rows():
        need = row["need"]
        xlsx_append(
            sheet,
            [
                need.pk,
                need.title,
                row["raiser"],
                row["raiser_kind"],
                need.slots,
                "、".join(row["claimants"]),
            ],
        )
    for column, width in zip("ABCDEF", (8, 40, 30, 14, 8, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
