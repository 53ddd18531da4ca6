"""Printed material of a council: the meeting notice (with its check-in QR code), the minutes
(会议纪要) signed by the secretary and the chair, and a resolution's public notice (公示).
Everything people typed reaches the PDF through Django's escaping only."""

from __future__ import annotations

import base64

import segno
from django.utils import timezone, translation

from wulian.core.pdf import render_pdf
from wulian.council import queries, quorum
from wulian.council.models import Meeting, Resolution


def qr_data_uri(url: str) -> str:
    """A QR code for `url` as a PNG data URL: 6 pixels a module, the standard quiet zone."""
    return str(segno.make(url, error="m", micro=False).png_data_uri(scale=6, border=4))


def _data_url(file_field: object) -> str:
    with file_field.open("rb") as fh:  # type: ignore[attr-defined]
        return "data:image/png;base64," + base64.b64encode(fh.read()).decode()


def render_minutes_pdf(meeting: Meeting) -> bytes:
    with translation.override("zh-hans"):
        data = queries.minutes(meeting)
        signatures = [
            {
                "role": s.get_role_display(),
                "name": s.typed_name,
                "at": s.signed_at,
                "image": _data_url(s.image),
            }
            for s in meeting.signatures.order_by("role")
        ]
        return render_pdf(
            "council/pdf/minutes.html",
            {
                "title": f"{meeting.title} 会议纪要",
                "issuer": meeting.council.name,
                "subtitle": f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M}"
                f" · {meeting.place}",
                "generated_at": meeting.closed_at or meeting.starts_at,
                "data": data,
                "meeting": meeting,
                "signatures": signatures,
            },
        )


def render_notice_pdf(meeting: Meeting, checkin_url: str) -> bytes:
    with translation.override("zh-hans"):
        return render_pdf(
            "council/pdf/notice.html",
            {
                "title": f"{meeting.title} 会议通知",
                "issuer": meeting.council.name,
                "generated_at": meeting.noticed_at or meeting.starts_at,
                "meeting": meeting,
                "agenda": meeting.agenda.select_related("topic"),
                "rule": quorum.rule_label(meeting.rule),
                "qr": qr_data_uri(checkin_url),
            },
        )


def render_resolution_pdf(resolution: Resolution) -> bytes:
    from wulian.council import services

    with translation.override("zh-hans"):
        return render_pdf(
            "council/pdf/resolution.html",
            {
                "title": "决议公示",
                "issuer": resolution.council.name,
                "generated_at": resolution.published_at or resolution.created_at,
                "resolution": resolution,
                "result": services.motion_result(resolution.motion),
            },
        )
