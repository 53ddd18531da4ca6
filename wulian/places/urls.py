from django.urls import path

from wulian.places import views

app_name = "places"

urlpatterns = [
    path("compounds/<int:pk>/names/", views.compound_names_view, name="compound_names"),
]
