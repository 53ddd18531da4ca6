from django.urls import path

from wulian.volunteering import views

app_name = "volunteering"

urlpatterns = [
    path("", views.my_hours_view, name="mine"),
    path("certificate.pdf", views.my_certificate_view, name="my_certificate"),
    path("roll-choice/", views.roll_choice_view, name="roll_choice"),
    path("records/<int:pk>/", views.record_view, name="record"),
    path("records/<int:pk>/<str:action>/", views.record_action_view, name="record_action"),
    path("corrections/<int:pk>/", views.correction_view, name="correction"),
    path(
        "corrections/<int:pk>/<str:action>/",
        views.correction_action_view,
        name="correction_action",
    ),
    path("bodies/<int:pk>/", views.body_view, name="body"),
    path("bodies/<int:pk>/new/", views.enter_hours_view, name="enter"),
    path("bodies/<int:pk>/export.xlsx", views.body_export_view, name="export"),
    path("projects/<int:pk>/", views.project_hours_view, name="project"),
    path("people/<int:pk>/", views.person_view, name="person"),
    path(
        "people/<int:pk>/certificate.pdf", views.person_certificate_view, name="person_certificate"
    ),
    path("roll/", views.roll_index_view, name="roll_index"),
    path("roll/<int:pk>/", views.roll_view, name="roll"),
    path("roll/<int:pk>/projector/", views.roll_projector_view, name="roll_projector"),
    path("roll/<int:pk>/roll.pdf", views.roll_pdf_view, name="roll_pdf"),
    path("verify/<str:token>/", views.verify_view, name="verify"),
]
