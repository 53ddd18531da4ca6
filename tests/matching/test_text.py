from wulian.matching.text import DATA_DIR, analyse, canonical, normalise, segment, synonyms


def test_it_turns_traditional_script_into_simplified():
    assert normalise("理髮") == "理发"
    assert normalise("驗光配眼鏡") == "验光配眼镜"


def test_it_turns_full_width_into_half_width_and_lower_case():
    assert normalise("ＡＩ詐騙　１２３") == "ai诈骗 123"


def test_it_finds_理发_in_理髮_and_the_reverse():
    assert "理发" in analyse("上門理髮")
    assert set(analyse("理发")) == set(analyse("理髮"))


def test_it_maps_variants_to_one_canonical_term():
    groups = [
        ("理发", "剪头发", "剃头", "剪发"),
        ("老人", "老年人", "长者"),
        ("验光", "配眼镜", "查视力"),
        ("防诈骗", "反诈"),
        ("中暑", "高温", "防暑"),
    ]
    for group in groups:
        assert {canonical(word) for word in group} == {canonical(group[0])}


def test_it_finds_the_canonical_term_in_colloquial_sentences():
    assert "理发" in analyse("我媽想請人來家裡剪個頭髮")
    assert "快递员" in analyse("给快递小哥送点绿豆汤")
    assert "地锁" in analyse("小區裡面地鎖太多")


def test_it_keeps_community_terms_whole_when_segmenting():
    assert "红色议事厅" in segment("红色议事厅开会")
    assert "新时代文明实践站" in segment("新时代文明实践站")


def test_it_drops_stop_words_and_punctuation():
    terms = analyse("我们，想要的！")
    assert terms == {}


def test_it_lists_each_variant_under_one_concept_only():
    table = synonyms()
    lines = [
        line.split()
        for line in (DATA_DIR / "synonyms.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    words = [word for line in lines for word in line]
    assert len(words) == len(set(words))
    assert all(table[word] == line[0] for line in lines for word in line)


def test_it_keeps_jiebas_cache_out_of_the_system_temp_folder(monkeypatch, tmp_path):
    from wulian.matching.text import cache_dir

    monkeypatch.setenv("WULIAN_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    monkeypatch.delenv("WULIAN_CACHE_DIR")
    assert cache_dir().parts[-2:] == (".cache", "wulian")
