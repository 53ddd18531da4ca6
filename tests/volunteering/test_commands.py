"""`wulian hours summary` and `wulian hours certificate` from the command line."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from tests.volunteering.conftest import at
from wulian.volunteering.models import Certificate


@pytest.fixture
def served(ledger):
    activity = ledger.activity(at(3, 7, 9))
    ledger.serve(ledger.volunteer, activity, 90)
    ledger.serve(ledger.second, ledger.activity(at(3, 14, 9), title="助老送餐"), 60)
    return ledger


def test_the_summary_ranks_the_communitys_volunteers(served, capsys):
    call_command("hours", "summary", "--community", "江汉北路社区", "--period", "2026-Q1")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "江汉北路社区 2026-Q1: 2.50 h"
    assert "  1 居民甲 1.50 h" in out and "  2 李叔叔 1.00 h" in out
    call_command(
        "hours", "summary", "--community", "江汉北路社区", "--period", "2026-04", "--format", "json"
    )
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == "2026-04" and data["people"] == [] and data["hours"] == "0"


def test_the_commands_refuse_what_they_cannot_find(served):
    with pytest.raises(CommandError):
        call_command("hours", "summary", "--community", "无此社区", "--period", "2026")
    with pytest.raises(CommandError, match="2026-Q2"):
        call_command("hours", "summary", "--community", "江汉北路社区", "--period", "26年")
    with pytest.raises(CommandError):
        call_command("hours", "certificate", "13999999999", "--period", "2026")
    with pytest.raises(CommandError):
        call_command("hours", "certificate", "居民甲", "--period", "2025", "-o", "/dev/null")


def test_the_certificate_command_finds_the_person_by_name(served, tmp_path, capsys):
    out = tmp_path / "c.pdf"
    call_command("hours", "certificate", "李叔叔", "--period", "2026", "-o", str(out))
    cert = Certificate.objects.get()
    assert capsys.readouterr().out.strip() == f"{out} {cert.number}"
    assert out.read_bytes().startswith(b"%PDF") and cert.hours == 1
