from django.urls import path

from wulian.training import views

app_name = "training"

urlpatterns = [
    path("", views.session_list_view, name="list"),
    path("new/<int:community_pk>/", views.session_create_view, name="create"),
    path("<int:pk>/", views.session_view, name="session"),
    path("<int:pk>/check-in/<str:token>/", views.checkin_view, name="checkin"),
    path("<int:pk>/<str:action>/", views.session_action_view, name="action"),
    path("progress/", views.progress_view, name="progress"),
    path("progress.xlsx", views.progress_xlsx_view, name="progress_xlsx"),
    path("mine/", views.mine_view, name="mine"),
    path("records/<int:pk>.pdf", views.record_pdf_view, name="record_pdf"),
    path("records/<int:pk>.xlsx", views.record_xlsx_view, name="record_xlsx"),
    path("dual/", views.dual_view, name="dual"),
]
