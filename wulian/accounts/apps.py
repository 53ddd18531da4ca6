from django.utils.translation import gettext_lazy as _

from wulian.core.registry import WulianApp


class AccountsConfig(WulianApp):
    name = "wulian.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    urls = ("accounts/", "wulian.accounts.urls")
    api_router = "wulian.accounts.api.router"
    navigation = "wulian.accounts.navigation.items"
    periodic_tasks = ("wulian.accounts.tasks.sweep_accounts_task",)
