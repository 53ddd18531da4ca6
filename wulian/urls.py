from django.contrib import admin
from django.http import HttpRequest
from django.urls import include, path

from wulian.accounts.views import admin_login_view
from wulian.api import api
from wulian.core.metrics import metrics_view
from wulian.core.registry import url_includes
from wulian.core.views import healthz_view, readyz_view


def _superusers_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superusers_only  # type: ignore[method-assign]
# One sign-in page for the whole site: the admin's own would bypass its lockout.
admin.site.login = admin_login_view  # type: ignore[method-assign]
admin.site.site_header = "Wulian 五联"

urlpatterns = [
    path("healthz", healthz_view, name="healthz"),
    path("readyz", readyz_view, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("", include("wulian.core.media")),
    *(path(prefix, include(urlconf)) for prefix, urlconf in url_includes()),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
