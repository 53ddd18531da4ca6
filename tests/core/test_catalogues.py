"""Every catalogue is complete, and zh_Hant is exactly what OpenCC makes of zh_Hans."""

from pathlib import Path

import opencc
import polib
import pytest
from django.utils import translation

from wulian.activities.forms import ActivityForm
from wulian.activities.indicators import INDICATORS as ACTIVITY_INDICATORS
from wulian.activities.models import Activity
from wulian.council.forms import CommentForm
from wulian.lists.models import Need
from wulian.orgs.models import Membership
from wulian.places.models import StaffAssignment

LOCALE = Path(__file__).resolve().parents[2] / "wulian" / "locale"
LANGUAGES = ["zh_Hans", "zh_Hant", "en"]


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    catalogue = _po(language)
    assert len(catalogue) > 100
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    po = _po(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert compiled[(entry.msgctxt, entry.msgid)][0] == entry.msgstr, entry.msgid


def test_traditional_chinese_is_generated_from_simplified():
    s2t = opencc.OpenCC("s2t")
    simplified = {e.msgid: e.msgstr for e in _po("zh_Hans")}
    traditional = {e.msgid: e.msgstr for e in _po("zh_Hant")}
    assert traditional.keys() == simplified.keys()
    for msgid, text in simplified.items():
        assert traditional[msgid] == s2t.convert(text), msgid


@pytest.mark.parametrize(
    ("language", "thing", "person"),
    [("zh-hans", "标题", "职务"), ("zh-hant", "標題", "職務"), ("en", "title", "job title")],
)
def test_a_things_title_and_a_persons_title_are_told_apart(language, thing, person):
    with translation.override(language):
        assert str(Need._meta.get_field("title").verbose_name) == thing
        assert str(Activity._meta.get_field("title").verbose_name) == thing
        assert str(StaffAssignment._meta.get_field("title").verbose_name) == person
        assert str(Membership._meta.get_field("title").verbose_name) == person


def _labels() -> dict[str, str]:
    hours = next(i for i in ACTIVITY_INDICATORS if i.key == "activities.venue_hours")
    return {
        "an activity's places": str(ActivityForm.base_fields["capacity"].label),
        "a council comment": str(CommentForm.base_fields["text"].label),
        "hours as a unit": str(hours.unit_of_measure),
        "a need's claimed slots": str(Need._meta.get_field("claimed_slots").verbose_name),
    }


def test_words_that_share_an_english_msgid_read_right_in_chinese():
    """Seen on the pages: an activity's capacity read 地区 (Places, the app), a council
    comment 评价内容 (a project's rating), hours 时长, and the need's history Claimed slots."""
    with translation.override("zh-hans"):
        assert _labels() == {
            "an activity's places": "名额",
            "a council comment": "发言",
            "hours as a unit": "小时",
            "a need's claimed slots": "已认领名额",
        }
