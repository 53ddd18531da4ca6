from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from wulian.dashboards import services

pytestmark = pytest.mark.django_db


def test_recompute_rebuilds_the_rollups(lived: Any):
    out = io.StringIO()
    call_command("dashboards", "recompute", stdout=out)
    assert "communities" in out.getvalue()


def test_the_monthly_report_command_writes_every_indicator_by_key(lived: Any, tmp_path: Path):
    services.rebuild()
    out = io.StringIO()
    call_command(
        "report", "monthly", "--community", "江漢北路社區", "--month", "2026-10", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["month"] == "2026-10"
    assert data["indicators"]["lists.needs_raised"]["value"] == 2
    assert data["indicators"]["whistle.response_rate"]["value"] == 1
    target = tmp_path / "report.xlsx"
    call_command(
        "report",
        "monthly",
        "--region",
        "西马街道",
        "--month",
        "2026-10",
        "--format",
        "xlsx",
        "-o",
        str(target),
        stdout=io.StringIO(),
    )
    assert target.read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError):
        call_command("report", "monthly", "--community", "江汉北路社区", "--month", "2026-13")
