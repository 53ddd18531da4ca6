from django.utils.translation import gettext_lazy as _

from wulian.core.registry import Watch, WulianApp

# The menu's unread count is kept with it: a new notification moves its recipient's version
# (marking read, an update, moves it in the services).
WATCHES = (
    Watch("notifications.Notification", "person", lambda row: [row.recipient_id], everywhere=False),
)


class NotificationsConfig(WulianApp):
    name = "wulian.notifications"
    label = "notifications"
    watches = "wulian.notifications.apps.WATCHES"
    verbose_name = _("Notifications")
    urls = ("inbox/", "wulian.notifications.urls")
    api_router = "wulian.notifications.api.router"
    periodic_tasks = ("wulian.notifications.tasks.recover_deliveries_task",)
