"""Councils in the JSON API under /api/council/: the same services, rules and action tables as
the pages."""

from __future__ import annotations

import datetime
from dataclasses import replace
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from wulian.accounts.models import User
from wulian.core.actions import ActionTable
from wulian.core.bounds import Id
from wulian.core.text import mask_name
from wulian.council import queries, services
from wulian.council.actions import (
    MEETING_ACTIONS,
    MOTION_ACTIONS,
    RESOLUTION_ACTIONS,
    TOPIC_ACTIONS,
)
from wulian.council.models import Council, Meeting, Motion, Resolution, Topic
from wulian.council.rules import (
    get_council_for,
    get_meeting_for,
    get_motion_for,
    get_resolution_for,
    get_topic_for,
    visible_councils,
)

router = Router(tags=["council"])


class MemberOut(Schema):
    role: str
    name: str
    represents: str
    starts_on: datetime.date
    ends_on: datetime.date | None


class CouncilOut(Schema):
    id: int
    name: str
    community_id: int
    compound_id: int | None
    second_threshold: int


class CouncilDetailOut(CouncilOut):
    members: list[MemberOut]


class TopicOut(Schema):
    id: int
    council_id: int
    title: str
    text: str
    why: str
    state: str
    seconds: int
    raised_by: str
    dismissed_reason: str
    created_at: datetime.datetime
    need_id: int | None
    whistle_id: int | None


class TopicIn(Schema):
    title: str
    text: str
    why: str = ""
    need: Id | None = None
    whistle: Id | None = None


class TopicPatch(Schema):
    title: str | None = None
    text: str | None = None
    why: str | None = None
    need: Id | None = None
    whistle: Id | None = None


class MeetingIn(Schema):
    title: str
    starts_at: datetime.datetime
    place: str
    called: str = "households"
    rule: str = "residents_households"
    notice_days: int = 3


class MeetingOut(Schema):
    id: int
    council_id: int
    title: str
    starts_at: datetime.datetime
    place: str
    called: str
    rule: str
    notice_days: int
    state: str
    attendance: dict[str, Any]


class CheckInIn(Schema):
    token: str
    nonce: str


class CheckInOut(Schema):
    meeting_id: int
    created: bool
    message: str


class MotionOut(Schema):
    id: int
    meeting_id: int
    text: str
    method: str
    options: list[str]
    max_choices: int
    voting: str
    secret: bool
    special: bool
    state: str
    closes_at: datetime.datetime | None
    votes_cast: int
    result: dict[str, Any] | None


class ResolutionOut(Schema):
    id: int
    council_id: int
    motion_id: int
    text: str
    owner: str
    deadline: datetime.date
    notice_days: int
    state: str
    published_at: datetime.datetime | None
    notice_ends_at: datetime.datetime | None
    effective_at: datetime.datetime | None
    need_id: int | None
    whistle_id: int | None


class ActionIn(Schema):
    """What an action reads; each action takes the fields its page form has."""

    reason: str | None = None
    text: str | None = None
    comment: int | None = None
    meeting: int | None = None
    minutes: int | None = None
    choices: list[str] | None = None
    household: int | None = None
    person: int | None = None
    giver: int | None = None
    holder: int | None = None
    proof: str | None = None
    method: str | None = None
    options: list[str] | None = None
    max_choices: int | None = None
    voting: str | None = None
    secret: bool | None = True
    special: bool | None = None
    item: int | None = None
    owner: str | None = None
    deadline: datetime.date | None = None
    notice_days: int | None = None
    objection: int | None = None
    answer: str | None = None
    upheld: bool | None = None
    counts: dict[str, int] | None = None
    role: str | None = None
    typed_name: str | None = None
    drawing: str | None = None
    units: list[int] | None = None


def _data(payload: ActionIn) -> dict[str, Any]:
    data = payload.dict(exclude_none=True)
    for key, value in (data.pop("counts", None) or {}).items():
        data[f"count_{key}"] = value
    if "options" in data:
        data["options"] = "\n".join(data["options"])
    if data.get("secret") is False:
        data.pop("secret")
    return data


def _topic(topic: Topic) -> dict[str, Any]:
    return {
        "id": topic.pk,
        "council_id": topic.council_id,
        "title": topic.title,
        "text": topic.text,
        "why": topic.why,
        "state": topic.state,
        "seconds": topic.seconds.count(),
        "raised_by": mask_name(topic.raised_by.real_name),
        "dismissed_reason": topic.dismissed_reason,
        "created_at": topic.created_at,
        "need_id": topic.need_id,
        "whistle_id": topic.whistle_id,
    }


def _meeting(meeting: Meeting) -> dict[str, Any]:
    return {
        **{
            name: getattr(meeting, name)
            for name in ("title", "starts_at", "place", "called", "rule", "notice_days", "state")
        },
        "id": meeting.pk,
        "council_id": meeting.council_id,
        "attendance": services.attendance(meeting).as_dict(),
    }


def _motion(motion: Motion) -> dict[str, Any]:
    motion.refresh_from_db()
    return {
        **{
            name: getattr(motion, name)
            for name in (
                "text",
                "method",
                "max_choices",
                "voting",
                "secret",
                "special",
                "state",
                "closes_at",
            )
        },
        "id": motion.pk,
        "meeting_id": motion.meeting_id,
        "options": list(motion.options),
        "votes_cast": motion.marks.count(),
        "result": services.motion_result(motion) if motion.state == Motion.State.CLOSED else None,
    }


def _perform(
    table: ActionTable[Any], request: HttpRequest, obj: Any, action: str, payload: ActionIn
) -> Any:
    return table.perform(User.of(request), obj, action, _data(payload))


@router.get("/council/councils", response=list[CouncilOut])
def list_councils(request: HttpRequest) -> list[Council]:
    return list(visible_councils(User.of(request)).order_by("id"))


@router.get("/council/councils/{council_id}", response=CouncilDetailOut)
def get_council(request: HttpRequest, council_id: int) -> dict[str, Any]:
    council = get_council_for(User.of(request), council_id)
    return {
        "id": council.pk,
        "name": council.name,
        "community_id": council.community_id,
        "compound_id": council.compound_id,
        "second_threshold": council.second_threshold,
        "members": [
            {
                "role": m.role,
                "name": m.user.real_name,
                "represents": m.represents,
                "starts_on": m.starts_on,
                "ends_on": m.ends_on,
            }
            for m in council.members.select_related("user")
        ],
    }


@router.get("/council/councils/{council_id}/topics", response=list[TopicOut])
def list_topics(request: HttpRequest, council_id: int) -> list[dict[str, Any]]:
    council = get_council_for(User.of(request), council_id)
    return [_topic(t) for t in council.topics.select_related("raised_by")[:200]]


@router.post("/council/councils/{council_id}/topics", response={201: TopicOut})
def raise_topic(request: HttpRequest, council_id: int, payload: TopicIn) -> Status[Any]:
    user = User.of(request)
    council = get_council_for(user, council_id, "council.take_part")
    topic = services.raise_topic(user, council, services.TopicInput(**payload.dict()))
    return Status(201, _topic(topic))


@router.get("/council/topics/{topic_id}", response=TopicOut)
def get_topic(request: HttpRequest, topic_id: int) -> dict[str, Any]:
    return _topic(get_topic_for(User.of(request), topic_id))


@router.patch("/council/topics/{topic_id}", response=TopicOut, summary="Edit a topic")
def edit_topic(request: HttpRequest, topic_id: int, payload: TopicPatch) -> dict[str, Any]:
    """Only what is sent changes (send `need: null` to unlink the need); who raised it may
    edit it until someone seconds it, the council's moderators while it is open."""
    user = User.of(request)
    topic = get_topic_for(user, topic_id)
    data = replace(services.TopicInput.from_topic(topic), **payload.dict(exclude_unset=True))
    return _topic(services.edit_topic(user, topic, data))


@router.post("/council/topics/{topic_id}/{action}", response=TopicOut)
def topic_action(
    request: HttpRequest, topic_id: int, action: str, payload: ActionIn
) -> dict[str, Any]:
    """second, comment (text), hide (comment, reason), agenda (meeting, minutes), dismiss
    (reason): the same actions as the page's buttons."""
    topic = get_topic_for(User.of(request), topic_id)
    _perform(TOPIC_ACTIONS, request, topic, action, payload)
    topic.refresh_from_db()
    return _topic(topic)


@router.post("/council/councils/{council_id}/meetings", response={201: MeetingOut})
def schedule_meeting(request: HttpRequest, council_id: int, payload: MeetingIn) -> Status[Any]:
    user = User.of(request)
    council = get_council_for(user, council_id, "council.run_council")
    meeting = services.schedule_meeting(user, council, services.MeetingInput(**payload.dict()))
    return Status(201, _meeting(meeting))


@router.get("/council/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _meeting(get_meeting_for(User.of(request), meeting_id))


@router.get("/council/meetings/{meeting_id}/tally")
def get_tally(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return queries.tally(get_meeting_for(User.of(request), meeting_id))


@router.get("/council/meetings/{meeting_id}/minutes")
def get_minutes(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return queries.minutes(get_meeting_for(User.of(request), meeting_id))


@router.post("/council/meetings/{meeting_id}/check-in", response=CheckInOut)
def check_in(request: HttpRequest, meeting_id: int, payload: CheckInIn) -> dict[str, Any]:
    user = User.of(request)
    meeting = get_meeting_for(user, meeting_id)
    result = services.check_in(user, meeting, nonce=payload.nonce, token=payload.token)
    return {
        "meeting_id": meeting.pk,
        "created": result.created,
        "message": _("Checked in. Welcome!")
        if result.created
        else _("You are already checked in."),
    }


@router.get("/council/meetings/{meeting_id}/motions", response=list[MotionOut])
def list_motions(request: HttpRequest, meeting_id: int) -> list[dict[str, Any]]:
    meeting = get_meeting_for(User.of(request), meeting_id)
    return [_motion(m) for m in meeting.motions.order_by("id")]


@router.post("/council/meetings/{meeting_id}/{action}", response=MeetingOut)
def meeting_action(
    request: HttpRequest, meeting_id: int, action: str, payload: ActionIn
) -> dict[str, Any]:
    """notice, open, close, check-in-person (person), proxy (giver, holder, proof), motion
    (text, method, options, max_choices, voting, secret, special, item), sign (role,
    typed_name, drawing)."""
    meeting = get_meeting_for(User.of(request), meeting_id)
    _perform(MEETING_ACTIONS, request, meeting, action, payload)
    meeting.refresh_from_db()
    return _meeting(meeting)


@router.get("/council/motions/{motion_id}", response=MotionOut)
def get_motion(request: HttpRequest, motion_id: int) -> dict[str, Any]:
    return _motion(get_motion_for(User.of(request), motion_id))


@router.post("/council/motions/{motion_id}/{action}", response=MotionOut)
def motion_action(
    request: HttpRequest, motion_id: int, action: str, payload: ActionIn
) -> dict[str, Any]:
    """vote (choices, household), open (minutes), close, tally (counts), confirm, resolve
    (text, owner, deadline, notice_days)."""
    motion = get_motion_for(User.of(request), motion_id)
    _perform(MOTION_ACTIONS, request, motion, action, payload)
    return _motion(motion)


def _resolution(resolution: Resolution) -> Resolution:
    resolution.refresh_from_db()
    return resolution


@router.get("/council/resolutions/{resolution_id}", response=ResolutionOut)
def get_resolution(request: HttpRequest, resolution_id: int) -> Resolution:
    return get_resolution_for(User.of(request), resolution_id)


@router.post("/council/resolutions/{resolution_id}/{action}", response=ResolutionOut)
def resolution_action(
    request: HttpRequest, resolution_id: int, action: str, payload: ActionIn
) -> Resolution:
    """publish, object (reason), answer (objection, answer, upheld), done, need."""
    resolution = get_resolution_for(User.of(request), resolution_id)
    _perform(RESOLUTION_ACTIONS, request, resolution, action, payload)
    return _resolution(resolution)
