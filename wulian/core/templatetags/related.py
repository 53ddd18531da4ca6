from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from wulian.core.links import links_of

register = template.Library()


@register.inclusion_tag("core/_related_links.html", takes_context=True)
def related_links(context: template.Context, obj: Any) -> dict[str, Any]:
    """What other apps link to `obj` (see wulian.core.links), as facts of its page."""
    request = context.get("request")
    viewer = getattr(request, "user", None) or AnonymousUser()
    return {"links": links_of(obj, viewer)}
