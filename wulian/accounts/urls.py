from django.urls import path

from wulian.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code_view, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("privacy/", views.privacy_view, name="privacy"),
    path("password/", views.password_change_view, name="password_change"),
    path("profile/", views.profile_view, name="profile"),
    path("people/<int:pk>/", views.person_view, name="person"),
    path("people/<int:pk>/verify/", views.verify_view, name="verify"),
    path("communities/<int:community_id>/residents/", views.residents_view, name="residents"),
    path("units/<int:org_id>/tokens/", views.unit_tokens_view, name="unit_tokens"),
]
