from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class WhistleConfig(WulianApp):
    name = "wulian.whistle"
    label = "whistle"
    verbose_name = _("Whistle and report")
    urls = ("whistles/", "wulian.whistle.urls")
    api_router = "wulian.whistle.api.router"
    navigation = "wulian.whistle.navigation.items"
    demo = ("wulian.whistle.demo.build_whistles", "whistles")
    periodic_tasks = ("wulian.whistle.tasks.sweep_deadlines_task",)
    indicators = "wulian.whistle.indicators.INDICATORS"
