from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class CouncilConfig(WulianApp):
    name = "wulian.council"
    label = "council"
    verbose_name = _("Red deliberation council")
    urls = ("council/", "wulian.council.urls")
    api_router = "wulian.council.api.router"
    navigation = "wulian.council.navigation.items"
    demo = ("wulian.council.demo.build_council", "council meetings")
    periodic_tasks = ("wulian.council.tasks.sweep_resolutions_task",)
    indicators = "wulian.council.indicators.INDICATORS"

    def ready(self) -> None:
        from wulian.core import links
        from wulian.council.links import resolution_links

        links.register(resolution_links)
