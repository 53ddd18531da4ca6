from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class PlacesConfig(WulianApp):
    name = "wulian.places"
    label = "places"
    verbose_name = _("Places")
    api_router = "wulian.places.api.router"
