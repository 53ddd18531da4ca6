from django.utils.translation import gettext_lazy as _

from wulian.core.registry import Watch, WulianApp

# The needs list and a need's page are kept per community (see core.versions): every change
# to what they show moves the community's "lists" version; categories have their own.
WATCHES = (
    Watch("lists.Need", "lists", lambda need: [need.community_id]),
    Watch("lists.Need", "lists", lambda side: [getattr(side, "community_id", None)], m2m="tags"),
    Watch("lists.Claim", "lists", lambda claim: [claim.need.community_id]),
    Watch("lists.Project", "lists", lambda project: [project.community_id]),
    Watch("lists.Agreement", "lists", lambda agreement: [agreement.project.community_id]),
    Watch(
        "lists.Attachment", "lists", lambda row: [row.need.community_id if row.need_id else None]
    ),
    Watch("lists.Invitation", "lists", lambda row: [row.need.community_id]),
    Watch("lists.Resource", "lists", lambda resource: [resource.community_id]),
    Watch("lists.Category", "categories", lambda category: []),
)


class ListsConfig(WulianApp):
    name = "wulian.lists"
    label = "lists"
    watches = "wulian.lists.apps.WATCHES"
    verbose_name = _("The three lists")
    urls = ("lists/", "wulian.lists.urls")
    api_router = "wulian.lists.api.router"
    navigation = "wulian.lists.navigation.items"
    demo = ("wulian.lists.demo.build_lists", "list items")
    periodic_tasks = ("wulian.lists.tasks.sweep_lists_task",)
    indicators = "wulian.lists.indicators.INDICATORS"
