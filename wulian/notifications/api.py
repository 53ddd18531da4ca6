"""The inbox in the JSON API."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from wulian.accounts.models import User
from wulian.core.bounds import BoundedPagination, Id
from wulian.notifications import services
from wulian.notifications.models import Notification
from wulian.notifications.rules import get_notification_for

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    urgent: bool
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class UnreadOut(Schema):
    unread: int


@router.get("/notifications", response=list[NotificationOut])
@paginate(BoundedPagination, page_size=20)
def list_notifications(request: HttpRequest, unread: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient=User.of(request))
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


@router.get("/notifications/unread-count", response=UnreadOut)
def unread_count(request: HttpRequest) -> UnreadOut:
    return UnreadOut(unread=services.unread_count(User.of(request)))


@router.post("/notifications/read-all", response=UnreadOut)
def read_all(request: HttpRequest) -> UnreadOut:
    services.mark_all_read(User.of(request))
    return UnreadOut(unread=0)


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def read_one(request: HttpRequest, notification_id: Id) -> Notification:
    user = User.of(request)
    return services.mark_read(user, get_notification_for(user, notification_id))
