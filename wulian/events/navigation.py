from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wulian.core.registry import NavItem


def items(request: HttpRequest) -> list[NavItem]:
    return [NavItem(_("Release events"), reverse("events:list"), "events", "lists", 30)]
