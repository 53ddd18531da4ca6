"""Reasons a person can read, as data, and their rendering in three languages.

The engine attaches :class:`Reason` values (a stable code and parameters) to each candidate;
``render_reason`` turns one into a sentence. Plain dict templates keep the engine free of
Django's i18n; the pages may still wrap the result as they like.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from wulian.matching.text import to_traditional

Lang = Literal["zh-hans", "zh-hant", "en"]
LANGS: tuple[Lang, ...] = ("zh-hans", "zh-hant", "en")
ParamValue = str | int | float | tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a candidate was proposed: ``code`` is stable, ``params`` fill the template."""

    code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict)


TEMPLATES: dict[str, dict[Lang, str]] = {
    "category": {
        "zh-hans": "类别相符: {category}",
        "zh-hant": "類別相符: {category}",
        "en": "Same category: {category}",
    },
    "category_related": {
        "zh-hans": "类别相近: {category}",
        "zh-hant": "類別相近: {category}",
        "en": "Related category: {category}",
    },
    "tags": {
        "zh-hans": "共同标签: {tags}",
        "zh-hant": "共同標籤: {tags}",
        "en": "Shared tags: {tags}",
    },
    "terms": {
        "zh-hans": "内容相符: {terms}",
        "zh-hant": "內容相符: {terms}",
        "en": "Matching words: {terms}",
    },
    "related_words": {
        "zh-hans": "意思相近: {asked} / {offered}",
        "zh-hant": "意思相近: {asked} / {offered}",
        "en": "Words of like meaning: {asked} / {offered}",
    },
    "excludes": {
        "zh-hans": "请注意, 提供方说明: {phrase}",
        "zh-hant": "請注意, 提供方說明: {phrase}",
        "en": "Note, the provider says: {phrase}",
    },
    "same_compound": {"zh-hans": "同一小区", "zh-hant": "同一小區", "en": "Same compound"},
    "same_community": {"zh-hans": "同一社区", "zh-hant": "同一社區", "en": "Same community"},
    "same_subdistrict": {
        "zh-hans": "同一街道",
        "zh-hant": "同一街道",
        "en": "Same subdistrict",
    },
    "schedule": {
        "zh-hans": "{weekdays}{part}可服务",
        "zh-hant": "{weekdays}{part}可服務",
        "en": "Available {weekdays}{part}",
    },
    "before_deadline": {
        "zh-hans": "可在截止日期 {date} 前服务",
        "zh-hant": "可在截止日期 {date} 前服務",
        "en": "Can serve before the deadline, {date}",
    },
    "capacity": {
        "zh-hans": "剩余容量 {remaining} {unit}",
        "zh-hant": "剩餘容量 {remaining} {unit}",
        "en": "{remaining} {unit} of capacity left",
    },
    "provider_record": {
        "zh-hans": "服务记录良好: 完成率 {completion}%, 评分 {rating}",
        "zh-hant": "服務記錄良好: 完成率 {completion}%, 評分 {rating}",
        "en": "Good record: {completion}% completed, rated {rating}",
    },
    "urgent": {"zh-hans": "紧急需求", "zh-hant": "緊急需求", "en": "Urgent need"},
}

_WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "zh-hans": ("一", "二", "三", "四", "五", "六", "日"),
    "zh-hant": ("一", "二", "三", "四", "五", "六", "日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_PARTS: dict[Lang, dict[str, str]] = {
    "zh-hans": {"morning": "上午", "afternoon": "下午", "evening": "晚上", "day": "全天", "": ""},
    "zh-hant": {"morning": "上午", "afternoon": "下午", "evening": "晚上", "day": "全天", "": ""},
    "en": {
        "morning": " mornings",
        "afternoon": " afternoons",
        "evening": " evenings",
        "day": " all day",
        "": "",
    },
}
_UNITS_EN = {
    "人次": "visits",
    "人": "people",
    "次": "times",
    "场": "sessions",
    "小时": "hours",
    "天": "days",
    "户": "households",
    "个": "items",
    "件": "items",
}
_CATEGORIES_EN = {
    "为老服务": "Elderly care",
    "便民服务": "Convenience services",
    "环境整治": "Environment",
    "设施改造": "Facilities",
    "文化教育": "Culture and education",
    "健康卫生": "Health",
    "平安法治": "Safety and law",
    "就业创业": "Jobs and enterprise",
    "关爱帮扶": "Care and support",
    "新就业群体": "New-employment groups",
    "党建共建": "Party building",
    "场地设施": "Venues",
    "资金物资": "Funds and goods",
}


def part_of_day(start_hour: int | None, end_hour: int | None) -> str:
    """ "morning", "afternoon", "evening", "day" or "" from an hour range."""
    if start_hour is None or end_hour is None:
        return ""
    if start_hour < 12 and end_hour > 14:
        return "day"
    if end_hour <= 12:
        return "morning"
    if start_hour >= 18:
        return "evening"
    return "afternoon"


def _weekdays(days: tuple[int, ...], lang: Lang) -> str:
    names = _WEEKDAYS[lang]
    ordered = sorted(set(days))
    if lang == "en":
        if len(ordered) == 7:
            return "every day"
        return "on " + ", ".join(names[d] for d in ordered)
    if len(ordered) == 7:
        return "每天"
    return ("每週" if lang == "zh-hant" else "每周") + "、".join(names[d] for d in ordered)


def _text(value: ParamValue, lang: Lang) -> str:
    text = value if isinstance(value, str) else str(value)
    return to_traditional(text) if lang == "zh-hant" else text


def _category(value: ParamValue, lang: Lang) -> str:
    text = str(value)
    if lang == "en":
        levels = text.split("·")
        levels[0] = _CATEGORIES_EN.get(levels[0], levels[0])
        return " · ".join(levels)
    return _text(text, lang)


def render_reason(reason: Reason, lang: str = "zh-hans") -> str:
    """The reason as a sentence in ``lang`` ("zh-hans", "zh-hant" or "en"; other values fall
    back to zh-hans). Unknown codes render as the code itself."""
    language: Lang = "zh-hans"
    for known in LANGS:
        if lang == known:
            language = known
    templates = TEMPLATES.get(reason.code)
    if templates is None:
        return reason.code
    p = reason.params
    values: dict[str, str] = {}
    for key, value in p.items():
        if key == "weekdays" and isinstance(value, tuple):
            values[key] = _weekdays(value, language)
        elif key == "part":
            values[key] = _PARTS[language].get(str(value), "")
        elif key == "category":
            values[key] = _category(value, language)
        elif key == "unit" and language == "en":
            values[key] = _UNITS_EN.get(str(value), str(value))
        elif key in ("tags", "terms") and language == "en":
            values[key] = str(value).replace("、", ", ")
        else:
            values[key] = _text(value, language)
    try:
        return templates[language].format(**values)
    except (KeyError, IndexError):
        return reason.code
