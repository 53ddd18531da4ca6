from wulian.matching import Engine, NeedRecord, Weights, render_reason

from .factories import TODAY, need


def test_it_recommends_the_haircut_service_for_a_traditional_script_need(engine):
    found = engine.recommend(need("n1", "我媽腿腳不好，想請人來家裡剪個頭髮"))
    assert [c.resource_id for c in found][:1] == ["haircut"]


def test_it_explains_a_recommendation_in_words_a_resident_reads(engine):
    best = engine.recommend(need("n1", "老人想理发", category=("便民服务", "理发美容")))[0]
    texts = [render_reason(r, "zh-hans") for r in best.reasons]
    assert "类别相符: 便民服务·理发美容" in texts
    assert "同一小区" in texts
    assert "每周三下午可服务" in texts
    assert "剩余容量 12 人次" in texts


def test_it_excludes_a_resource_outside_its_service_area(engine):
    found = engine.recommend(need("n2", "遗嘱继承法律咨询", category=("平安法治", "法律服务")))
    assert "law" not in [c.resource_id for c in found]


def test_it_offers_the_same_resource_inside_its_service_area(resources):
    engine = Engine(resources, today=TODAY)
    inside = NeedRecord(
        "n3",
        "遗嘱继承法律咨询",
        subdistrict_id="other-subdistrict",
        region_path=("wuhan", "hankou"),
    )
    assert [c.resource_id for c in engine.recommend(inside)][:1] == ["law"]


def test_it_excludes_a_resource_with_no_capacity_left(engine):
    found = engine.recommend(need("n4", "理发", category=("便民服务", "理发美容")))
    assert "full" not in [c.resource_id for c in found]


def test_it_returns_nothing_when_no_resource_reaches_the_threshold(engine):
    assert engine.recommend(need("n5", "楼道的声控灯坏了好久没人修")) == []


def test_it_returns_nothing_when_the_threshold_is_above_every_score(resources):
    strict = Engine(resources, weights=Weights(threshold=0.99), today=TODAY)
    assert strict.recommend(need("n6", "剪头发")) == []


def test_it_finds_a_need_that_never_uses_the_provider_words(engine):
    found = engine.recommend(need("n7", "老年人查视力"))
    assert found and found[0].resource_id == "glasses"


def test_it_ranks_needs_for_a_provider_through_its_own_resources(engine):
    needs = [
        need("a", "想剪头发"),
        need("b", "眼镜好脏想洗一下", urgency=2),
        need("c", "防诈骗讲座"),
    ]
    found = engine.recommend_for_provider("school", needs, k=5)
    assert {c.need_id for c in found} == {"a", "b"}
    assert all(c.provider_id == "school" for c in found)


def test_it_scores_within_zero_and_one(engine):
    for c in engine.recommend(need("n8", "理发 验光 眼镜 老人 上门 防诈骗"), k=10):
        assert 0.0 <= c.score <= 1.0


def test_it_returns_nothing_from_an_empty_resource_list():
    engine = Engine([], today=TODAY)
    assert engine.recommend(need("n9", "理发")) == []
    result = engine.assign([need("n9", "理发")])
    assert result.assignments == ()
    assert result.unassigned == ("n9",)


def test_it_returns_nothing_for_a_need_with_no_words(engine):
    assert engine.recommend(need("n10", "，。！ ")) == []


def test_it_ranks_the_same_way_every_time(engine):
    ask = need("n11", "老人上门服务")
    first = [(c.resource_id, c.score) for c in engine.recommend(ask, k=10)]
    assert first == [(c.resource_id, c.score) for c in engine.recommend(ask, k=10)]


def test_it_ranks_urgent_needs_higher_for_a_provider(engine):
    calm = need("calm", "想剪头发", urgency=0)
    urgent = need("urgent", "想剪头发", urgency=2)
    found = engine.recommend_for_provider("school", [calm, urgent], k=2)
    assert [c.need_id for c in found] == ["urgent", "calm"]


def test_it_scores_a_need_the_same_whatever_was_asked_before(resources):
    named = need("named", "理发", category=("便民服务", "理发美容"))
    unnamed = need("unnamed", "理发")
    first, second = Engine(resources, today=TODAY), Engine(resources, today=TODAY)
    first.recommend(named)
    second.recommend(unnamed)
    for ask in (named, unnamed):
        assert [(c.resource_id, c.score) for c in first.recommend(ask)] == [
            (c.resource_id, c.score) for c in second.recommend(ask)
        ]
