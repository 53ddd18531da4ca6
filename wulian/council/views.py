from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def council_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "core/empty.html", {})
