"""The council's pages through the test client, as residents and the secretary use them."""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone, translation

from wulian.council import services
from wulian.council.models import CheckIn, Meeting, Motion, Resolution, Topic, VoteMark

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_resident_raises_seconds_and_discusses_a_topic_in_chinese(cw, client):
    client.force_login(cw.world["resident"])
    page = client.get(f"/council/{cw.council.pk}/")
    assert "提出议题" in page.content.decode()
    bad = client.post(f"/council/{cw.council.pk}/topics/new/", {"title": "", "text": "x"})
    assert bad.status_code == 200 and not Topic.objects.exists()
    done = client.post(
        f"/council/{cw.council.pk}/topics/new/",
        {"title": "加装电梯", "text": "3栋老人上下楼难", "why": "方便老人"},
    )
    topic = Topic.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/council/topics/{topic.pk}/"
    client.force_login(cw.voters[0])
    client.post(f"/council/topics/{topic.pk}/second/")
    client.post(f"/council/topics/{topic.pk}/comment/", {"text": "<b>支持</b>"})
    again = client.post(f"/council/topics/{topic.pk}/second/", follow=True)
    body = again.content.decode()
    assert "您已附议过该议题" in body
    assert "&lt;b&gt;支持&lt;/b&gt;" in body
    assert topic.seconds.count() == 1


def test_an_empty_comment_says_which_field_and_writes_nothing(cw, client):
    topic = services.raise_topic(
        cw.world["resident"], cw.council, services.TopicInput(title="t", text="x")
    )
    client.force_login(cw.voters[0])
    page = client.post(f"/council/topics/{topic.pk}/comment/", {"text": ""}, follow=True)
    assert "评论" in page.content.decode()
    assert not topic.comments.exists()


def test_the_secretary_plans_a_meeting_and_residents_check_in_by_qr(cw, client):
    client.force_login(cw.chair)
    starts = (timezone.localtime() + datetime.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    planned = client.post(
        f"/council/{cw.council.pk}/meetings/new/",
        {
            "title": "十二月议事会",
            "starts_at": starts,
            "place": "中心广场",
            "called": "households",
            "rule": "residents_households",
            "notice_days": 0,
        },
    )
    meeting = Meeting.objects.get()
    assert planned["Location"] == f"/council/meetings/{meeting.pk}/"
    client.post(f"/council/meetings/{meeting.pk}/notice/")
    client.post(f"/council/meetings/{meeting.pk}/open/")
    page = client.get(f"/council/meetings/{meeting.pk}/").content.decode()
    assert "data:image/png;base64," in page
    url = f"/council/meetings/{meeting.pk}/check-in/{meeting.checkin_token}/"
    assert url in page

    client.force_login(cw.voters[0])
    form = client.get(url).content.decode()
    found = re.search(r'name="nonce" value="([^"]+)"', form)
    assert found is not None
    nonce = found.group(1)
    first = client.post(url, {"nonce": nonce}, follow=True)
    assert "签到成功" in first.content.decode()
    second = client.post(url, {"nonce": "another-scan"}, follow=True)
    assert "您已签到" in second.content.decode()
    assert CheckIn.objects.filter(meeting=meeting).count() == 1

    client.force_login(cw.world["outsider"])
    assert client.post(url, {"nonce": "x"}).status_code == 404


def test_the_projector_answers_304_until_someone_checks_in(cw, client):
    meeting = cw.open_meeting()
    client.force_login(cw.chair)
    page = client.get(f"/council/meetings/{meeting.pk}/projector/")
    assert "需过半数户代表出席：现 0/4 户，未达法定人数" in page.content.decode()
    rule = '<p class="rule" id="p-rule">'
    assert rule + "residents_" not in page.content.decode(), "the rule's key, not its name"
    first = client.get(f"/council/meetings/{meeting.pk}/projector.json")
    etag = first["ETag"]
    assert (
        client.get(
            f"/council/meetings/{meeting.pk}/projector.json", HTTP_IF_NONE_MATCH=etag
        ).status_code
        == 304
    )
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    changed = client.get(f"/council/meetings/{meeting.pk}/projector.json", HTTP_IF_NONE_MATCH=etag)
    data = changed.json()
    assert changed.status_code == 200 and data["quorum"] is True
    assert data["explanation"] == "需过半数户代表出席：现 3/4 户，已达法定人数"


def test_voting_from_a_phone_and_the_result_page_says_why(cw, client):
    meeting = cw.open_meeting()
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    client.force_login(cw.chair)
    client.post(
        f"/council/meetings/{meeting.pk}/motion/",
        {
            "text": "同意加装电梯",
            "method": "yes_no",
            "voting": "online",
            "secret": "on",
            "max_choices": 1,
        },
    )
    motion = Motion.objects.get()
    client.post(f"/council/motions/{motion.pk}/open/", {"minutes": 10})
    # A household not yet checked in is told to check in; the community's staff, who are not
    # called to the meeting, are not.
    client.force_login(cw.voters[3])
    assert "请先在会场签到再投票" in client.get(f"/council/motions/{motion.pk}/").content.decode()
    client.force_login(cw.staff)
    page = client.get(f"/council/motions/{motion.pk}/").content.decode()
    assert "请先在会场签到" not in page
    assert "您不在本次会议的参会范围内" in page
    for voter, choice in zip(cw.voters[:3], ["yes", "yes", "no"], strict=True):
        client.force_login(voter)
        page = client.post(f"/council/motions/{motion.pk}/vote/", {"choices": choice}, follow=True)
        assert "您已投票" in page.content.decode()
    twice = client.post(f"/council/motions/{motion.pk}/vote/", {"choices": "yes"}, follow=True)
    assert "您已对该动议投过票" in twice.content.decode()
    assert VoteMark.objects.filter(motion=motion).count() == 3
    client.force_login(cw.chair)
    client.post(f"/council/motions/{motion.pk}/close/")
    result = client.get(f"/council/motions/{motion.pk}/").content.decode()
    assert "通过" in result
    assert "赞成 2，反对 1，弃权 0" in result
    assert not re.search(r'<div class="actions">\s*</div>', result), "an empty card"


def test_a_vote_after_close_is_refused_with_a_message(cw, client):
    meeting = cw.open_meeting()
    cw.check_in(meeting, cw.voters[0])
    motion = services.add_motion(cw.chair, meeting, services.MotionInput(text="x"))
    client.force_login(cw.voters[0])
    page = client.post(f"/council/motions/{motion.pk}/vote/", {"choices": "yes"}, follow=True)
    assert "投票未开放" in page.content.decode()
    assert not VoteMark.objects.exists()


def passed_resolution(cw):
    meeting = cw.open_meeting()
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    motion = services.add_motion(cw.chair, meeting, services.MotionInput(text="平整道路"))
    services.open_ballot(cw.chair, motion, timezone.now() + datetime.timedelta(minutes=5))
    for voter in cw.voters[:3]:
        services.cast_vote(voter, motion, ["yes"])
    services.close_ballot(cw.chair, motion)
    services.close_meeting(cw.chair, meeting)
    return meeting, Motion.objects.get(pk=motion.pk)


def test_a_resolution_is_published_and_a_resident_objects(cw, client):
    _meeting, motion = passed_resolution(cw)
    client.force_login(cw.chair)
    deadline = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    bad = client.post(
        f"/council/motions/{motion.pk}/resolve/",
        {"text": "x", "owner": "", "deadline": deadline, "notice_days": 7},
        follow=True,
    )
    assert "负责" in bad.content.decode() and not Resolution.objects.exists()
    client.post(
        f"/council/motions/{motion.pk}/resolve/",
        {"text": "年内平整小区道路", "owner": "社区党委", "deadline": deadline, "notice_days": 7},
    )
    resolution = Resolution.objects.get()
    client.post(f"/council/resolutions/{resolution.pk}/publish/")
    client.force_login(cw.voters[3])
    page = client.post(
        f"/council/resolutions/{resolution.pk}/object/",
        {"reason": "施工期间请保证通行"},
        follow=True,
    )
    body = page.content.decode()
    assert "公示" in body and "施工期间请保证通行" in body
    assert resolution.objections.count() == 1


@needs_poppler
def test_the_minutes_pdf_reads_back_with_the_votes_and_resolutions(cw, client, tmp_path):
    meeting, motion = passed_resolution(cw)
    services.adopt_resolution(
        cw.chair,
        motion,
        text="年内平整小区道路",
        owner="社区党委",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    client.force_login(cw.secretary)
    response = client.get(f"/council/meetings/{meeting.pk}/minutes.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "会议纪要" in text
    assert "平整道路" in text and "年内平整小区道路" in text and "社区党委" in text
    assert "已达法定人数" in text


@needs_poppler
def test_the_notice_pdf_carries_the_agenda_and_the_check_in_code(cw, client, tmp_path):
    meeting = cw.meeting()
    topic = services.raise_topic(
        cw.world["resident"], cw.council, services.TopicInput(title="楼道刷新", text="x")
    )
    services.put_on_agenda(cw.chair, topic, meeting)
    client.force_login(cw.voters[0])
    text = pdf_text(client.get(f"/council/meetings/{meeting.pk}/notice.pdf").content, tmp_path)
    assert "楼道刷新" in text and "中心广场" in text


def test_a_resident_asks_to_join_their_household_and_staff_confirm(cw, client):
    resident = cw.world["resident"]
    client.force_login(resident)
    url = f"/council/{cw.council.pk}/household/"
    page = client.get(url).content.decode()
    assert "申请加入" in page and "3栋1单元101室" in page
    done = client.post(url, {"household": cw.households[0].pk}, follow=True).content.decode()
    assert "待确认" in done
    client.force_login(cw.staff)
    pending = client.get(url).content.decode()
    assert "居民甲" in pending and "139****0001" in pending
    member = resident.household_memberships.get()
    client.post(url, {"confirm": member.pk})
    member.refresh_from_db()
    assert member.confirmed


def test_a_resident_cannot_confirm_their_own_request(cw, client):
    resident = cw.world["resident"]
    client.force_login(resident)
    url = f"/council/{cw.council.pk}/household/"
    client.post(url, {"household": cw.households[0].pk})
    member = resident.household_memberships.get()
    assert client.post(url, {"household": "一栋"}, follow=True).status_code == 200
    page = client.post(url, {"confirm": member.pk}, follow=True).content.decode()
    assert "只有社区工作人员才能进行此操作" in page
    member.refresh_from_db()
    assert not member.confirmed


def test_the_menu_leads_a_resident_to_their_council(cw, client):
    client.force_login(cw.world["resident"])
    home = client.get("/").content.decode()
    assert 'data-nav="council"' in home and "红色议事厅" in home
    listed = client.get("/council/")
    assert listed.status_code == 302 and listed["Location"] == f"/council/{cw.council.pk}/"
    client.force_login(cw.world["unit_contact"])
    assert 'data-nav="council"' not in client.get("/").content.decode()


def test_a_result_closed_in_english_reads_in_the_readers_language(cw, client):
    """The chair closes the ballot with the site in English; a resident reading in Chinese
    sees why in Chinese, and the frozen numbers are the same for both."""
    meeting = cw.open_meeting()
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    motion = services.add_motion(cw.chair, meeting, services.MotionInput(text="平整道路"))
    services.open_ballot(cw.chair, motion, timezone.now() + datetime.timedelta(minutes=5))
    for voter, choice in zip(cw.voters[:3], ["yes", "yes", "no"], strict=True):
        services.cast_vote(voter, motion, [choice])
    with translation.override("en"):
        services.close_ballot(cw.chair, motion)
    motion.refresh_from_db()
    client.force_login(cw.voters[0])
    page = client.get(f"/council/motions/{motion.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "赞成 2，反对 1，弃权 0" in page.content.decode()
    assert "in favour" not in page.content.decode()
    with translation.override("en"):
        assert "2 in favour, 1 against" in services.motion_result(motion)["explanation"]
    assert services.motion_result(motion)["counts"] == {"yes": 2, "no": 1, "abstain": 0}


def test_who_raised_a_topic_edits_it_until_it_is_seconded(cw, client):
    """Opened in Chinese and saved untouched, the form keeps every field; a change is
    audited; once a neighbour seconds it, its words are theirs too and it stays as it is."""
    from wulian.audit.models import AuditEntry
    from wulian.lists import services as lists

    resident = cw.world["resident"]
    need = lists.raise_need(
        resident, cw.world.community, lists.NeedInput(title="3栋楼道灯坏", description="")
    )
    topic = services.raise_topic(
        resident,
        cw.council,
        services.TopicInput(title="加装电悌", text="3栋老人上下楼难", why="方便老人", need=need),
    )
    client.force_login(resident)
    assert "编辑" in client.get(f"/council/topics/{topic.pk}/").content.decode()
    form = client.get(f"/council/topics/{topic.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    initial = {
        name: form.context["form"][name].value() for name in ("title", "text", "why", "need")
    }
    assert initial == {
        "title": "加装电悌",
        "text": "3栋老人上下楼难",
        "why": "方便老人",
        "need": need.pk,
    }
    untouched = {k: v for k, v in initial.items()}
    assert client.post(f"/council/topics/{topic.pk}/edit/", untouched).status_code == 302
    topic.refresh_from_db()
    assert (topic.title, topic.why, topic.need_id) == ("加装电悌", "方便老人", need.pk)
    assert not AuditEntry.objects.filter(action="council.topic_edited").exists()

    bad = client.post(f"/council/topics/{topic.pk}/edit/", {**untouched, "title": ""})
    assert bad.status_code == 200 and "标题" in bad.content.decode()
    client.post(f"/council/topics/{topic.pk}/edit/", {**untouched, "title": "加装电梯"})
    topic.refresh_from_db()
    assert topic.title == "加装电梯"
    entry = AuditEntry.objects.get(action="council.topic_edited")
    assert entry.before == {"title": "加装电悌"} and entry.after == {"title": "加装电梯"}

    services.second_topic(cw.voters[0], topic)
    assert "编辑" not in client.get(f"/council/topics/{topic.pk}/").content.decode()
    refused = client.post(
        f"/council/topics/{topic.pk}/edit/", {**untouched, "title": "别的"}, follow=True
    )
    assert "不能再修改" in refused.content.decode()
    topic.refresh_from_db()
    assert topic.title == "加装电梯"
    # The council's secretary may still correct it.
    client.force_login(cw.secretary)
    client.post(f"/council/topics/{topic.pk}/edit/", {**untouched, "title": "3栋加装电梯"})
    topic.refresh_from_db()
    assert topic.title == "3栋加装电梯"
