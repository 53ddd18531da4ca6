from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.db import models

from wulian.audit.readable import readable_timeline

register = template.Library()


@register.inclusion_tag("audit/_timeline.html", takes_context=True)
def audit_timeline(context: template.Context, obj: models.Model) -> dict[str, Any]:
    """The object's history as the viewer may read it (see wulian.audit.readable)."""
    request = context.get("request")
    viewer = getattr(request, "user", None) or AnonymousUser()
    return {"entries": readable_timeline(obj, viewer)}
