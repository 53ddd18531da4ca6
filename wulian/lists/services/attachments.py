"""Photos on needs and progress updates, exports recorded, needs that match a search."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core.text import fold
from wulian.lists.models import (
    Attachment,
    Need,
    ProgressUpdate,
)
from wulian.places.models import Region


def attach(
    actor: User, upload: Any, *, need: Need | None = None, update: ProgressUpdate | None = None
) -> Attachment:
    """Keep a photo or PDF, checked and cleaned by content first (see wulian.core.uploads)."""
    from wulian.core.uploads import CleanFile, clean_upload

    clean = upload if isinstance(upload, CleanFile) else clean_upload(upload)
    stored = Attachment.store(clean, actor, need=need, update=update)
    assert isinstance(stored, Attachment)
    return stored


def record_export(actor: User, community: Region, what: str, rows: int, filters: str) -> None:
    """Exports that contain personal data are written to the audit log."""
    audit.record(
        actor,
        "lists.exported",
        community,
        after={"list": what, "rows": rows, "filters": filters},
        community=community,
    )


def needs_matching(query: str) -> Q:
    """A filter that finds needs whatever script the text and the query were written in."""
    condition = Q()
    for term in fold(query).split():
        condition &= Q(search_text__contains=term)
    return condition
