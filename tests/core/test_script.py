"""Traditional-script pages show people's text in traditional script; stored text stays."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import fresh
from wulian.core.script import to_traditional_html
from wulian.lists import services
from wulian.lists.models import Need


def test_it_converts_the_text_and_leaves_tags_form_contents_and_scripts() -> None:
    html = (
        '<h1 title="理发">江汉北路社区</h1><!-- 理发 --><input name="t" value="上门理发">'
        "<textarea>老人理发</textarea><script>var a = '理发';</script><p>理发</p>"
    )
    assert to_traditional_html(html) == (
        '<h1 title="理发">江漢北路社區</h1><!-- 理发 --><input name="t" value="上门理发">'
        "<textarea>老人理发</textarea><script>var a = '理发';</script><p>理髮</p>"
    )


def test_it_converts_text_at_the_edges_and_leaves_other_text_alone() -> None:
    assert to_traditional_html("发布会<b>x</b>会议") == "發佈會<b>x</b>會議"
    assert to_traditional_html("<p>Wulian 2026</p>") == "<p>Wulian 2026</p>"


@pytest.fixture
def haircut_need(world: Any) -> Need:
    need = services.raise_need(
        world["resident"],
        world.community,
        services.NeedInput(title="42号小区老人上门理发", description="十几位老人下不了楼"),
    )
    return services.publish_need(world["community_staff"], need)


@pytest.mark.django_db
def test_a_traditional_page_shows_the_need_in_traditional_script(
    client: Any, haircut_need: Need
) -> None:
    client.cookies["wulian_language"] = "zh-hant"
    page = client.get(f"/lists/needs/{haircut_need.pk}/").content.decode()
    assert "42號小區老人上門理髮" in page and "江漢北路社區" in page
    assert "42号小区老人上门理发" not in page
    client.cookies["wulian_language"] = "zh-hans"
    assert "42号小区老人上门理发" in client.get(f"/lists/needs/{haircut_need.pk}/").content.decode()


@pytest.mark.django_db
def test_the_edit_form_keeps_the_stored_text_so_saving_changes_nothing(
    client: Any, world: Any, haircut_need: Need
) -> None:
    client.force_login(fresh(world["community_staff"]))
    client.cookies["wulian_language"] = "zh-hant"
    page = client.get(f"/lists/needs/{haircut_need.pk}/edit/").content.decode()
    assert 'value="42号小区老人上门理发"' in page
    assert "十几位老人下不了楼</textarea>" in page, page[
        page.find("<textarea") : page.find("</textarea>") + 11
    ]
    assert "編輯需求" in page or "修改需求" in page


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["理发", "理髮"])
def test_search_finds_the_need_in_either_script(
    client: Any, haircut_need: Need, query: str
) -> None:
    client.cookies["wulian_language"] = "zh-hant"
    page = client.get("/lists/needs/", {"q": query}).content.decode()
    assert "42號小區老人上門理髮" in page
