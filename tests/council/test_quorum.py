"""The quorum and decision rules, by property tests and at their boundaries."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from wulian.council import quorum
from wulian.council.quorum import RULES, Tally

totals = st.integers(min_value=1, max_value=5000)


@given(total=totals)
def test_it_counts_exactly_half_as_not_more_than_half(total):
    rule = RULES["residents_households"]
    if total % 2 == 0:
        assert not quorum.quorum(rule, total // 2, total).ok
    assert quorum.quorum(rule, total // 2 + 1, total).ok


@given(total=totals, data=st.data())
def test_more_than_half_holds_exactly_when_twice_the_present_exceeds_the_total(total, data):
    present = data.draw(st.integers(min_value=0, max_value=total))
    assert quorum.quorum(RULES["residents_adults"], present, total).ok == (2 * present > total)


@given(total=totals, data=st.data())
def test_two_thirds_includes_the_number_itself(total, data):
    present = data.draw(st.integers(min_value=0, max_value=total))
    rule = RULES["owners_ordinary"]
    area = Decimal(total) * 80
    outcome = quorum.quorum(rule, present, total, present_area=area, total_area=area)
    assert outcome.ok == (3 * present >= 2 * total)


@given(total=totals)
def test_the_minimum_count_is_the_boundary(total):
    for threshold in (quorum.MORE_THAN_HALF, quorum.TWO_THIRDS, quorum.THREE_QUARTERS):
        least = threshold.minimum_count(total)
        assert threshold.met(least, total)
        assert least == 0 or not threshold.met(least - 1, total)


def test_owners_need_both_area_and_head_count():
    rule = RULES["owners_ordinary"]
    # 7 of 9 owners (more than 2/3) but only half the area
    assert not quorum.quorum(rule, 7, 9, present_area=500, total_area=1000).ok
    assert quorum.quorum(rule, 6, 9, present_area=Fraction(2000, 3), total_area=1000).ok


@given(yes=st.integers(0, 300), no=st.integers(0, 300), abstain=st.integers(0, 300))
def test_a_yes_no_motion_passes_with_more_than_half_of_those_present(yes, no, abstain):
    base = yes + no + abstain
    outcome = quorum.decide_yes_no(
        RULES["residents_adults"], Tally({"yes": yes, "no": no, "abstain": abstain}, base)
    )
    assert outcome.ok == (base > 0 and 2 * yes > base)


@given(yes=st.integers(0, 100), no=st.integers(0, 100), area_yes=st.integers(0, 10000))
def test_double_majority_needs_head_count_and_area(yes, no, area_yes):
    base = yes + no
    base_area = Decimal(10000)
    outcome = quorum.decide_yes_no(
        RULES["owners_ordinary"],
        Tally({"yes": yes, "no": no}, base, {"yes": Decimal(area_yes)}, base_area),
    )
    assert outcome.ok == (base > 0 and 2 * yes > base and 2 * area_yes > 10000)


def test_special_matters_need_three_quarters_of_both_including_the_number():
    rule = quorum.rule_for("owners_ordinary", special=True)
    assert rule.key == "owners_special"
    tally = Tally({"yes": 3, "no": 1}, 4, {"yes": Decimal(75)}, Decimal(100))
    assert quorum.decide_yes_no(rule, tally).ok
    tally = Tally({"yes": 3, "no": 1}, 4, {"yes": Decimal("74.99")}, Decimal(100))
    assert not quorum.decide_yes_no(rule, tally).ok


def test_a_tie_is_not_a_majority_and_says_so():
    with translation.override("zh-hans"):
        outcome = quorum.decide_yes_no(RULES["representatives"], Tally({"yes": 4, "no": 4}, 8))
    assert not outcome.ok
    assert "票数相等不算过半数" in outcome.explanation
    assert outcome.explanation.endswith("未通过")


def test_a_tie_for_the_last_place_chooses_none_of_the_tied():
    rule = RULES["residents_adults"]
    tally = Tally({"甲": 6, "乙": 6, "丙": 1}, 10)
    outcome = quorum.decide_choices(rule, tally, ["甲", "乙", "丙"], 1)
    assert not outcome.ok
    outcome = quorum.decide_choices(rule, tally, ["甲", "乙", "丙"], 2)
    assert outcome.chosen == ("甲", "乙")


@given(total=st.integers(2, 400), data=st.data())
def test_one_of_n_chooses_at_most_one_and_only_with_a_majority(total, data):
    a = data.draw(st.integers(0, total))
    b = data.draw(st.integers(0, total - a))
    outcome = quorum.decide_choices(
        RULES["residents_adults"], Tally({"a": a, "b": b}, total), ["a", "b"], 1
    )
    assert len(outcome.chosen) <= 1
    for option in outcome.chosen:
        assert 2 * {"a": a, "b": b}[option] > total


def test_it_explains_the_quorum_in_plain_chinese():
    with translation.override("zh-hans"):
        outcome = quorum.quorum(RULES["residents_households"], 41, 80)
    assert outcome.explanation == "需过半数户代表出席：现 41/80 户，已达法定人数"
    with translation.override("zh-hans"):
        outcome = quorum.quorum(RULES["residents_households"], 40, 80)
    assert outcome.explanation.endswith("未达法定人数")
