from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class DashboardsConfig(WulianApp):
    name = "wulian.dashboards"
    label = "dashboards"
    verbose_name = _("Joint development: dashboards")
    urls = ("dashboards/", "wulian.dashboards.urls")
    navigation = "wulian.dashboards.navigation.items"
    demo = ("wulian.dashboards.demo.build_dashboards", "dashboard figures")
    periodic_tasks = (
        "wulian.dashboards.tasks.refresh_rollups_task",
        "wulian.dashboards.tasks.monthly_reports_task",
    )
