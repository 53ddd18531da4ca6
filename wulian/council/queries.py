"""What the projector, the minutes, the command line and other apps read about councils."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max

from wulian.core.text import mask_name
from wulian.council import quorum, services
from wulian.council.models import CheckIn, Council, Meeting, Motion, Proxy, Resolution, VoteMark


@dataclass(frozen=True)
class CouncilSummary:
    id: int
    name: str
    compound: str
    open_topics: int
    upcoming_meetings: int


def councils_of(community: Any) -> list[CouncilSummary]:
    rows = (
        Council.objects.filter(community=community)
        .select_related("compound")
        .annotate(n_topics=Count("topics", distinct=True))
    )
    return [
        CouncilSummary(
            c.pk,
            c.name,
            c.compound.name if c.compound else "",
            c.topics.filter(state__in=["raised", "seconded", "agenda"]).count(),
            c.meetings.exclude(state=Meeting.State.CLOSED).count(),
        )
        for c in rows
    ]


def projector_version(meeting: Meeting) -> str:
    """Changes whenever someone checks in, a proxy is noted, a vote is cast or a motion moves."""
    checkins = CheckIn.objects.filter(meeting=meeting).aggregate(n=Count("id"), m=Max("id"))
    proxies = Proxy.objects.filter(meeting=meeting).count()
    marks = VoteMark.objects.filter(motion__meeting=meeting).aggregate(n=Count("id"), m=Max("id"))
    motions = list(Motion.objects.filter(meeting=meeting).values_list("id", "state"))
    raw = f"{meeting.state}|{checkins}|{proxies}|{marks}|{motions}"
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]


def projector_state(meeting: Meeting) -> dict[str, Any]:
    """Attendance and quorum now, and each motion's votes cast; results only once closed."""
    present = services.attendance(meeting)
    motions = []
    for motion in Motion.objects.filter(meeting=meeting).order_by("id"):
        entry: dict[str, Any] = {
            "id": motion.pk,
            "text": motion.text,
            "state": motion.state,
            "state_label": str(motion.get_state_display()),
            "votes_cast": motion.marks.count(),
        }
        if motion.state == Motion.State.CLOSED:
            result = services.motion_result(motion)
            entry.update(passed=result["passed"], explanation=result["explanation"])
        motions.append(entry)
    return {
        "meeting": {
            "id": meeting.pk,
            "title": meeting.title,
            "state": meeting.state,
            "state_label": str(meeting.get_state_display()),
        },
        **present.as_dict(),
        "rule": quorum.rule_label(meeting.rule),  # the rule's name, not its key
        "motions": motions,
    }


def minutes(meeting: Meeting) -> dict[str, Any]:
    """The meeting's record: attendance and quorum, agenda, motions, resolutions, signatures."""
    council = meeting.council
    present = services.attendance(meeting)
    agenda = [
        {"position": item.position, "topic": item.topic.title, "minutes": item.minutes}
        for item in meeting.agenda.select_related("topic")
    ]
    motions = []
    for motion in Motion.objects.filter(meeting=meeting).select_related("item__topic"):
        result = services.motion_result(motion)
        motions.append(
            {
                "id": motion.pk,
                "text": motion.text,
                "topic": motion.item.topic.title if motion.item else "",
                "method": motion.method,
                "method_label": str(motion.get_method_display()),
                "voting": motion.voting,
                "voting_label": str(motion.get_voting_display()),
                "secret": motion.secret,
                "state": motion.state,
                "counts": result["counts"],
                "base": result["base"],
                "threshold": result["threshold"],
                "passed": result["passed"] if motion.state == Motion.State.CLOSED else None,
                "explanation": result["explanation"],
            }
        )
    resolutions = [
        {
            "id": r.pk,
            "text": r.text,
            "owner": r.owner,
            "deadline": r.deadline.isoformat(),
            "state": r.state,
            "state_label": str(r.get_state_display()),
        }
        for r in Resolution.objects.filter(motion__meeting=meeting).order_by("id")
    ]
    return {
        "council": council.name,
        "meeting": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "place": meeting.place,
        "state": meeting.state,
        "rule": meeting.rule,
        "rule_label": quorum.rule_label(meeting.rule),
        "attendance": present.as_dict(),
        "agenda": agenda,
        "motions": motions,
        "resolutions": resolutions,
        "signatures": [
            {"role": s.role, "name": s.typed_name, "signed_at": s.signed_at.isoformat()}
            for s in meeting.signatures.all()
        ],
    }


def tally(meeting: Meeting) -> dict[str, Any]:
    """Each motion's counts, base, threshold and outcome (for `wulian council tally`)."""
    rows = []
    for motion in Motion.objects.filter(meeting=meeting).order_by("id"):
        result = services.motion_result(motion)
        rows.append(
            {
                "id": motion.pk,
                "motion": motion.text,
                "method": motion.method,
                "voting": motion.voting,
                "state": motion.state,
                "counts": result["counts"],
                "areas": result["areas"],
                "base": result["base"],
                "base_area": result["base_area"],
                "threshold": result["threshold"],
                "quorum": result["quorum"],
                "outcome": (
                    ("passed" if result["passed"] else "failed")
                    if motion.state == Motion.State.CLOSED
                    else "open"
                ),
                "explanation": result["explanation"],
            }
        )
    return {"meeting": meeting.title, "rule": meeting.rule, "motions": rows}


def masked(name: str) -> str:
    return mask_name(name)
