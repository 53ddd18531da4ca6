"""Attendance and study hours, with the clock frozen on Monday 2 November 2026, 09:00."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.training.conftest import at
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.training import queries, services
from wulian.training.models import Attendance, PartyMembership, Session

pytestmark = pytest.mark.django_db


def _check_in(session, person, nonce="n-1"):
    return services.check_in(person, session, session.token, nonce)


# ------------------------------------------------------------------ study-hour rules


def test_it_counts_the_actual_time_of_a_visit(tw):
    result = _check_in(tw.session(), tw.resident)
    assert result.created
    assert result.attendance.hours == Decimal("2.5")
    assert result.attendance.rule == Session.HoursRule.ACTUAL


@pytest.mark.parametrize(("rule", "hours"), [("half_day", "4"), ("full_day", "8")])
def test_it_counts_half_and_full_days_by_their_fixed_hours(tw, rule, hours):
    session = tw.session(hours_rule=rule)
    assert _check_in(session, tw.resident).attendance.hours == Decimal(hours)


def test_the_rule_stays_with_the_record_when_the_session_changes_later(tw):
    session = tw.session(hours_rule="half_day")
    attendance = _check_in(session, tw.resident).attendance
    Session.objects.filter(pk=session.pk).update(hours_rule="full_day")
    attendance.refresh_from_db()
    assert (attendance.rule, attendance.hours) == ("half_day", Decimal("4.00"))
    assert queries.progress(tw.committee, 2026).members[-1].hours == Decimal("4.00")


# ------------------------------------------------------------------ check-in


def test_a_member_checks_in_once_however_often_they_scan(tw):
    session = tw.session()
    first = _check_in(session, tw.resident, "scan-1")
    again = _check_in(session, tw.resident, "scan-1")
    other_phone = _check_in(session, tw.resident, "scan-2")
    assert first.created and not again.created and not other_phone.created
    assert Attendance.objects.filter(session=session, person=tw.resident).count() == 1


def test_a_joint_session_credits_each_member_to_their_home_organisation(tw):
    session = tw.session()
    _check_in(session, tw.resident)
    _check_in(session, tw.school_member)
    credited = dict(Attendance.objects.values_list("person__real_name", "organization__name"))
    assert credited == {"居民甲": "社区党委", "党员乙": "武汉市第一商业学校"}
    school = queries.progress(tw.school, 2026)
    assert {m.name: m.hours for m in school.members} == {
        "党员乙": Decimal("2.5"),
        "管理员丙": Decimal("0"),
    }


def test_it_refuses_someone_who_is_not_a_party_member_of_an_organiser(tw):
    session = tw.session(organisers=[tw.committee])
    for person in (tw.school_member, tw.world["unit_contact"], tw.world["outsider"]):
        with pytest.raises(NotAllowed) as refused:
            _check_in(session, person)
        assert refused.value.code == "attendance.not_member"
    assert not Attendance.objects.exists()


def test_it_refuses_a_wrong_qr_code(tw):
    session = tw.session()
    with pytest.raises(DomainError) as refused:
        services.check_in(tw.resident, session, "not-the-token", "n")
    assert refused.value.code == "checkin.bad_code"


def test_check_in_opens_an_hour_before_and_closes_at_the_end(tw, clock):
    session = tw.session(starts_at=at(3, 14), ends_at=at(3, 16))
    clock.move_to(at(3, 12, 59))
    with pytest.raises(Conflict) as early:
        _check_in(session, tw.resident)
    assert early.value.code == "checkin.not_now"
    clock.move_to(at(3, 13, 0))
    assert _check_in(session, tw.resident).created
    clock.move_to(at(3, 16, 1))
    with pytest.raises(Conflict):
        _check_in(session, tw.school_member)


def test_a_cancelled_session_takes_no_check_in_and_one_attended_cannot_be_cancelled(tw):
    cancelled = tw.session(title="取消的课")
    services.cancel_session(tw.staff, cancelled, "场馆闭馆")
    with pytest.raises(Conflict) as refused:
        _check_in(cancelled, tw.resident)
    assert refused.value.code == "training.cancelled"
    held = tw.session()
    _check_in(held, tw.resident)
    with pytest.raises(Conflict) as late:
        services.cancel_session(tw.staff, held, "改期")
    assert late.value.code == "training.has_attendance"


# ------------------------------------------------------------------ online classes


def test_an_online_class_counts_after_the_minimum_time_with_the_actual_time(tw, clock):
    session = tw.session(
        title="同上一堂党课",
        kind="online",
        place="",
        online_url="https://www.douyu.com/party-class",
        starts_at=at(2, 10),
        ends_at=at(2, 11, 30),
        min_minutes=45,
    )
    clock.move_to(at(2, 10, 5))
    opened = services.open_online(tw.resident, session)
    assert opened.state == "opened" and opened.hours == 0
    assert services.open_online(tw.resident, session).opened_at == at(2, 10, 5)  # once
    clock.move_to(at(2, 10, 49))
    with pytest.raises(Conflict) as soon:
        services.confirm_online(tw.resident, session)
    assert soon.value.code == "online.too_soon"
    assert "2026-11-02 10:50" in str(soon.value.message)
    clock.move_to(at(2, 11, 0))
    done = services.confirm_online(tw.resident, session)
    assert (done.state, done.method, done.hours) == ("present", "online", Decimal("0.9"))
    assert queries.progress(tw.committee, 2026).members[-1].sessions == 1


def test_an_opened_link_that_was_never_confirmed_gives_no_hours(tw, clock):
    session = tw.session(
        kind="online", place="", online_url="https://example.org/c", starts_at=at(2, 10)
    )
    clock.move_to(at(2, 10))
    services.open_online(tw.resident, session)
    assert queries.progress(tw.committee, 2026).members[-1].hours == 0
    clock.move_to(at(2, 13))
    with pytest.raises(Conflict) as late:
        services.confirm_online(tw.resident, session)
    assert late.value.code == "online.too_late"


def test_an_online_class_is_not_checked_in_at_a_door(tw):
    session = tw.session(kind="online", place="", online_url="https://example.org/c")
    with pytest.raises(DomainError) as refused:
        _check_in(session, tw.resident)
    assert refused.value.code == "checkin.online"


def test_an_organiser_confirms_an_online_attendance_with_the_full_hours(tw, clock):
    session = tw.session(
        kind="online", place="", online_url="https://example.org/c", starts_at=at(2, 10)
    )
    clock.move_to(at(2, 10))
    services.open_online(tw.school_member, session)
    result = services.confirm_attendance(tw.school_secretary, session, tw.school_member)
    assert result.created
    assert (result.attendance.method, result.attendance.hours) == ("confirmed", Decimal("1.5"))


def test_only_an_organiser_confirms_attendance_and_only_for_their_members(tw):
    session = tw.session(organisers=[tw.committee])
    with pytest.raises(NotAllowed):
        services.confirm_attendance(tw.school_secretary, session, tw.resident)
    with pytest.raises(NotAllowed) as outsider:
        services.confirm_attendance(tw.committee_secretary, session, tw.school_member)
    assert outsider.value.code == "attendance.not_member"
    assert services.confirm_attendance(tw.committee_secretary, session, tw.resident).created


# ------------------------------------------------------------------ progress and norms


def test_members_need_32_hours_and_secretaries_and_committee_members_56(tw):
    required = {m.name: m.required for m in queries.progress(tw.committee, 2026).members}
    assert required == {"书记甲": 56, "委员丙": 56, "居民甲": 32}


def test_those_below_the_share_of_the_norm_due_by_today_are_behind(tw, clock):
    # 2 November is day 306 of 365: 32 h × 306/365 ≈ 26.8 h are due by now.
    for day in range(2, 9):
        session = tw.session(
            title=f"专题学习{day}",
            hours_rule="half_day",
            starts_at=at(day, 9),
            ends_at=at(day, 12),
            organisers=[tw.committee],
        )
        clock.move_to(at(day, 9))
        _check_in(session, tw.resident)
    clock.move_to(at(9, 9))
    progress = {m.name: m for m in queries.progress(tw.committee, 2026, at(9, 9).date()).members}
    assert progress["居民甲"].hours == 28 and not progress["居民甲"].behind
    assert progress["居民甲"].remaining == 4
    assert progress["书记甲"].behind and progress["委员丙"].behind
    assert [m.name for m in queries.progress(tw.committee, 2026).behind] == ["书记甲", "委员丙"]


def test_last_years_progress_is_judged_against_the_whole_norm(tw):
    progress = queries.progress(tw.committee, 2025)
    assert all(m.expected == m.required and m.behind for m in progress.members)
    future = queries.progress(tw.committee, 2027)
    assert not future.behind


def test_an_organisation_may_ask_more_than_the_regulation_but_not_less(tw):
    with pytest.raises(DomainError) as refused:
        services.set_norm(tw.committee_secretary, tw.committee, 2026, 24, 56)
    assert refused.value.code == "norm.below_minimum"
    services.set_norm(tw.committee_secretary, tw.committee, 2026, 40, 60)
    required = {m.name: m.required for m in queries.progress(tw.committee, 2026).members}
    assert required == {"书记甲": 60, "委员丙": 60, "居民甲": 40}
    with pytest.raises(NotAllowed):
        services.set_norm(tw.school_secretary, tw.committee, 2026, 40, 60)


def test_a_members_study_record_lists_the_years_sessions(tw, clock):
    _check_in(tw.session(), tw.school_member)
    record = queries.study_record(tw.school_record, 2026)
    assert record.total == Decimal("2.5") and record.required == 32
    assert [(r.title, r.organisers, r.method) for r in record.rows] == [
        ("参观二七纪念馆", "社区党委、武汉市第一商业学校", "签到")
    ]
    assert queries.study_record(tw.school_record, 2025).rows == []


# ------------------------------------------------------------------ memberships


def test_a_person_has_one_home_organisation_at_a_time(tw):
    with pytest.raises(Conflict) as refused:
        services.enrol_member(tw.staff, tw.school, tw.resident)
    assert refused.value.code == "party.elsewhere"
    services.end_membership(tw.staff, tw.resident_record)
    moved = services.enrol_member(tw.staff, tw.school, tw.resident)
    assert moved.organization == tw.school
    assert PartyMembership.objects.filter(person=tw.resident).count() == 2


def test_only_the_secretary_and_staff_record_memberships(tw):
    newcomer = tw.person("13700000009", "新党员")
    with pytest.raises(NotAllowed):
        services.enrol_member(tw.school_member, tw.school, newcomer)
    with pytest.raises(NotAllowed):
        services.enrol_member(tw.committee_secretary, tw.school, newcomer)
    assert services.enrol_member(tw.school_secretary, tw.school, newcomer).role == "member"
    newcomer.refresh_from_db()
    assert newcomer.is_party_member


def test_a_secretary_organises_only_with_their_own_organisation_among_the_organisers(tw):
    with pytest.raises(NotAllowed) as refused:
        tw.session(actor=tw.school_secretary, organisers=[tw.committee])
    assert refused.value.code == "training.not_organiser"
    assert tw.session(actor=tw.school_secretary).organisers.count() == 2
    with pytest.raises(NotAllowed):
        tw.session(actor=tw.school_member)


def test_a_session_needs_a_place_or_for_an_online_class_a_link(tw):
    with pytest.raises(DomainError) as no_place:
        tw.session(place="")
    assert no_place.value.code == "training.no_place"
    with pytest.raises(DomainError) as no_link:
        tw.session(kind="online", place="")
    assert no_link.value.code == "training.no_link"
    with pytest.raises(DomainError) as minimum:
        tw.session(kind="online", online_url="https://example.org/c", min_minutes=200)
    assert minimum.value.code == "training.bad_minimum"


# ------------------------------------------------------------------ dual registration


def _volunteered(tw, person, hours):
    """A volunteer duty at an activity with a check-in and a check-out, in the ledger."""
    from wulian.activities.models import Activity, SignUp
    from wulian.activities.services import volunteer_hours
    from wulian.volunteering.services import record_activity_hours

    activity = Activity.objects.create(
        community=tw.world.community,
        title="文明劝导",
        starts_at=at(2, 8),
        ends_at=at(2, 18),
        capacity=10,
        volunteers_wanted=5,
        place="江汉北路",
        created_by=tw.staff,
    )
    signup = SignUp.objects.create(
        activity=activity,
        person=person,
        role="volunteer",
        state="confirmed",
        checked_in_at=at(2, 8),
        checked_out_at=at(2, 8) + datetime.timedelta(hours=hours),
    )
    record_activity_hours(volunteer_hours(signup))


def test_a_registered_member_s_service_hours_are_reported_to_their_home_organisation(tw):
    post = services.create_post(tw.staff, tw.world.community, "楼栋长")
    registration = services.register(tw.school_member, tw.world.community, "residence", [post])
    _volunteered(tw, tw.school_member, 3)
    reports = queries.org_registrations(tw.school, 2026)
    assert [(r.name, r.community, r.posts, r.service_hours) for r in reports] == [
        ("党员乙", "江汉北路社区", ["楼栋长"], Decimal("3.0"))
    ]
    assert queries.org_registrations(tw.committee, 2026) == []
    with pytest.raises(Conflict) as again:
        services.register(tw.school_member, tw.world.community, "work")
    assert again.value.code == "register.already"
    services.end_registration(tw.school_member, registration)
    assert queries.org_registrations(tw.school, 2026) == []


def test_only_recorded_party_members_register(tw):
    with pytest.raises(NotAllowed) as refused:
        services.register(tw.world["unit_contact"], tw.world.community, "work")
    assert refused.value.code == "register.not_member"
    post = services.create_post(tw.world["subdistrict_staff"], tw.world.other_community, "巡逻")
    with pytest.raises(DomainError):
        services.register(tw.resident, tw.world.community, "residence", [post])
    with pytest.raises(NotAllowed):
        services.create_post(tw.resident, tw.world.community, "楼栋长")


def test_progress_shows_hours_to_the_hundredth_whatever_the_database_sums(tw):
    _check_in(tw.session(), tw.resident)  # 2.5 h
    online = tw.session(kind="online", place="", online_url="https://example.org/c")
    services.confirm_attendance(tw.committee_secretary, online, tw.resident)  # 2.5 h again
    _check_in(tw.session(title="主题党日", starts_at=at(2, 9), ends_at=at(2, 9, 20)), tw.resident)
    members = queries.progress(tw.committee, 2026).members
    (me,) = [m for m in members if m.person_id == tw.resident.pk]
    assert str(me.hours) == "5.30"  # 2.5 + 2.5 + 0.3, not 5.30000000000000
