from django.utils.translation import gettext_lazy as _

from wulian.core.registry import Watch, WulianApp

# A person's menu shows the training links of their party roles.
WATCHES = (
    Watch("training.PartyMembership", "person", lambda row: [row.person_id], everywhere=False),
)


class TrainingConfig(WulianApp):
    name = "wulian.training"
    label = "training"
    watches = "wulian.training.apps.WATCHES"
    verbose_name = _("Joint party-member training")
    urls = ("training/", "wulian.training.urls")
    api_router = "wulian.training.api.router"
    navigation = "wulian.training.navigation.items"
    demo = ("wulian.training.demo.build_training", "training sessions")
    indicators = "wulian.training.indicators.INDICATORS"
