from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wulian.core"
    label = "core"
    verbose_name = "Wulian"
