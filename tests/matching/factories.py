"""Records shared by the matching tests."""

from datetime import date
from typing import Any

from wulian.matching import NeedRecord

TODAY = date(2026, 11, 27)  # a Friday

REGION = ("wuhan", "jiangan")


def need(id: str, title: str, **fields: Any) -> NeedRecord:
    place: dict[str, Any] = {
        "compound_id": "c42",
        "community_id": "jhbl",
        "subdistrict_id": "xima",
        "region_path": REGION,
    }
    place.update(fields)
    return NeedRecord(id=id, title=title, **place)
