from django.utils.translation import gettext_lazy as _

from wulian.core.registry import Watch, WulianApp

# A board is drawn once per version of its event and of its communities' lists (reports.py).
WATCHES = (
    Watch("events.ReleaseEvent", "events", lambda event: [event.pk], everywhere=False),
    Watch(
        "events.ReleaseEvent",
        "events",
        lambda side: [side.pk] if side._meta.label == "events.ReleaseEvent" else [],
        m2m="communities",
        everywhere=False,
    ),
    Watch("events.EventNeed", "events", lambda entry: [entry.event_id], everywhere=False),
    # A need's page offers the next event until the need is on one.
    Watch("events.EventNeed", "lists", lambda entry: [entry.need.community_id]),
)


class EventsConfig(WulianApp):
    name = "wulian.events"
    label = "events"
    watches = "wulian.events.apps.WATCHES"
    verbose_name = _("Release events")
    urls = ("events/", "wulian.events.urls")
    api_router = "wulian.events.api.router"
    navigation = "wulian.events.navigation.items"
    demo = ("wulian.events.demo.build_events", "release events and their needs")
    indicators = "wulian.events.indicators.INDICATORS"
