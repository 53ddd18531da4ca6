from django.utils.translation import gettext_lazy as _

from wulian.core.registry import Watch, WulianApp

# A person's menu and roles are kept per person (see core.versions): their own row (name,
# compound, party flag) moves it.
WATCHES = (Watch("accounts.User", "person", lambda user: [user.pk], everywhere=False),)


class AccountsConfig(WulianApp):
    name = "wulian.accounts"
    label = "accounts"
    watches = "wulian.accounts.apps.WATCHES"
    verbose_name = _("Accounts")
    urls = ("accounts/", "wulian.accounts.urls")
    api_router = "wulian.accounts.api.router"
    navigation = "wulian.accounts.navigation.items"
    periodic_tasks = ("wulian.accounts.tasks.sweep_accounts_task",)
