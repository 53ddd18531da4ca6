from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from wulian.core.navigation import home_community
from wulian.places.views import community_context


def home_view(request: HttpRequest) -> HttpResponse:
    community = home_community(request.user)
    if community is None:
        return render(request, "core/empty.html")
    return render(request, "places/community.html", community_context(request, community))


def healthz_view(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
