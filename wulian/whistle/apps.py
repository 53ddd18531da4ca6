from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhistleConfig(AppConfig):
    name = "wulian.whistle"
    label = "whistle"
    verbose_name = _("Whistle and report")

    def ready(self) -> None:
        from wulian.notifications.scheduler import register_periodic

        register_periodic("wulian.whistle.tasks.sweep_deadlines_task")
