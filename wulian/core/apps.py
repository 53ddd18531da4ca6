from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wulian.core"
    label = "core"
    verbose_name = "Wulian"

    def ready(self) -> None:
        from wulian.core import versions
        from wulian.core.registry import watch_lists

        for watches in watch_lists():
            versions.connect(watches)
