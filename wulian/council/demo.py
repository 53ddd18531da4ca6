from __future__ import annotations

from typing import Any


def build_council(community: Any, actor: Any) -> int:
    return 0
