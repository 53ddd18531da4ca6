from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class NotificationsConfig(WulianApp):
    name = "wulian.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    urls = ("inbox/", "wulian.notifications.urls")
    api_router = "wulian.notifications.api.router"
    periodic_tasks = ("wulian.notifications.tasks.recover_deliveries_task",)
