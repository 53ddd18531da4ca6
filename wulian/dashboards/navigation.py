from __future__ import annotations

from django.http import HttpRequest

from wulian.core.registry import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    return []
