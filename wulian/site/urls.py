from django.urls import path

from wulian.site import views

app_name = "site"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("regions/<int:pk>/", views.region_view, name="region"),
    path("dev/sms/", views.dev_sms_view, name="dev_sms"),
]
