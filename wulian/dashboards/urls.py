from django.urls import path

from wulian.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("regions/<int:pk>/", views.region_view, name="region"),
    path("regions/<int:pk>/compare/", views.compare_view, name="compare"),
    path("regions/<int:pk>/screen/", views.screen_view, name="screen"),
    path("regions/<int:pk>/screen.json", views.screen_json_view, name="screen_json"),
    path("regions/<int:pk>/recipients/", views.recipients_view, name="recipients"),
    path("regions/<int:pk>/report/<str:month>.<str:fmt>", views.report_view, name="report"),
    path("units/<int:pk>/", views.unit_view, name="unit"),
    path("public/<int:pk>/", views.public_view, name="public"),
]
