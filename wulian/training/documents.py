"""A member's yearly study record (党员学习档案) as PDF and .xlsx. Everything people typed
reaches the PDF through Django's escaping and the workbook through core.sheets."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wulian.core.pdf import render_pdf
from wulian.lists.spreadsheets import Cell, render_xlsx
from wulian.training.queries import OrgProgress, StudyRecord


def render_record_pdf(record: StudyRecord) -> bytes:
    with translation.override("zh-hans"):
        return render_pdf(
            "training/pdf/record.html",
            {
                "title": f"{record.year}年度党员学习档案",
                "issuer": record.organization,
                "subtitle": f"{record.name} · {record.role}",
                "generated_at": timezone.now(),
                "record": record,
            },
        )


def record_rows(record: StudyRecord) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [
            _("Date"),
            _("Session"),
            _("Kind"),
            _("Organisers"),
            _("Place or link"),
            _("How"),
            _("Rule"),
            _("Study hours"),
        ]
    ]
    for row in record.rows:
        rows.append(
            [
                row.date,
                row.title,
                row.kind,
                row.organisers,
                row.place,
                row.method,
                row.rule,
                float(row.hours),
            ]
        )
    rows.append([_("Total"), "", "", "", "", "", "", float(record.total)])
    rows.append([_("Required"), "", "", "", "", "", "", record.required])
    return rows


def render_record_xlsx(record: StudyRecord) -> bytes:
    return render_xlsx(record_rows(record), title=f"{record.name} {record.year}")


def progress_rows(progress: OrgProgress) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [
            _("Name"),
            _("Role"),
            _("Required"),
            _("Study hours"),
            _("Sessions"),
            _("Due by now"),
            _("Behind"),
            _("Service hours"),
        ]
    ]
    for m in progress.members:
        rows.append(
            [
                m.name,
                m.role_label,
                m.required,
                float(m.hours),
                m.sessions,
                float(round(m.expected, 1)),
                _("yes") if m.behind else "",
                float(m.service_hours),
            ]
        )
    return rows


def render_progress_xlsx(progress: OrgProgress) -> bytes:
    return render_xlsx(progress_rows(progress), title=str(progress.year))
