from django.urls import path

from wulian.council import import_views, views

app_name = "council"

urlpatterns = [
    path("", views.council_list_view, name="list"),
    path("<int:pk>/", views.council_view, name="council"),
    path("<int:pk>/household/", views.household_view, name="household"),
    path("<int:pk>/households/import/", import_views.import_view, name="household_import"),
    path(
        "<int:pk>/households/template.xlsx",
        import_views.template_view,
        name="household_import_template",
    ),
    path(
        "<int:pk>/households/import/<str:token>/",
        import_views.check_view,
        name="household_import_check",
    ),
    path(
        "<int:pk>/households/import/<str:token>/confirm/",
        import_views.confirm_view,
        name="household_import_confirm",
    ),
    path(
        "<int:pk>/households/import/<str:token>/cancel/",
        import_views.cancel_view,
        name="household_import_cancel",
    ),
    path("<int:pk>/topics/new/", views.topic_create_view, name="topic_create"),
    path("<int:pk>/meetings/new/", views.meeting_create_view, name="meeting_create"),
    path("topics/<int:pk>/", views.topic_view, name="topic"),
    path("topics/<int:pk>/edit/", views.topic_edit_view, name="topic_edit"),
    path("topics/<int:pk>/<str:action>/", views.topic_action_view, name="topic_action"),
    path("meetings/<int:pk>/", views.meeting_view, name="meeting"),
    path("meetings/<int:pk>/projector/", views.projector_view, name="projector"),
    path("meetings/<int:pk>/projector.json", views.projector_json_view, name="projector_json"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf_view, name="minutes_pdf"),
    path("meetings/<int:pk>/notice.pdf", views.notice_pdf_view, name="notice_pdf"),
    path("meetings/<int:pk>/check-in/<str:token>/", views.checkin_view, name="checkin"),
    path("meetings/<int:pk>/<str:action>/", views.meeting_action_view, name="meeting_action"),
    path("motions/<int:pk>/", views.motion_view, name="motion"),
    path("motions/<int:pk>/<str:action>/", views.motion_action_view, name="motion_action"),
    path("resolutions/<int:pk>/", views.resolution_view, name="resolution"),
    path("resolutions/<int:pk>/notice.pdf", views.resolution_pdf_view, name="resolution_pdf"),
    path(
        "resolutions/<int:pk>/<str:action>/",
        views.resolution_action_view,
        name="resolution_action",
    ),
]
