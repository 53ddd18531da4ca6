"""The council in the API: the same actions and refusals as the pages."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wulian.council import services
from wulian.council.actions import (
    MEETING_ACTIONS,
    MOTION_ACTIONS,
    RESOLUTION_ACTIONS,
    TOPIC_ACTIONS,
)
from wulian.council.models import AgendaItem, Motion, Topic, VoteMark


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_a_whole_meeting_through_the_api(cw):
    chair = client_for(cw.chair)
    resident = client_for(cw.world["resident"])
    raised = post(
        resident,
        f"/api/council/councils/{cw.council.pk}/topics",
        {"title": "新装电梯", "text": "3栋"},
    )
    assert raised.status_code == 201, raised.content
    topic_id = raised.json()["id"]
    assert raised.json()["raised_by"] == "居**"
    created = post(
        chair,
        f"/api/council/councils/{cw.council.pk}/meetings",
        {
            "title": "议事会",
            "starts_at": (timezone.now() + datetime.timedelta(minutes=30)).isoformat(),
            "place": "中心广场",
            "notice_days": 0,
        },
    )
    assert created.status_code == 201, created.content
    meeting_id = created.json()["id"]
    agenda = post(
        chair, f"/api/council/topics/{topic_id}/agenda", {"meeting": meeting_id, "minutes": 20}
    )
    assert agenda.json()["state"] == "agenda"
    assert post(chair, f"/api/council/meetings/{meeting_id}/notice").json()["state"] == "noticed"
    assert post(chair, f"/api/council/meetings/{meeting_id}/open").json()["state"] == "open"
    token = cw.council.meetings.get(pk=meeting_id).checkin_token
    for voter in cw.voters[:3]:
        c = client_for(voter)
        first = post(
            c,
            f"/api/council/meetings/{meeting_id}/check-in",
            {"token": token, "nonce": f"n{voter.pk}"},
        )
        assert first.json()["created"] is True
    again = post(
        c, f"/api/council/meetings/{meeting_id}/check-in", {"token": token, "nonce": "other"}
    )
    assert again.json() == {"meeting_id": meeting_id, "created": False, "message": "您已签到。"}
    meeting = chair.get(f"/api/council/meetings/{meeting_id}").json()
    assert meeting["attendance"]["quorum"] is True
    added = post(
        chair,
        f"/api/council/meetings/{meeting_id}/motion",
        {
            "text": "选择电梯品牌",
            "method": "one_of",
            "options": ["甲", "乙"],
            "voting": "online",
            "item": AgendaItem.objects.get().pk,
        },
    )
    assert added.status_code == 200, added.content
    motion = Motion.objects.get()
    assert motion.options == ["甲", "乙"] and motion.secret
    assert (
        post(chair, f"/api/council/motions/{motion.pk}/open", {"minutes": 5}).json()["state"]
        == "open"
    )
    for voter in cw.voters[:3]:
        voted = post(
            client_for(voter), f"/api/council/motions/{motion.pk}/vote", {"choices": ["甲"]}
        )
        assert voted.status_code == 200, voted.content
        assert voted.json()["result"] is None  # hidden until the ballot closes
    twice = post(
        client_for(cw.voters[0]), f"/api/council/motions/{motion.pk}/vote", {"choices": ["乙"]}
    )
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "vote.already"
    closed = post(chair, f"/api/council/motions/{motion.pk}/close").json()
    assert closed["result"]["passed"] is True and closed["result"]["chosen"] == ["甲"]
    late = post(
        client_for(cw.voters[3]), f"/api/council/motions/{motion.pk}/vote", {"choices": ["乙"]}
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "vote.closed"
    tally = chair.get(f"/api/council/meetings/{meeting_id}/tally").json()
    assert tally["motions"][0]["outcome"] == "passed"
    deadline = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    resolved = post(
        chair,
        f"/api/council/motions/{motion.pk}/resolve",
        {"text": "选用甲品牌电梯", "owner": "物业", "deadline": deadline, "notice_days": 7},
    )
    assert resolved.status_code == 200, resolved.content
    resolution = motion.resolution
    published = post(chair, f"/api/council/resolutions/{resolution.pk}/publish").json()
    assert published["state"] == "notice" and published["notice_ends_at"]
    assert Topic.objects.get(pk=topic_id).state == "decided"


def test_bad_input_gets_a_clear_error_and_writes_nothing(cw):
    meeting = cw.open_meeting()
    cw.check_in(meeting, cw.voters[0])
    chair = client_for(cw.chair)
    bad = post(
        chair,
        f"/api/council/meetings/{meeting.pk}/motion",
        {"text": "", "method": "yes_no", "voting": "online"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert "表决事项" in bad.json()["error"]["message"]
    assert not Motion.objects.exists()
    m = services.add_motion(cw.chair, meeting, services.MotionInput(text="举手", voting="hands"))
    secretary = client_for(cw.secretary)
    over = post(secretary, f"/api/council/motions/{m.pk}/tally", {"counts": {"yes": 5}})
    assert over.status_code == 400 and over.json()["error"]["code"] == "tally.exceeds_present"
    wrong = post(
        client_for(cw.world["outsider"]),
        f"/api/council/meetings/{meeting.pk}/check-in",
        {"token": meeting.checkin_token, "nonce": "x"},
    )
    assert wrong.status_code == 404
    assert not VoteMark.objects.exists()


def test_the_council_is_in_the_openapi_document(cw):
    schema = client_for(cw.chair).get("/api/openapi.json").json()
    assert "/api/council/councils" in schema["paths"]
    assert "/api/council/motions/{motion_id}/{action}" in schema["paths"]


@pytest.mark.parametrize(
    ("table", "name"),
    [(TOPIC_ACTIONS, n) for n in TOPIC_ACTIONS.names()]
    + [(MEETING_ACTIONS, n) for n in MEETING_ACTIONS.names()]
    + [(MOTION_ACTIONS, n) for n in MOTION_ACTIONS.names()]
    + [(RESOLUTION_ACTIONS, n) for n in RESOLUTION_ACTIONS.names()],
)
def test_every_action_of_a_page_has_a_url(table, name):
    kind = {
        id(TOPIC_ACTIONS): "topic",
        id(MEETING_ACTIONS): "meeting",
        id(MOTION_ACTIONS): "motion",
        id(RESOLUTION_ACTIONS): "resolution",
    }[id(table)]
    assert reverse(f"council:{kind}_action", args=[1, name])


def test_a_topic_is_edited_in_part_through_the_api(cw):
    resident = client_for(cw.world["resident"])
    topic = services.raise_topic(
        cw.world["resident"],
        cw.council,
        services.TopicInput(title="加装电悌", text="老人上下楼难", why="方便"),
    )
    url = f"/api/council/topics/{topic.pk}"
    done = resident.patch(url, {"title": "加装电梯"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["title"] == "加装电梯"
    topic.refresh_from_db()
    assert (topic.text, topic.why) == ("老人上下楼难", "方便")
    empty = resident.patch(url, {"text": ""}, content_type="application/json")
    assert empty.status_code == 400
    topic.refresh_from_db()
    assert topic.text == "老人上下楼难"
    other = client_for(cw.voters[0]).patch(url, {"title": "x"}, content_type="application/json")
    assert other.status_code == 403
