from django.urls import path

from wulian.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list_view, name="list"),
    path("new/", views.event_create_view, name="create"),
    path("<int:pk>/", views.event_view, name="detail"),
    path("<int:pk>/board/", views.board_view, name="board"),
    path("<int:pk>/board.json", views.board_json_view, name="board_json"),
    path("<int:pk>/report/", views.report_view, name="report"),
    path("<int:pk>/report.<str:fmt>", views.report_file_view, name="report_file"),
    path("<int:pk>/print/<str:kind>.pdf", views.posters_view, name="posters"),
    path("<int:pk>/<str:action>/", views.event_action_view, name="action"),
]
