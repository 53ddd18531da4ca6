from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class ListsConfig(WulianApp):
    name = "wulian.lists"
    label = "lists"
    verbose_name = _("The three lists")
    urls = ("lists/", "wulian.lists.urls")
    api_router = "wulian.lists.api.router"
    navigation = "wulian.lists.navigation.items"
    demo = ("wulian.lists.demo.build_lists", "list items")
    periodic_tasks = ("wulian.lists.tasks.sweep_lists_task",)
    indicators = "wulian.lists.indicators.INDICATORS"
