from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from wulian.notifications.services import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications`: counted only when a template uses it."""
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(request.user))}
