"""Text helpers shared by every app: script folding for search, masking personal data."""

from __future__ import annotations

import threading
import unicodedata
from functools import lru_cache

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
    """张秀英 → 张**: a resident is recognisable to neighbours, not identifiable by strangers."""
    name = name.strip()
    if not name:
        return "*"
    return name[0] + "*" * max(1, len(name) - 1)


def mask_mobile(mobile: str) -> str:
    """138****1234: enough to recognise a number, not enough to call it."""
    digits = mobile.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
