from django.urls import URLPattern

app_name = "whistle"

urlpatterns: list[URLPattern] = []
