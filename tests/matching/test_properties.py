from hypothesis import given, settings
from hypothesis import strategies as st

from wulian.matching import Availability, Engine, NeedRecord, ProviderRecord, ResourceRecord

from .factories import TODAY

WORDS = [
    "理发",
    "剪头发",
    "老人",
    "验光",
    "眼镜",
    "反诈",
    "中暑",
    "电梯",
    "楼道",
    "辅导作业",
    "上门",
    "理髮",
]
PLACES = ["c1", "c2", None]

texts = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map("".join)


@st.composite
def resources(draw):
    count = draw(st.integers(1, 6))
    out = []
    for j in range(count):
        out.append(
            ResourceRecord(
                id=f"r{j}",
                title=draw(texts),
                description=draw(texts),
                category=draw(st.sampled_from([(), ("便民服务",), ("便民服务", "理发美容")])),
                tags=tuple(draw(st.lists(st.sampled_from(WORDS), max_size=2))),
                provider_id=draw(st.sampled_from(["p", "q"])),
                compound_id=draw(st.sampled_from(PLACES)),
                service_area=draw(st.sampled_from([(), ("c1",), ("c2",)])),
                capacity_remaining=draw(st.one_of(st.none(), st.integers(0, 5))),
                availability=Availability(frozenset(draw(st.sets(st.integers(0, 6))))),
            )
        )
    return out


@st.composite
def needs(draw):
    count = draw(st.integers(1, 5))
    return [
        NeedRecord(
            id=f"n{i}",
            title=draw(texts),
            compound_id=draw(st.sampled_from(PLACES)),
            urgency=draw(st.integers(0, 2)),
            slots=draw(st.integers(1, 3)),
            deadline=draw(
                st.one_of(st.none(), st.dates(TODAY.replace(day=1), TODAY.replace(month=12)))
            ),
        )
        for i in range(count)
    ]


@settings(max_examples=60, deadline=None)
@given(resources(), needs())
def test_it_keeps_every_score_between_zero_and_one(rs, ns):
    engine = Engine(
        rs, providers=[ProviderRecord("p", completion_rate=1.0, mean_rating=5.0)], today=TODAY
    )
    for n in ns:
        for c in engine.recommend(n, k=10):
            assert 0.0 <= c.score <= 1.0
            assert c.score >= engine.weights.threshold


@settings(max_examples=60, deadline=None)
@given(resources(), needs(), st.booleans())
def test_it_respects_capacity_slots_and_service_areas_end_to_end(rs, ns, fair):
    engine = Engine(rs, today=TODAY)
    result = engine.assign(ns, fair=fair)
    by_id = {r.id: r for r in rs}
    needs_by_id = {n.id: n for n in ns}
    used: dict[str, int] = {}
    for a in result.assignments:
        used[a.resource_id] = used.get(a.resource_id, 0) + 1
        area = by_id[a.resource_id].service_area
        assert not area or area[-1] in needs_by_id[a.need_id].place_ids()
    for rid, count in used.items():
        cap = by_id[rid].capacity_remaining
        assert cap is None or count <= cap
    for nid in {a.need_id for a in result.assignments}:
        assert sum(a.need_id == nid for a in result.assignments) <= needs_by_id[nid].slots


def test_a_kind_of_word_no_resource_has_does_not_break_the_index():
    """Found by the property above: every resource's bag of one kind empty."""
    resource = ResourceRecord(
        id="r0",
        title="验光",
        description="楼道",
        category=(),
        tags=(),
        provider_id="p",
        provider_kind="",
        service_area=(),
        compound_id="c1",
        community_id=None,
        subdistrict_id=None,
        capacity_remaining=None,
        capacity_unit="人次",
        availability=Availability(weekdays=frozenset(), start_hour=None, end_hour=None),
        provider_completion_rate=None,
        provider_mean_rating=None,
    )
    need = NeedRecord(
        id="n0",
        title="理发",
        description="",
        category=(),
        tags=(),
        compound_id="c1",
        community_id=None,
        subdistrict_id=None,
        region_path=(),
        deadline=None,
        urgency=0,
        slots=1,
    )
    for match in Engine([resource], today=TODAY).recommend(need, k=10):
        assert 0.0 <= match.score <= 1.0
