"""Who may see a notification: only the person it was sent to."""

from __future__ import annotations

from typing import Any

import rules

from wulian.core.access import get_for
from wulian.notifications.models import Notification


@rules.predicate
def is_recipient(user: Any, notification: Notification | None) -> bool:
    return (
        notification is not None
        and getattr(user, "is_authenticated", False)
        and notification.recipient_id == user.pk
    )


rules.add_perm("notifications.view_notification", is_recipient)


def get_notification_for(
    user: Any, pk: Any, perm: str = "notifications.view_notification"
) -> Notification:
    return get_for(user, Notification.objects.all(), pk, perm)
