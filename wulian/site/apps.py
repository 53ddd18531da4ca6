from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class SiteConfig(WulianApp):
    """The top of the house: home pages, navigation and the demo world, gathered from the apps."""

    name = "wulian.site"
    label = "site"
    verbose_name = _("Site")
    urls = ("", "wulian.site.urls")
    navigation = "wulian.site.navigation.items"
