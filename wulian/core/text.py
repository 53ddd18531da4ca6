"""Text helpers shared by every app: script folding for search, masking personal data,
cleaning what people type and keeping it inert in the spreadsheets we write."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any, TypeVar

import opencc

_lock = threading.Lock()
_converters: dict[str, opencc.OpenCC] = {}


def _converter(config: str) -> opencc.OpenCC:
    with _lock:
        if config not in _converters:
            _converters[config] = opencc.OpenCC(config)
        return _converters[config]


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    return str(_converter("t2s").convert(text))


def to_traditional(text: str) -> str:
    return str(_converter("s2t").convert(text))


def fold(text: str) -> str:
    """Fold text for matching: full-width to half-width, traditional to simplified, lower case.

    A search for 理发 finds 理髮 and the reverse because both sides are folded the same way.
    """
    return to_simplified(unicodedata.normalize("NFKC", text)).lower()


def mask_name(name: str) -> str:
    """张秀英 → 张**: a resident is recognisable to neighbours, not identifiable by strangers.
    Always two stars, so the mask does not tell how long the name is (尹英 → 尹**)."""
    name = name.strip()
    if not name:
        return "*"
    return name[0] + "**"


def mask_mobile(mobile: str) -> str:
    """138****1234: enough to recognise a number, not enough to call it."""
    digits = mobile.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


# C0 controls but tab, line feed and carriage return; DEL; the C1 controls. None of them is text a
# person means to write, several make an .xlsx file invalid (openpyxl's IllegalCharacterError)
# and some hide text on a printed page.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """The text without control characters (三楼\x0b四楼 → 三楼四楼); tabs and line breaks stay.

    Applied where text enters: every form a page receives (`core.http.CleanTextMiddleware`),
    every API body and query (the API's parser, through `clean_data`) and the importer's cells.
    """
    return _CONTROL.sub("", text)


def clean_data(data: Any) -> Any:
    """`clean_text` applied to every string in a decoded JSON body (dicts, lists, strings)."""
    if isinstance(data, str):
        return clean_text(data)
    if isinstance(data, dict):
        return {clean_data(key): clean_data(value) for key, value in data.items()}
    if isinstance(data, list):
        return [clean_data(value) for value in data]
    return data


# What makes a spreadsheet cell a formula (OWASP's list), tab and carriage return included:
# Excel and LibreOffice skip them and run what follows.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Value = TypeVar("Value")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.lstrip(" ")[:1] in FORMULA_START


def spreadsheet_text(text: str) -> str:
    """Text as a spreadsheet cell may hold it: no control character, and a leading apostrophe
    before what a spreadsheet would run as a formula (OWASP's rule). The importer takes the
    apostrophe off again."""
    text = clean_text(text)
    return "'" + text if looks_like_formula(text) else text


def spreadsheet_cell(value: Value) -> Value | str:
    """A cell of an export: text made inert (`spreadsheet_text`), numbers and dates untouched."""
    return spreadsheet_text(value) if isinstance(value, str) else value
