"""Printable documents of the lists: the claim agreement (项目认领书)."""

from __future__ import annotations

import base64

from django.utils import timezone, translation

from wulian.core.pdf import render_pdf
from wulian.lists.models import Agreement


def _data_url(file_field: object) -> str:
    with file_field.open("rb") as fh:  # type: ignore[attr-defined]
        return "data:image/png;base64," + base64.b64encode(fh.read()).decode()


def render_agreement(agreement: Agreement) -> bytes:
    project = agreement.project
    signatures = [
        {
            "side": s.get_side_display(),
            "name": s.typed_name,
            "at": s.signed_at,
            "image": _data_url(s.image) if s.image else "",
            "by_code": s.method == s.Method.SMS,
        }
        for s in sorted(agreement.signatures.all(), key=lambda s: s.side != "need")
    ]
    with translation.override("zh-hans"):
        return render_pdf(
            "lists/agreement_pdf.html",
            {
                "title": "项目认领书",
                "issuer": str(project.community),
                "subtitle": project.title,
                "reference": f"No. {project.pk:06d}",
                "agreement": agreement,
                "project": project,
                "need": project.need,
                "signatures": signatures,
                "generated_at": agreement.frozen_at or timezone.now(),
            },
        )
