from django.utils.translation import gettext_lazy as _

from wulian.core.registry import Watch, WulianApp

# A need's page shows the resolution it came from.
WATCHES = (
    Watch(
        "council.Resolution",
        "lists",
        lambda row: [row.need.community_id if row.need_id else None],
    ),
)


class CouncilConfig(WulianApp):
    name = "wulian.council"
    label = "council"
    watches = "wulian.council.apps.WATCHES"
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
