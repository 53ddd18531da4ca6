from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class OrgsConfig(WulianApp):
    name = "wulian.orgs"
    label = "orgs"
    verbose_name = _("Organisations")
    urls = ("orgs/", "wulian.orgs.urls")
    api_router = "wulian.orgs.api.router"
    navigation = "wulian.orgs.navigation.items"
    indicators = "wulian.orgs.indicators.INDICATORS"
