"""Building blocks shared by the apps' models."""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urljoin

from django.conf import settings
from django.db import models
from django.utils.encoding import filepath_to_uri

from wulian.core.uploads import CleanFile


class StoredFile(models.Model):
    """A photo or PDF that passed the upload checks (wulian.core.uploads), kept with its facts.

    Concrete models add the owner (a need, a progress update, a whistle …), may set their
    own `file` field with another `upload_to`, and name in `view_perm` the permission (from
    their app's rules) a person needs to see the file: wulian.core.media serves it to them only.
    """

    view_perm: ClassVar[str] = ""

    file = models.FileField(upload_to="files/%Y/%m/")
    mime = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.original_name or self.file.name)

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    @property
    def url(self) -> str:
        """Always the site's own address (wulian.core.media checks who asks), never the
        storage's: an object store's would skip the check."""
        return urljoin(settings.MEDIA_URL, filepath_to_uri(self.file.name or ""))

    @property
    def thumbnail_url(self) -> str:
        """A small copy for lists (wulian.core.media makes it on first request)."""
        return f"{self.url}?size=thumb"

    @classmethod
    def store(cls, clean: CleanFile, uploaded_by: Any, **owner: Any) -> StoredFile:
        """Save a cleaned file under a random name and record it for its owner."""
        stored = cls(
            mime=clean.mime,
            size=clean.size,
            width=clean.width,
            height=clean.height,
            original_name=clean.original_name[:200],
            uploaded_by=uploaded_by,
            **owner,
        )
        content = clean.to_content_file()
        stored.file.save(content.name or f"upload.{clean.extension}", content, save=False)
        stored.save()
        return stored


class Submission(models.Model):
    """A create that must happen once: a form's one-time token, or an API `Idempotency-Key`.

    Claimed in the same transaction as the change it guards, so a failed attempt leaves no
    claim; the unique (owner, key) makes a repeat, even a simultaneous one, wait for the first
    and then find its answer here (a redirect for a form, the JSON response for the API).
    """

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=140)
    fingerprint = models.CharField(max_length=64, blank=True)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    answer = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="submission_once_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"


class Version(models.Model):
    """How many times a thing a kept page shows has changed (see `core.versions`)."""

    scope = models.CharField(max_length=20)
    item = models.BigIntegerField()
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "item"], name="version_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.item}: {self.value}"
