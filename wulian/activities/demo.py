from typing import Any


def build_activities(community: Any, actor: Any) -> int:
    return 0
