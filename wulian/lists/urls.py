from django.urls import path

from wulian.lists import views
from wulian.lists.import_views import urlpatterns_io

app_name = "lists"

urlpatterns = [
    path("needs/", views.need_list_view, name="needs"),
    path("needs/mine/", views.my_needs_view, name="my_needs"),
    path("needs/opportunities/", views.opportunities_view, name="opportunities"),
    path("needs/review/", views.review_queue_view, name="review"),
    path("needs/new/", views.need_create_view, name="need_create"),
    path("needs/<int:pk>/", views.need_view, name="need"),
    path("needs/<int:pk>/edit/", views.need_edit_view, name="need_edit"),
    path("needs/<int:pk>/claim/", views.claim_view, name="claim"),
    path("needs/<int:pk>/invite/", views.need_invite_view, name="need_invite"),
    path("needs/<int:pk>/<str:action>/", views.need_action_view, name="need_action"),
    path("projects/<int:pk>/", views.project_view, name="project"),
    path("projects/<int:pk>/agreement.pdf", views.agreement_pdf_view, name="agreement_pdf"),
    path(
        "projects/<int:pk>/signatures/<str:side>.png",
        views.signature_image_view,
        name="signature",
    ),
    path("projects/<int:pk>/cancel/", views.claim_cancel_view, name="claim_cancel"),
    path("projects/<int:pk>/<str:action>/", views.project_action_view, name="project_action"),
    path("communities/<int:pk>/assign/", views.assign_view, name="assign"),
    path("built/", views.built_together_view, name="built"),
    path("categories/", views.categories_view, name="categories"),
    path("resources/", views.resource_list_view, name="resources"),
    path("resources/new/", views.resource_form_view, name="resource_create"),
    path("resources/<int:pk>/", views.resource_view, name="resource"),
    path("resources/<int:resource_pk>/ask/", views.need_create_view, name="resource_ask"),
    path("resources/<int:pk>/edit/", views.resource_form_view, name="resource_edit"),
    path("resources/<int:pk>/status/", views.resource_status_view, name="resource_status"),
    *urlpatterns_io,
]
