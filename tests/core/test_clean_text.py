"""Control characters never enter: not through a page's form, the API or (exposed) the importer."""

from __future__ import annotations

import pytest

from tests.lists.test_api import _token
from wulian.core.text import clean_data, clean_text
from wulian.lists.models import Need


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("三楼\x0b四楼", "三楼四楼"),
        ("a\x00b\x1fc\x7fd\x85e", "abcde"),
        ("第一行\r\n第二行\t完", "第一行\r\n第二行\t完"),  # tabs and line breaks are text
        ("😀 张秀英", "😀 张秀英"),
    ],
)
def test_it_strips_control_characters_and_keeps_text(typed, kept):
    assert clean_text(typed) == kept


def test_it_cleans_every_string_of_a_json_body():
    assert clean_data({"a\x01": ["x\x0by", 3, {"b": "\x1f"}], "n": None}) == {
        "a": ["xy", 3, {"b": ""}],
        "n": None,
    }


def test_a_need_typed_on_the_page_is_stored_without_control_characters(client, world):
    client.force_login(world["resident"])
    response = client.post(
        "/lists/needs/new/",
        {"title": "楼道\x0b灯坏了", "description": "三楼\x0b四楼\x00", "urgency": 1, "slots": 1},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get()
    assert (need.title, need.description) == ("楼道灯坏了", "三楼四楼")


def test_a_need_sent_to_the_api_is_stored_without_control_characters(client, world):
    created = client.post(
        "/api/needs",
        {
            "title": "楼道\x0b灯坏了",
            "description": "三楼\x0b四楼",
            "community_id": world.community.pk,
            "tags": ["老\x08人"],
        },
        content_type="application/json",
        **_token(world["resident"], "resident-key"),
    )
    assert created.status_code == 201, created.content
    need = Need.objects.get()
    assert (need.title, need.description) == ("楼道灯坏了", "三楼四楼")
    assert list(need.tags.values_list("name", flat=True)) == ["老人"]


def test_a_search_with_a_control_character_is_answered(client, world):
    assert client.get("/lists/needs/", {"q": "灯\x00"}).status_code == 200
    assert client.get("/api/needs", {"q": "灯\x00"}).status_code == 200
