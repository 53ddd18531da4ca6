"""Printed and exported material of the ledger: the certificate (志愿服务证明) with its QR code,
the honour roll on A3 for the culture wall, and the .xlsx export of a body's records for upload
to the national volunteer system (全国志愿服务信息系统).

The export's format is `EXPORT_COLUMNS`, the one place its columns are mapped: one row per
service record with its corrections folded in (records whose corrections bring them to zero
are left out), in date order. The national system asks for an ID number; the platform holds
none, so the volunteer's mobile number stands in (证件类型 "手机号码"), as the system's bulk
import accepts for volunteers registered by mobile.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from django.utils import timezone, translation

from wulian.core.pdf import render_pdf
from wulian.core.sheets import xlsx_append
from wulian.core.text import mask_mobile
from wulian.orgs.models import Organization
from wulian.places.models import Region
from wulian.volunteering import services
from wulian.volunteering.models import Certificate, VolunteerRecord
from wulian.volunteering.services import Period, RollRow


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m", micro=False).png_data_uri(scale=6, border=4))


def render_certificate_pdf(cert: Certificate, verify_url: str) -> bytes:
    person = cert.person
    with translation.override("zh-hans"):
        return render_pdf(
            "volunteering/pdf/certificate.html",
            {
                "title": "志愿服务证明",
                "issuer": cert.issuer.name,
                "reference": cert.number,
                "generated_at": cert.issued_at,
                "cert": cert,
                "name": person.real_name,
                "masked_id": mask_mobile(person.mobile),
                "lines": cert.lines,
                "handler": cert.handled_by.real_name if cert.handled_by else "",
                "qr": qr_data_uri(verify_url),
                "verify_url": verify_url,
            },
        )


def render_roll_pdf(community: Region, period: Period, rows: list[RollRow]) -> bytes:
    with translation.override("zh-hans"):
        return render_pdf(
            "volunteering/pdf/roll.html",
            {
                "title": "社区群英榜",
                "issuer": community.name,
                "subtitle": period.key,
                "generated_at": timezone.now(),
                "rows": rows,
            },
        )


@dataclass(frozen=True)
class ExportRow:
    record: VolunteerRecord
    hours: Decimal


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[ExportRow], Any]


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


SOURCE_LABELS = {"activity": "系统签到", "project": "项目上报", "manual": "手工录入"}

#: The columns of the export, in order: the national system's template headers and where each
#: value comes from. Change them here only.
EXPORT_COLUMNS: list[Column] = [
    Column("记录编号", lambda row: row.record.pk),
    Column("志愿者姓名", lambda row: row.record.person.real_name),
    Column("证件类型", lambda row: "手机号码"),
    Column("证件号码", lambda row: row.record.person.mobile),
    Column("服务项目名称", lambda row: row.record.service),
    Column("服务地点", lambda row: row.record.place),
    Column("服务日期", lambda row: row.record.date),
    Column("服务开始时间", lambda row: _local(row.record.started_at)),
    Column("服务结束时间", lambda row: _local(row.record.ended_at)),
    Column("服务时长（小时）", lambda row: float(row.hours)),
    Column("组织名称", lambda row: row.record.organization.name),
    Column("记录来源", lambda row: SOURCE_LABELS.get(row.record.source, row.record.source)),
    Column(
        "记录人", lambda row: row.record.recorded_by.real_name if row.record.recorded_by else "系统"
    ),
    Column(
        "确认人",
        lambda row: row.record.confirmed_by.real_name if row.record.confirmed_by else "系统核验",
    ),
]


def export_rows(body: Organization, period: Period) -> list[ExportRow]:
    records = services.counted_records(period, body=body)
    net: dict[int, Decimal] = {}
    first: dict[int, VolunteerRecord] = {}
    for r in records:
        origin = r.corrects_id or r.pk
        net[origin] = net.get(origin, Decimal(0)) + r.hours
        if r.corrects_id is None:
            first[origin] = r
    return [ExportRow(r, net[pk]) for pk, r in first.items() if net[pk] != 0]


def render_records_xlsx(body: Organization, period: Period) -> bytes:
    from openpyxl import Workbook

    rows = export_rows(body, period)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "志愿服务记录"
    xlsx_append(sheet, [c.header for c in EXPORT_COLUMNS])
    for row in rows:
        xlsx_append(sheet, [c.value(row) for c in EXPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
