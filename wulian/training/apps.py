from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class TrainingConfig(WulianApp):
    name = "wulian.training"
    label = "training"
    verbose_name = _("Joint party-member training")
    urls = ("training/", "wulian.training.urls")
    api_router = "wulian.training.api.router"
    navigation = "wulian.training.navigation.items"
    demo = ("wulian.training.demo.build_training", "training sessions")
    indicators = "wulian.training.indicators.INDICATORS"
