import pytest

from wulian.matching import Reason, render_reason

from .factories import need


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (
            Reason("category", {"category": "便民服务·理发"}),
            (
                "类别相符: 便民服务·理发",
                "類別相符: 便民服務·理髮",
                "Same category: Convenience services · 理发",
            ),
        ),
        (Reason("same_compound"), ("同一小区", "同一小區", "Same compound")),
        (
            Reason("schedule", {"weekdays": (2,), "part": "afternoon"}),
            ("每周三下午可服务", "每週三下午可服務", "Available on Wed afternoons"),
        ),
        (
            Reason("capacity", {"remaining": 12, "unit": "人次"}),
            ("剩余容量 12 人次", "剩餘容量 12 人次", "12 visits of capacity left"),
        ),
        (
            Reason("tags", {"tags": "老人、上门"}),
            ("共同标签: 老人、上门", "共同標籤: 老人、上門", "Shared tags: 老人, 上门"),
        ),
    ],
)
def test_it_renders_a_reason_in_three_languages(reason, expected):
    assert tuple(render_reason(reason, lang) for lang in ("zh-hans", "zh-hant", "en")) == expected


def test_it_falls_back_to_simplified_chinese_for_an_unknown_language():
    assert render_reason(Reason("same_community"), "fr") == "同一社区"


def test_it_renders_an_unknown_code_as_the_code():
    assert render_reason(Reason("something_new"), "en") == "something_new"


def test_it_says_every_day_when_all_weekdays_are_listed():
    reason = Reason("schedule", {"weekdays": tuple(range(7)), "part": ""})
    assert render_reason(reason, "zh-hans") == "每天可服务"
    assert render_reason(reason, "en") == "Available every day"


def test_it_uses_standard_traditional_characters_in_zh_hant():
    reason = Reason("category", {"category": "为老服务·探访关爱"})
    assert render_reason(reason, "zh-hant") == "類別相符: 為老服務·探訪關愛"


def test_it_names_only_whole_words_among_the_matching_words(engine):
    for candidate in engine.recommend(need("w", "屋里婆婆头发长了，想请人来帮她弄一下"), k=5):
        for reason in candidate.reasons:
            if reason.code == "terms":
                assert all(len(word) > 1 for word in str(reason.params["terms"]).split("、"))
