import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wulian.matching import Weights
from wulian.matching.flow import solve

from .factories import TODAY, need

WEIGHTS = Weights()


@st.composite
def instances(draw, max_needs=6, max_resources=4, max_slots=2, max_capacity=3):
    n_needs = draw(st.integers(1, max_needs))
    n_res = draw(st.integers(1, max_resources))
    slots = draw(st.lists(st.integers(0, max_slots), min_size=n_needs, max_size=n_needs))
    capacities = draw(
        st.lists(st.one_of(st.none(), st.integers(0, max_capacity)), min_size=n_res, max_size=n_res)
    )
    providers = draw(st.lists(st.sampled_from("pq"), min_size=n_res, max_size=n_res))
    all_pairs = list(itertools.product(range(n_needs), range(n_res)))
    chosen = draw(st.lists(st.sampled_from(all_pairs), unique=True, max_size=len(all_pairs)))
    scores = draw(
        st.lists(st.floats(WEIGHTS.threshold, 1.0), min_size=len(chosen), max_size=len(chosen))
    )
    return slots, capacities, providers, chosen, scores


def run(instance, fair=False):
    slots, capacities, providers, chosen, scores = instance
    need_ids = [f"n{i}" for i in range(len(slots))]
    res_ids = [f"r{j}" for j in range(len(capacities))]
    result = solve(
        need_ids=need_ids,
        slots=slots,
        resource_ids=res_ids,
        capacities=capacities,
        provider_ids=providers,
        need_pos=np.asarray([n for n, _ in chosen], dtype=np.int64),
        res_pos=np.asarray([r for _, r in chosen], dtype=np.int64),
        scores=np.asarray(scores, dtype=np.float64),
        weights=WEIGHTS,
        fair=fair,
    )
    return result, need_ids, res_ids


def limits(instance):
    slots, capacities, *_ = instance
    caps = [len(slots) * 10 if c is None else c for c in capacities]
    return slots, caps


def greedy_total(instance):
    slots, caps = limits(instance)
    _, _, _, chosen, scores = instance
    left_slots, left_caps, total = list(slots), list(caps), 0.0
    for (n, r), s in sorted(zip(chosen, scores, strict=True), key=lambda p: -p[1]):
        if left_slots[n] > 0 and left_caps[r] > 0:
            left_slots[n] -= 1
            left_caps[r] -= 1
            total += s
    return total


def brute_force_total(instance):
    slots, caps = limits(instance)
    _, _, _, chosen, scores = instance
    best = 0.0
    for mask in itertools.product((0, 1), repeat=len(chosen)):
        used_n = [0] * len(slots)
        used_r = [0] * len(caps)
        total = 0.0
        for take, (n, r), s in zip(mask, chosen, scores, strict=True):
            if take:
                used_n[n] += 1
                used_r[r] += 1
                total += s
        if all(u <= c for u, c in zip(used_n, slots, strict=True)) and all(
            u <= c for u, c in zip(used_r, caps, strict=True)
        ):
            best = max(best, total)
    return best


@settings(max_examples=150, deadline=None)
@given(instances(), st.booleans())
def test_it_never_puts_a_resource_over_capacity_nor_a_need_over_its_slots(instance, fair):
    result, need_ids, res_ids = run(instance, fair)
    slots, capacities, *_ = instance
    assert result.status == "optimal"
    per_need = {n: 0 for n in need_ids}
    per_res = {r: 0 for r in res_ids}
    for a in result.assignments:
        per_need[a.need_id] += 1
        per_res[a.resource_id] += 1
    assert all(per_need[n] <= s for n, s in zip(need_ids, slots, strict=True))
    assert all(cap is None or per_res[r] <= cap for r, cap in zip(res_ids, capacities, strict=True))
    pairs = {(a.need_id, a.resource_id) for a in result.assignments}
    assert len(pairs) == len(result.assignments)


@settings(max_examples=150, deadline=None)
@given(instances())
def test_it_never_totals_less_than_a_greedy_assignment(instance):
    result, *_ = run(instance)
    assert result.total_score >= greedy_total(instance) - 1e-4


@settings(max_examples=100, deadline=None)
@given(instances(max_needs=3, max_resources=3, max_capacity=2))
def test_it_finds_the_optimum_a_brute_force_finds_on_tiny_instances(instance):
    if len(instance[3]) > 9:
        instance = (*instance[:3], instance[3][:9], instance[4][:9])
    result, *_ = run(instance)
    assert abs(result.total_score - brute_force_total(instance)) < 1e-4


@settings(max_examples=100, deadline=None)
@given(instances())
def test_it_lists_as_unassigned_exactly_the_needs_with_no_assignment(instance):
    result, need_ids, _ = run(instance)
    assigned = {a.need_id for a in result.assignments}
    assert set(result.unassigned) == set(need_ids) - assigned
    assert abs(result.total_score - sum(a.score for a in result.assignments)) < 1e-9


def test_it_spreads_load_over_providers_when_fair():
    # two needs, each fits provider p slightly better than provider q
    instance = ([1, 1], [None, None], ["p", "q"], [(0, 0), (0, 1), (1, 0), (1, 1)], [0.9, 0.85] * 2)
    plain, *_ = run(instance, fair=False)
    fair, *_ = run(instance, fair=True)
    assert {a.resource_id for a in plain.assignments} == {"r0"}
    assert {a.resource_id for a in fair.assignments} == {"r0", "r1"}


def test_it_leaves_a_need_unassigned_rather_than_give_it_a_poor_match(engine):
    needs = [need("a", "想剪头发"), need("b", "楼道的声控灯坏了好久没人修")]
    result = engine.assign(needs)
    assert [a.need_id for a in result.assignments] == ["a"]
    assert result.unassigned == ("b",)
    assert result.status == "optimal"


def test_it_gives_each_slot_of_a_need_a_different_resource(engine):
    result = engine.assign([need("a", "老人理发和验光配眼镜", slots=3)])
    resources = [a.resource_id for a in result.assignments]
    assert len(resources) == len(set(resources)) >= 2


def test_it_assigns_with_the_engine_today(resources):
    from wulian.matching import assign

    result = assign([need("a", "剪头发")], resources, today=TODAY, fair=True)
    assert [a.resource_id for a in result.assignments] == ["haircut"]


def test_it_finds_the_same_pairs_with_forked_workers(engine):
    needs = [need(f"n{i}", text) for i, text in enumerate(["想剪头发", "验光", "反诈讲座"] * 4)]
    alone = engine.pairs(needs, batch=2, workers=1)
    shared = engine.pairs(needs, batch=2, workers=2)
    for a, b in zip(alone, shared, strict=True):
        assert a.tolist() == b.tolist()
    assert len(alone[0]) > 0


def test_it_never_leaves_a_servable_need_unassigned_for_fairness():
    # eight needs that only one provider can serve, each barely above the threshold
    chosen = [(n, 0) for n in range(8)]
    instance = ([1] * 8, [None], ["p"], chosen, [WEIGHTS.threshold] * 8)
    result, *_ = run(instance, fair=True)
    assert len(result.assignments) == 8
    assert result.unassigned == ()
