from django.urls import path

from wulian.orgs import views

app_name = "orgs"

urlpatterns = [
    path("", views.organization_list_view, name="list"),
    path("<int:pk>/", views.organization_view, name="detail"),
    path("partnerships/<int:pk>/", views.partnership_view, name="partnership"),
    path(
        "communities/<int:community_id>/partnerships/",
        views.partnership_list_view,
        name="partnership_list",
    ),
    path(
        "communities/<int:community_id>/partnerships/new/",
        views.partnership_create_view,
        name="partnership_create",
    ),
]
