from django.utils.translation import gettext_lazy as _

from wulian.core.registry import Watch, WulianApp

WATCHES = (
    # A person's menu follows their assignments and the names of the regions they work for.
    Watch("places.StaffAssignment", "person", lambda row: [row.user_id], everywhere=False),
    Watch(
        "places.Region",
        "person",
        lambda region: region.staff.values_list("user_id", flat=True),
        everywhere=False,
    ),
)


class PlacesConfig(WulianApp):
    name = "wulian.places"
    label = "places"
    watches = "wulian.places.apps.WATCHES"
    verbose_name = _("Places")
    api_router = "wulian.places.api.router"
    urls = ("places/", "wulian.places.urls")
