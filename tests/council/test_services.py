"""Every move of the council and its refusals, called as the pages and the API call them."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from PIL import Image, ImageDraw

from wulian.audit.models import AuditEntry
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.council import services
from wulian.council.models import (
    Ballot,
    CheckIn,
    Motion,
    Resolution,
    Topic,
    VoteMark,
)
from wulian.lists.models import Need


def drawn() -> bytes:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 50), (290, 60), (150, 90)], fill=(0, 0, 0, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# ------------------------------------------------------------------ councils and households


def test_it_refuses_a_second_council_for_the_same_compound(cw):
    with pytest.raises(Conflict) as refused:
        services.create_council(cw.staff, cw.world.community, "又一个", compound=cw.world.compound)
    assert refused.value.code == "council.exists"


def test_only_community_staff_set_up_a_council(cw):
    with pytest.raises(NotAllowed):
        services.create_council(cw.world["resident"], cw.world.community, "议事厅")


def test_it_refuses_a_compound_of_another_community(cw):
    with pytest.raises(DomainError) as refused:
        services.create_council(
            cw.staff, cw.world.community, "错的", compound=cw.world.other_compound
        )
    assert refused.value.code == "council.bad_compound"


def test_a_council_has_one_chair_per_term(cw):
    with pytest.raises(Conflict) as refused:
        services.appoint_member(cw.staff, cw.council, cw.adviser, "chair")
    assert refused.value.code == "council.chair_taken"


def test_a_representative_names_what_they_represent(cw):
    with pytest.raises(DomainError) as refused:
        services.appoint_member(cw.staff, cw.council, cw.world["resident"], "representative")
    assert refused.value.code == "council.no_represents"


def test_an_ended_term_takes_the_role_away(cw):
    member = cw.council.members.get(user=cw.secretary)
    services.end_term(cw.staff, member, on=datetime.date(2026, 2, 1))
    fresh = type(cw.secretary).objects.get(pk=cw.secretary.pk)
    assert not fresh.has_perm("council.run_council", cw.council)


def test_it_refuses_a_flat_twice_and_a_bad_area(cw):
    with pytest.raises(Conflict):
        services.add_household(
            cw.staff, cw.world.compound, building="3", unit="1", room="101", floor_area="50"
        )
    with pytest.raises(DomainError) as refused:
        services.add_household(
            cw.staff, cw.world.compound, building="3", room="999", floor_area="五十"
        )
    assert refused.value.code == "household.bad_area"


def test_a_resident_asks_to_join_a_household_and_staff_confirm(cw):
    resident = cw.world["resident"]
    member = services.request_join_household(resident, cw.households[0])
    assert not member.confirmed
    assert services.household_of(resident, cw.council) is None
    services.confirm_household_member(cw.staff, member)
    assert services.household_of(resident, cw.council) == cw.households[0]
    with pytest.raises(Conflict):
        services.request_join_household(resident, cw.households[1])


def test_a_resident_of_another_compound_cannot_join(cw):
    with pytest.raises(NotAllowed):
        services.request_join_household(cw.world["outsider"], cw.households[0])


# ------------------------------------------------------------------ topics


def raise_topic(cw, who=None):
    return services.raise_topic(
        who or cw.world["resident"],
        cw.council,
        services.TopicInput(title="楼道刷新", text="3栋楼道墙面斑驳", why="安全与美观"),
    )


def test_a_topic_reaches_the_agenda_queue_at_the_threshold(cw):
    topic = raise_topic(cw)
    for voter in cw.voters:
        services.second_topic(voter, topic)
    topic.refresh_from_db()
    assert topic.state == Topic.State.RAISED  # 4 of 5
    services.second_topic(cw.chair, topic)
    topic.refresh_from_db()
    assert topic.state == Topic.State.SECONDED
    assert AuditEntry.objects.filter(action="council.topic_seconded").count() == 1


def test_one_representative_second_is_enough(cw):
    topic = raise_topic(cw)
    services.second_topic(cw.representative, topic)
    topic.refresh_from_db()
    assert topic.state == Topic.State.SECONDED


def test_it_refuses_a_second_second_and_ones_own(cw):
    topic = raise_topic(cw)
    services.second_topic(cw.voters[0], topic)
    with pytest.raises(Conflict) as refused:
        services.second_topic(cw.voters[0], topic)
    assert refused.value.code == "topic.already_seconded"
    with pytest.raises(DomainError) as own:
        services.second_topic(cw.world["resident"], topic)
    assert own.value.code == "topic.own"


def test_residents_of_another_compound_cannot_raise_or_second(cw):
    with pytest.raises(NotAllowed):
        raise_topic(cw, cw.world["outsider"])
    topic = raise_topic(cw)
    with pytest.raises(NotAllowed):
        services.second_topic(cw.world["outsider"], topic)


def test_the_chair_puts_a_raised_topic_on_the_agenda_directly(cw):
    topic = raise_topic(cw)
    meeting = cw.meeting()
    item = services.put_on_agenda(cw.chair, topic, meeting, minutes=20)
    topic.refresh_from_db()
    assert topic.state == Topic.State.AGENDA
    assert item.position == 1
    with pytest.raises(Conflict):
        services.put_on_agenda(cw.chair, topic, meeting)


def test_a_resident_cannot_set_the_agenda(cw):
    topic = raise_topic(cw)
    with pytest.raises(NotAllowed):
        services.put_on_agenda(cw.voters[0], topic, cw.meeting())


def test_a_dismissed_topic_says_why_and_moves_no_more(cw, sms_outbox):
    topic = raise_topic(cw)
    with pytest.raises(DomainError):
        services.dismiss_topic(cw.chair, topic, "  ")
    services.dismiss_topic(cw.chair, topic, "属物业维修范围，已转物业")
    topic.refresh_from_db()
    assert topic.state == Topic.State.DISMISSED
    assert topic.dismissed_reason == "属物业维修范围，已转物业"
    with pytest.raises(Conflict) as refused:
        services.second_topic(cw.voters[0], topic)
    assert refused.value.code == "topic.bad_state"


def test_a_hidden_comment_keeps_its_reason_for_the_author(cw):
    topic = raise_topic(cw)
    comment = services.comment_on_topic(cw.voters[0], topic, "<script>alert(1)</script>")
    with pytest.raises(NotAllowed):
        services.hide_comment(cw.voters[1], comment, "不文明")
    services.hide_comment(cw.secretary, comment, "含人身攻击")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "含人身攻击"
    with pytest.raises(Conflict):
        services.hide_comment(cw.chair, comment, "again")


def test_anonymous_people_cannot_comment(cw):
    from django.contrib.auth.models import AnonymousUser

    topic = raise_topic(cw)
    with pytest.raises(NotAllowed):
        services.comment_on_topic(AnonymousUser(), topic, "匿名")  # type: ignore[arg-type]


# ------------------------------------------------------------------ meetings and check-in


def test_the_notice_must_go_out_the_notice_days_before(cw):
    meeting = services.schedule_meeting(
        cw.chair,
        cw.council,
        services.MeetingInput(
            title="临时会",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            place="中心广场",
        ),
    )
    with pytest.raises(DomainError) as refused:
        services.publish_notice(cw.chair, meeting)
    assert refused.value.code == "meeting.notice_too_late"
    meeting.refresh_from_db()
    assert meeting.state == "planned"


def test_the_notice_tells_the_household_representatives(cw):
    from wulian.notifications.models import Notification

    meeting = cw.meeting()
    services.publish_notice(cw.chair, meeting)
    notices = Notification.objects.filter(kind="council.meeting_notice")
    told = set(notices.values_list("recipient", flat=True))
    assert told == {voter.pk for voter in cw.voters}


def test_it_refuses_a_meeting_in_the_past_and_an_unknown_rule(cw):
    with pytest.raises(DomainError):
        services.schedule_meeting(
            cw.chair,
            cw.council,
            services.MeetingInput(
                title="x", starts_at=timezone.now() - datetime.timedelta(hours=1), place="p"
            ),
        )
    with pytest.raises(DomainError) as refused:
        cw.meeting(rule="majority_of_the_loud")
    assert refused.value.code == "meeting.bad_rule"


def test_a_scan_retried_counts_once_and_a_second_scan_says_already(cw):
    meeting = cw.open_meeting()
    voter = cw.voters[0]
    first = services.check_in(voter, meeting, nonce="abc", token=meeting.checkin_token)
    again = services.check_in(voter, meeting, nonce="abc", token=meeting.checkin_token)
    other = services.check_in(voter, meeting, nonce="def", token=meeting.checkin_token)
    assert first.created and not again.created and not other.created
    assert CheckIn.objects.filter(meeting=meeting).count() == 1


def test_it_refuses_a_check_in_with_the_wrong_code_or_from_another_compound(cw):
    meeting = cw.open_meeting()
    with pytest.raises(DomainError) as refused:
        services.check_in(cw.voters[0], meeting, nonce="n", token="guess")
    assert refused.value.code == "checkin.bad_code"
    with pytest.raises(NotAllowed) as refused:
        services.check_in(cw.world["outsider"], meeting, nonce="n", token=meeting.checkin_token)
    assert refused.value.code == "checkin.not_called"
    assert not CheckIn.objects.exists()


def test_check_in_is_closed_before_the_notice_and_after_the_meeting(cw):
    meeting = cw.meeting()
    with pytest.raises(Conflict):
        services.check_in(cw.voters[0], meeting, nonce="n", token=meeting.checkin_token)


def test_the_secretary_checks_in_someone_without_a_phone(cw):
    meeting = cw.open_meeting()
    result = services.check_in(cw.secretary, meeting, nonce="desk-1", person=cw.voters[2])
    assert result.checkin.by == cw.secretary
    with pytest.raises(NotAllowed):
        services.check_in(cw.voters[0], meeting, nonce="desk-2", person=cw.voters[3])


def test_quorum_follows_the_households_present(cw):
    meeting = cw.open_meeting()
    cw.check_in(meeting, cw.voters[0])
    cw.check_in(meeting, cw.voters[1])
    present = services.attendance(meeting)
    assert (present.households_present, present.households_total) == (2, 4)
    assert not present.outcome.ok  # exactly half is not more than half
    cw.check_in(meeting, cw.voters[2])
    assert services.attendance(meeting).outcome.ok


def test_a_representative_holds_at_most_one_proxy(cw):
    meeting = cw.open_meeting()
    a, b, c, _d = cw.households
    services.record_proxy(cw.secretary, meeting, giver=b, holder=cw.voters[0], proof="paper")
    with pytest.raises(Conflict) as refused:
        services.record_proxy(cw.secretary, meeting, giver=c, holder=cw.voters[0], proof="paper")
    assert refused.value.code == "proxy.holder_full"
    with pytest.raises(Conflict) as refused:
        services.record_proxy(cw.secretary, meeting, giver=b, holder=cw.voters[3], proof="paper")
    assert refused.value.code == "proxy.given"
    with pytest.raises(DomainError):
        services.record_proxy(cw.secretary, meeting, giver=a, holder=cw.voters[0], proof="paper")
    cw.check_in(meeting, cw.voters[0])
    assert services.attendance(meeting).households_present == 2


def test_only_a_household_representative_holds_a_proxy(cw):
    meeting = cw.open_meeting()
    with pytest.raises(DomainError) as refused:
        services.record_proxy(
            cw.secretary,
            meeting,
            giver=cw.households[0],
            holder=cw.world["resident"],
            proof="paper",
        )
    assert refused.value.code == "proxy.not_representative"


# ------------------------------------------------------------------ votes


def ballot(cw, meeting, **extra):
    motion = services.add_motion(
        cw.chair, meeting, services.MotionInput(text="同意刷新楼道", **extra)
    )
    services.open_ballot(cw.chair, motion, timezone.now() + datetime.timedelta(minutes=30))
    motion.refresh_from_db()
    return motion


def test_a_secret_ballot_keeps_no_link_between_voter_and_choice(cw):
    meeting = cw.open_meeting()
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    motion = ballot(cw, meeting)
    for voter, choice in zip(cw.voters[:3], ["yes", "yes", "no"], strict=True):
        services.cast_vote(voter, motion, [choice])
    assert VoteMark.objects.filter(motion=motion).count() == 3
    assert set(Ballot.objects.filter(motion=motion).values_list("voter", flat=True)) == {None}
    closed = services.close_ballot(cw.chair, motion)
    assert services.motion_result(closed)["passed"] is True
    assert services.motion_result(closed)["counts"] == {"yes": 2, "no": 1, "abstain": 0}
    assert (
        "通过" in services.motion_result(closed)["explanation"]
        or "passed" in services.motion_result(closed)["explanation"]
    )


def test_a_second_vote_is_told_already_voted(cw):
    meeting = cw.open_meeting()
    cw.check_in(meeting, cw.voters[0])
    motion = ballot(cw, meeting)
    services.cast_vote(cw.voters[0], motion, ["yes"])
    with pytest.raises(Conflict) as refused:
        services.cast_vote(cw.voters[0], motion, ["no"])
    assert refused.value.code == "vote.already"
    assert Ballot.objects.filter(motion=motion).count() == 1


def test_one_vote_per_household_whoever_of_it_votes(cw):
    meeting = cw.open_meeting()
    member = cw.world["resident"]
    services.confirm_household_member(
        cw.staff, services.request_join_household(member, cw.households[0])
    )
    cw.check_in(meeting, cw.voters[0])
    cw.check_in(meeting, member)
    motion = ballot(cw, meeting)
    services.cast_vote(member, motion, ["yes"])
    with pytest.raises(Conflict):
        services.cast_vote(cw.voters[0], motion, ["no"])


def test_it_refuses_a_vote_for_someone_elses_household_unless_by_proxy(cw):
    meeting = cw.open_meeting()
    cw.check_in(meeting, cw.voters[0])
    motion = ballot(cw, meeting)
    with pytest.raises(NotAllowed) as refused:
        services.cast_vote(cw.voters[0], motion, ["yes"], household=cw.households[1])
    assert refused.value.code == "vote.other_household"
    services.record_proxy(
        cw.secretary, meeting, giver=cw.households[1], holder=cw.voters[0], proof="confirmed"
    )
    services.cast_vote(cw.voters[0], motion, ["yes"], household=cw.households[1])
    services.cast_vote(cw.voters[0], motion, ["yes"])
    assert VoteMark.objects.filter(motion=motion).count() == 2


def test_it_refuses_a_vote_after_close_without_check_in_and_a_bad_choice(cw):
    meeting = cw.open_meeting()
    cw.check_in(meeting, cw.voters[0])
    motion = ballot(cw, meeting)
    with pytest.raises(NotAllowed) as refused:
        services.cast_vote(cw.voters[1], motion, ["yes"])
    assert refused.value.code == "vote.not_present"
    with pytest.raises(DomainError) as bad:
        services.cast_vote(cw.voters[0], motion, ["maybe"])
    assert bad.value.code == "vote.bad_choice"
    services.close_ballot(cw.chair, motion)
    with pytest.raises(Conflict) as closed:
        services.cast_vote(cw.voters[0], motion, ["yes"])
    assert closed.value.code == "vote.closed"
    assert not VoteMark.objects.exists()


def test_a_closed_ballot_is_immutable(cw):
    meeting = cw.open_meeting()
    motion = ballot(cw, meeting)
    services.close_ballot(cw.chair, motion)
    with pytest.raises(Conflict):
        services.close_ballot(cw.chair, motion)
    with pytest.raises(Conflict):
        services.open_ballot(cw.chair, motion, timezone.now() + datetime.timedelta(minutes=5))


def test_without_quorum_the_vote_does_not_count(cw):
    meeting = cw.open_meeting()
    cw.check_in(meeting, cw.voters[0])
    motion = ballot(cw, meeting)
    services.cast_vote(cw.voters[0], motion, ["yes"])
    closed = services.close_ballot(cw.chair, motion)
    assert services.motion_result(closed)["passed"] is False
    assert services.motion_result(closed)["quorum"] is False


def test_up_to_k_of_n_refuses_more_than_k(cw):
    meeting = cw.open_meeting("residents_adults")
    for voter in cw.voters:
        cw.check_in(meeting, voter)
    motion = ballot(cw, meeting, method="up_to", options=["刷白", "刷绿", "贴砖"], max_choices=2)
    with pytest.raises(DomainError) as refused:
        services.cast_vote(cw.voters[0], motion, ["刷白", "刷绿", "贴砖"])
    assert refused.value.code == "vote.too_many"
    services.cast_vote(cw.voters[0], motion, ["刷白", "刷绿"])


def test_owners_matters_count_area_and_heads(cw):
    meeting = cw.open_meeting("owners_ordinary")
    for voter in cw.voters:
        cw.check_in(meeting, voter)
    motion = ballot(cw, meeting, special=True)
    # 3 of 4 owners (75 %) and 80+80+120 = 280 of 360 m² (77.8 %): at least 3/4 of both
    for voter, choice in zip(cw.voters, ["no", "yes", "yes", "yes"], strict=True):
        services.cast_vote(voter, motion, [choice])
    result = services.motion_result(services.close_ballot(cw.chair, motion))
    assert result["passed"] is True
    assert result["rule"] == "owners_special"
    assert result["base_area"] == "360.00"


def test_a_show_of_hands_needs_a_second_person_and_no_more_hands_than_present(cw):
    meeting = cw.open_meeting()
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    motion = services.add_motion(
        cw.chair, meeting, services.MotionInput(text="举手表决", voting="hands")
    )
    with pytest.raises(NotAllowed):
        services.enter_tally(cw.chair, motion, {"yes": 2})
    with pytest.raises(DomainError) as refused:
        services.enter_tally(cw.secretary, motion, {"yes": 3, "no": 1})
    assert refused.value.code == "tally.exceeds_present"
    with pytest.raises(DomainError) as refused:
        services.enter_tally(cw.secretary, motion, {"yes": "三"})
    assert refused.value.code == "tally.bad_count"
    services.enter_tally(cw.secretary, motion, {"yes": 2, "no": 1})
    motion.refresh_from_db()
    assert motion.state == Motion.State.DRAFT  # not counted until confirmed
    with pytest.raises(NotAllowed):
        services.confirm_tally(cw.voters[0], motion)
    confirmed = services.confirm_tally(cw.adviser, motion)
    assert confirmed.state == Motion.State.CLOSED
    assert services.motion_result(confirmed)["passed"] is True
    assert confirmed.tally.entered_by == cw.secretary
    assert confirmed.tally.confirmed_by == cw.adviser


def test_owners_matters_refuse_a_show_of_hands(cw):
    meeting = cw.open_meeting("owners_ordinary")
    with pytest.raises(DomainError) as refused:
        services.add_motion(cw.chair, meeting, services.MotionInput(text="x", voting="hands"))
    assert refused.value.code == "motion.hands_by_area"


def test_a_named_ballot_shows_the_council_who_voted_what(cw):
    meeting = cw.open_meeting()
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    motion = ballot(cw, meeting, secret=False)
    services.cast_vote(cw.voters[0], motion, ["yes"])
    services.close_ballot(cw.chair, motion)
    assert services.named_ballots(cw.chair, motion) == [("户代表1", ["yes"])]
    with pytest.raises(NotAllowed):
        services.named_ballots(cw.voters[1], motion)


# ------------------------------------------------------------------ resolutions


def passed_motion(cw):
    meeting = cw.open_meeting()
    topic = raise_topic(cw)
    item = services.put_on_agenda(cw.chair, topic, meeting)
    for voter in cw.voters[:3]:
        cw.check_in(meeting, voter)
    motion = ballot(cw, meeting, item=item)
    for voter in cw.voters[:3]:
        services.cast_vote(voter, motion, ["yes"])
    return services.close_ballot(cw.chair, motion)


def adopt(cw, motion):
    return services.adopt_resolution(
        cw.chair,
        motion,
        text="3栋楼道年底前完成刷新",
        owner="江汉北物业",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )


def test_a_passed_motion_becomes_a_resolution_and_decides_its_topic(cw):
    motion = passed_motion(cw)
    resolution = adopt(cw, motion)
    assert resolution.notice_days == 7
    assert Topic.objects.get(pk=motion.item.topic_id).state == Topic.State.DECIDED
    with pytest.raises(Conflict):
        adopt(cw, motion)


def test_a_failed_motion_does_not_become_a_resolution(cw):
    meeting = cw.open_meeting()
    motion = ballot(cw, meeting)
    services.close_ballot(cw.chair, motion)
    with pytest.raises(Conflict) as refused:
        adopt(cw, Motion.objects.get(pk=motion.pk))
    assert refused.value.code == "resolution.not_passed"


def test_a_resolution_takes_effect_after_its_notice_period_without_upheld_objections(cw):
    resolution = adopt(cw, passed_motion(cw))
    now = timezone.now()
    services.publish_resolution(cw.chair, resolution, now=now)
    objection = services.object_to(cw.voters[3], resolution, "施工噪音扰民", now=now)
    assert services.sweep_resolutions(now + datetime.timedelta(days=8))["effective"] == 0
    services.answer_objection(cw.chair, objection, "安排在白天施工", upheld=False)
    counts = services.sweep_resolutions(now + datetime.timedelta(days=8))
    assert counts["effective"] == 1
    assert Resolution.objects.get(pk=resolution.pk).state == Resolution.State.EFFECTIVE
    assert services.sweep_resolutions(now + datetime.timedelta(days=9))["effective"] == 0


def test_an_upheld_objection_suspends_the_resolution(cw):
    resolution = adopt(cw, passed_motion(cw))
    services.publish_resolution(cw.chair, resolution)
    objection = services.object_to(cw.voters[3], resolution, "程序有误")
    with pytest.raises(NotAllowed):
        services.answer_objection(cw.secretary, objection, "x", upheld=True)
    services.answer_objection(cw.chair, objection, "重新表决", upheld=True)
    assert Resolution.objects.get(pk=resolution.pk).state == Resolution.State.SUSPENDED


def test_objections_are_refused_after_the_notice_period_and_from_outsiders(cw):
    resolution = adopt(cw, passed_motion(cw))
    now = timezone.now()
    services.publish_resolution(cw.chair, resolution, now=now)
    with pytest.raises(NotAllowed):
        services.object_to(cw.world["outsider"], resolution, "x")
    with pytest.raises(Conflict) as refused:
        services.object_to(cw.voters[0], resolution, "晚了", now=now + datetime.timedelta(days=8))
    assert refused.value.code == "objection.closed"


def test_an_overdue_resolution_is_reminded_then_escalated_once(cw):
    from wulian.notifications.models import Notification

    resolution = adopt(cw, passed_motion(cw))
    now = timezone.now()
    services.publish_resolution(cw.chair, resolution, now=now)
    services.sweep_resolutions(now + datetime.timedelta(days=8))
    late = now + datetime.timedelta(days=40)
    assert services.sweep_resolutions(late)["reminded"] == 1
    assert services.sweep_resolutions(late)["reminded"] == 0
    assert services.sweep_resolutions(late + datetime.timedelta(days=4))["escalated"] == 1
    assert Notification.objects.filter(kind="council.resolution_escalated").exists()


def test_a_resolution_spawns_a_need_linked_both_ways(cw):
    resolution = adopt(cw, passed_motion(cw))
    services.publish_resolution(cw.chair, resolution)
    with pytest.raises(NotAllowed):
        services.spawn_need(cw.chair, resolution)
    need = services.spawn_need(cw.staff, resolution)
    assert need.channel == Need.Channel.COUNCIL
    assert need.external_id == f"council-resolution-{resolution.pk}"
    assert Resolution.objects.get(pk=resolution.pk).need == need
    with pytest.raises(Conflict):
        services.spawn_need(cw.staff, Resolution.objects.get(pk=resolution.pk))


def test_a_resolution_spawns_a_whistle(cw):
    resolution = adopt(cw, passed_motion(cw))
    services.publish_resolution(cw.chair, resolution)
    whistle = services.spawn_whistle(cw.staff, resolution, [cw.world.unit])
    assert Resolution.objects.get(pk=resolution.pk).whistle == whistle


# ------------------------------------------------------------------ minutes


def test_the_secretary_and_chair_sign_the_minutes_once_each(cw):
    meeting = cw.open_meeting()
    with pytest.raises(Conflict):
        services.sign_minutes(
            cw.secretary, meeting, role="secretary", typed_name="书记员李", drawn_png=drawn()
        )
    services.close_meeting(cw.chair, meeting)
    with pytest.raises(DomainError) as refused:
        services.sign_minutes(
            cw.secretary, meeting, role="secretary", typed_name="李", drawn_png=drawn()
        )
    assert refused.value.code == "signature.name_mismatch"
    with pytest.raises(NotAllowed):
        services.sign_minutes(
            cw.secretary, meeting, role="chair", typed_name="书记员李", drawn_png=drawn()
        )
    services.sign_minutes(
        cw.secretary, meeting, role="secretary", typed_name="书记员李", drawn_png=drawn()
    )
    with pytest.raises(Conflict):
        services.sign_minutes(
            cw.secretary, meeting, role="secretary", typed_name="书记员李", drawn_png=drawn()
        )


def test_a_meeting_cannot_be_opened_days_before_its_time(cw):
    """Seen in a trial: a meeting for the 20th opened, voted and resolved on the 5th."""
    meeting = cw.meeting()  # in five days, three days' notice
    services.publish_notice(cw.chair, meeting)
    with pytest.raises(Conflict) as refused:
        services.open_meeting(cw.chair, meeting)
    assert refused.value.code == "meeting.not_yet"
    meeting.refresh_from_db()
    assert meeting.state == "noticed" and meeting.opened_at is None
    with time_machine.travel(meeting.starts_at - datetime.timedelta(minutes=45), tick=False):
        assert services.open_meeting(cw.chair, meeting).state == "open"
