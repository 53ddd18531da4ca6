from django.urls import path

from wulian.core import views

app_name = "core"

urlpatterns = [
    path("", views.home_view, name="home"),
]
