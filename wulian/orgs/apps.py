from django.utils.translation import gettext_lazy as _

from wulian.core.registry import Watch, WulianApp

WATCHES = (
    # A person's menu follows their units and those units' names; the lists show the names.
    Watch("orgs.Membership", "person", lambda row: [row.user_id], everywhere=False),
    Watch(
        "orgs.Organization",
        "person",
        lambda org: org.memberships.values_list("user_id", flat=True),
        everywhere=False,
    ),
    Watch("orgs.Organization", "lists", lambda org: [org.region_id]),
)


class OrgsConfig(WulianApp):
    name = "wulian.orgs"
    label = "orgs"
    watches = "wulian.orgs.apps.WATCHES"
    verbose_name = _("Organisations")
    urls = ("orgs/", "wulian.orgs.urls")
    api_router = "wulian.orgs.api.router"
    navigation = "wulian.orgs.navigation.items"
    indicators = "wulian.orgs.indicators.INDICATORS"
