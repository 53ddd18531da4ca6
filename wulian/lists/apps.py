from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "wulian.lists"
    label = "lists"
    verbose_name = _("The three lists")

    def ready(self) -> None:
        from wulian.notifications.scheduler import register_periodic

        register_periodic("wulian.lists.tasks.sweep_lists_task")
