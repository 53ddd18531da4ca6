from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class EventsConfig(WulianApp):
    name = "wulian.events"
    label = "events"
    verbose_name = _("Release events")
    urls = ("events/", "wulian.events.urls")
    api_router = "wulian.events.api.router"
    navigation = "wulian.events.navigation.items"
    demo = ("wulian.events.demo.build_events", "release events and their needs")
    indicators = "wulian.events.indicators.INDICATORS"
