from django.urls import path

from wulian.places import views

app_name = "places"

urlpatterns = [
    path("<int:pk>/", views.region_view, name="region"),
]
