from django.urls import path

from wulian.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("read-all/", views.read_all_view, name="read_all"),
    path("settings/", views.preferences_view, name="preferences"),
    path("settings/unit/<int:org_pk>/", views.webhook_view, name="webhook"),
    path("<int:pk>/read/", views.read_view, name="read"),
]
