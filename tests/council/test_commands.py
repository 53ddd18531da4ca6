"""`wulian council tally` and `wulian council minutes`."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from wulian.council import services


def held(cw):
    meeting = cw.open_meeting()
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    motion = services.add_motion(cw.chair, meeting, services.MotionInput(text="拆除地锁"))
    services.open_ballot(cw.chair, motion, timezone.now() + datetime.timedelta(minutes=5))
    for voter, choice in zip(cw.voters[:3], ["yes", "yes", "abstain"], strict=True):
        services.cast_vote(voter, motion, [choice])
    services.close_ballot(cw.chair, motion)
    return meeting


def test_tally_prints_counts_base_threshold_and_outcome(cw):
    meeting = held(cw)
    out = io.StringIO()
    call_command("council", "tally", str(meeting.pk), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    [row] = data["motions"]
    assert row["counts"] == {"yes": 2, "no": 0, "abstain": 1}
    assert row["base"] == 3
    assert row["threshold"] == "过半数"
    assert row["outcome"] == "passed"


def test_minutes_as_json_and_pdf(cw, tmp_path):
    meeting = held(cw)
    out = io.StringIO()
    call_command("council", "minutes", str(meeting.pk), "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["attendance"]["households_present"] == 3
    assert data["motions"][0]["passed"] is True
    target = tmp_path / "minutes.pdf"
    call_command(
        "council", "minutes", str(meeting.pk), "--format", "pdf", "-o", str(target), stdout=out
    )
    assert target.read_bytes().startswith(b"%PDF")


def test_an_unknown_meeting_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No meeting"):
        call_command("council", "tally", "999")
