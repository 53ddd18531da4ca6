from __future__ import annotations

from typing import Any

from django import template
from django.db import models

from wulian.audit import services

register = template.Library()


@register.inclusion_tag("audit/_timeline.html")
def audit_timeline(obj: models.Model) -> dict[str, Any]:
    entries = [
        {"entry": e, "label": services.action_label(e.action), "changes": services.changes(e)}
        for e in services.timeline(obj)
    ]
    return {"entries": entries}
