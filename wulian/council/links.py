"""The needs and whistles that follow a resolution show it on their pages (see core.links)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wulian.core.links import Link
from wulian.council.models import Resolution


def resolution_links(obj: Any, viewer: Any) -> Iterator[Link]:
    label = getattr(getattr(obj, "_meta", None), "label", "")
    if label == "lists.Need":
        found = Resolution.objects.filter(need=obj)
    elif label == "whistle.Whistle":
        found = Resolution.objects.filter(whistle=obj)
    else:
        return
    for resolution in found.select_related("council__community", "council__compound"):
        if viewer.has_perm("council.view_council", resolution.council):
            yield Link(
                _("From the council resolution"),
                f"{resolution.council.name} · {resolution.text[:60]}",
                reverse("council:resolution", args=[resolution.pk]),
            )
