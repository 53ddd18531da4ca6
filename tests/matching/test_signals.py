"""Signals that make the ranking hold on text nobody tuned it on: character n-grams, what a
resource says it does not do, and reasons that stay true."""

from wulian.matching import Engine, ResourceRecord, Weights, render_reason
from wulian.matching.text import char_grams, common_phrases, normalise, segment, split_exclusions

from .factories import TODAY, need


def _resource(id: str, title: str, description: str = "") -> ResourceRecord:
    return ResourceRecord(id=id, title=title, description=description, provider_id=id)


def test_it_reads_what_a_resource_says_it_does_not_do():
    kept, phrases = split_exclusions(normalise("义剪理发，不提供上门服务。外墙清洗不含高空作业"))
    assert phrases == ["不提供上门服务", "不含高空作业"]
    assert "上门" not in kept and "高空" not in kept
    assert "理发" in kept


def test_it_does_not_read_行动不便_as_an_exclusion():
    kept, phrases = split_exclusions(normalise("行动不便的老人可预约上门"))
    assert phrases == []
    assert "上门" in kept


def test_it_ranks_a_resource_that_refuses_home_visits_below_one_that_makes_them():
    refuses = _resource("refuses", "义剪理发", "美发师生为居民理发，不提供上门服务")
    plain = _resource("plain", "义剪理发", "美发师生为居民理发")
    engine = Engine([refuses, plain], today=TODAY, weights=Weights(threshold=0.0))
    asked = need("n", "婆婆瘫痪在床，想请人上门理发")
    scores = {c.resource_id: c.score for c in engine.recommend(asked, k=5)}
    # Without reading the exclusion, "refuses" would share one more word (上门) and win.
    assert scores.get("refuses", 0.0) < scores["plain"]


def test_it_tells_staff_what_the_resource_says_it_does_not_do():
    refuses = _resource("refuses", "义剪理发上门", "美发师生为居民理发，不提供上门服务")
    engine = Engine([refuses], today=TODAY, weights=Weights(threshold=0.0))
    found = engine.recommend(need("n", "想请人上门理发"), k=1)
    texts = [render_reason(r, "zh-hans") for r in found[0].reasons]
    assert "请注意, 提供方说明: 不提供上门服务" in texts


def test_it_cuts_text_into_character_unigrams_and_bigrams_after_conversion():
    grams = char_grams(normalise("上門理髮"))
    assert {"上", "门", "理", "发", "上门", "门理", "理发"} == set(grams)


def test_it_finds_a_resource_through_characters_when_no_word_is_shared():
    # 扦脚 is in no synonym line and jieba keeps 扦脚师傅 whole: only characters are shared.
    engine = Engine(
        [_resource("feet", "扦脚修脚", "老师傅扦脚，处理灰指甲"), _resource("law", "法律咨询")],
        today=TODAY,
    )
    found = engine.recommend(need("n", "找个扦脚师傅"), k=2)
    assert [c.resource_id for c in found][:1] == ["feet"]


def test_it_names_only_phrases_both_texts_contain():
    phrases = common_phrases(normalise("找个扦脚师傅"), normalise("老师傅扦脚，处理灰指甲"))
    assert phrases and all(p in "找个扦脚师傅" and p in "老师傅扦脚,处理灰指甲" for p in phrases)


def test_its_cut_keeps_community_terms_and_dictionary_words_whole():
    words = segment("红色议事厅开会，电梯坏了")
    assert "红色议事厅" in words
    assert "电梯" in words
