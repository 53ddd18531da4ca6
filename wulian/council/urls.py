from django.urls import path

from wulian.council import views

app_name = "council"

urlpatterns = [
    path("", views.council_list_view, name="list"),
]
