from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class ActivitiesConfig(WulianApp):
    name = "wulian.activities"
    label = "activities"
    verbose_name = _("Venues, activities and services")
    urls = ("activities/", "wulian.activities.urls")
    api_router = "wulian.activities.api.router"
    navigation = "wulian.activities.navigation.items"
    demo = ("wulian.activities.demo.build_activities", "venues, activities and services")
    periodic_tasks = ("wulian.activities.tasks.sweep_activities_task",)
    indicators = "wulian.activities.indicators.INDICATORS"
