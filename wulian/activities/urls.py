from django.urls import path

from wulian.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list_view, name="list"),
    path("new/<int:community_pk>/", views.activity_create_view, name="create"),
    path("<int:pk>/", views.activity_detail_view, name="activity"),
    path("<int:pk>/manage/", views.activity_manage_view, name="manage"),
    path("<int:pk>/export.xlsx", views.activity_export_view, name="export"),
    path("<int:pk>/checkin/", views.self_check_in_view, name="self_check_in"),
    path("<int:pk>/scan/", views.scan_view, name="scan"),
    path("<int:pk>/<str:action>/", views.activity_action_view, name="activity_action"),
    path("signups/<int:pk>/<str:action>/", views.signup_action_view, name="signup_action"),
    path("calendar/<int:community_pk>.ics", views.community_ics_view, name="community_ics"),
    path("me/<str:token>.ics", views.person_ics_view, name="person_ics"),
    path("venues/", views.venue_list_view, name="venues"),
    path("venues/new/<int:community_pk>/", views.venue_create_view, name="venue_create"),
    path("venues/<int:pk>/", views.venue_detail_view, name="venue"),
    path("venues/<int:pk>/edit/", views.venue_edit_view, name="venue_edit"),
    path("venues/<int:pk>/book/", views.venue_book_view, name="venue_book"),
    path("bookings/<int:pk>/<str:action>/", views.booking_action_view, name="booking_action"),
    path("services/", views.service_list_view, name="services"),
    path("services/mine/", views.my_services_view, name="my_services"),
    path("services/helpers/<int:community_pk>/", views.helpers_view, name="helpers"),
    path("services/new/<int:community_pk>/", views.service_create_view, name="service_create"),
    path("services/<int:pk>/", views.service_detail_view, name="service"),
    path("services/<int:pk>/edit/", views.service_edit_view, name="service_edit"),
    path("services/<int:pk>/book/", views.service_book_view, name="service_book"),
    path("services/<int:pk>/sheet/", views.day_sheet_view, name="day_sheet"),
    path("slots/<int:pk>/<str:action>/", views.slot_action_view, name="slot_action"),
]
