import logging
from typing import Any

from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp

logger = logging.getLogger(__name__)


class VolunteeringConfig(WulianApp):
    name = "wulian.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteer hours")
    urls = ("hours/", "wulian.volunteering.urls")
    api_router = "wulian.volunteering.api.router"
    navigation = "wulian.volunteering.navigation.items"
    demo = ("wulian.volunteering.demo.build_volunteering", "volunteer records")
    periodic_tasks = ("wulian.volunteering.tasks.sweep_volunteering_task",)
    indicators = "wulian.volunteering.indicators.INDICATORS"

    def ready(self) -> None:
        from wulian.activities.services import volunteer_hours_recorded

        volunteer_hours_recorded.connect(_record_check_outs, dispatch_uid="volunteering.ledger")


def _record_check_outs(sender: Any, records: Any, **kwargs: Any) -> None:
    """A volunteer checked out of an activity: the ledger writes the verified record. The
    check-out is done by then; should the ledger fail, the worker's sweep writes it later."""
    from wulian.volunteering import services

    try:
        services.record_activity_hours(records)
    except Exception:
        logger.exception("volunteer hours not recorded at check-out; the sweep retries")
