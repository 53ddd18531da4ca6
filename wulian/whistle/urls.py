from django.urls import path

from wulian.whistle import views

app_name = "whistle"

urlpatterns = [
    path("", views.whistle_list_view, name="list"),
    path("calls/", views.calls_view, name="calls"),
    path("calls/<int:pk>/<str:action>/", views.call_action_view, name="call_action"),
    path("new/<int:community_pk>/", views.whistle_create_view, name="create"),
    path("scorecard/<int:community_pk>/", views.scorecard_view, name="scorecard"),
    path("<int:pk>/", views.whistle_detail_view, name="detail"),
    path("<int:pk>/<str:action>/", views.whistle_action_view, name="action"),
]
