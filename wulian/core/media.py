"""Uploaded files, served only to the people who may see what they belong to.

Every file under MEDIA_URL is a `StoredFile` (a need's photo, a progress photo, a whistle's
photo …): the view finds its record by the stored name, asks the record's `view_perm` of the
viewer (the rules of the app that owns it), and answers 404 to anyone else, so a file's
existence is not given away. Names not recorded (signatures, agreement PDFs, stray files) are
never served from here.

The bytes go out one of four ways, chosen with MEDIA_SERVE in the environment:
- "stream" (the default): Django streams the file itself;
- "x-accel-redirect": nginx sends it, from an `internal` location at MEDIA_ACCEL_PREFIX
  (`location /protected-media/ { internal; alias /srv/wulian/media/; }`);
- "x-sendfile": Apache's mod_xsendfile or lighttpd send it, given the file's absolute path;
- "redirect" (with MEDIA_STORAGE=s3): a 302 to the object store's signed address for this one
  file, valid MEDIA_URL_SECONDS, carrying the name, type and caching the store answers with.

`?size=thumb` asks for a small copy (THUMB_SIDE px on its longest side), made on first request
and kept beside the original under `thumbs/`.
"""

from __future__ import annotations

import io
import mimetypes
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import path
from django.views.decorators.http import require_safe
from PIL import Image, UnidentifiedImageError

from wulian.core.models import StoredFile

THUMB_SIDE = 320
THUMB_DIR = "thumbs"
SERVE_MODES = {"stream", "x-accel-redirect", "x-sendfile", "redirect"}
# Personal data: kept by the viewer's browser only, never by a shared cache.
PRIVATE_CACHING = "private, max-age=3600"


def stored_file_models() -> list[type[StoredFile]]:
    return [model for model in apps.get_models() if issubclass(model, StoredFile)]


def _upload_prefix(model: type[StoredFile]) -> str:
    upload_to = model._meta.get_field("file").upload_to
    return str(upload_to).split("%", 1)[0]


def find_stored_file(name: str) -> StoredFile | None:
    """The record of the file stored under `name`, whichever app owns it."""
    if ".." in PurePosixPath(name).parts:
        return None
    for model in stored_file_models():
        if name.startswith(_upload_prefix(model)):
            found = model._default_manager.filter(file=name).first()
            if found is not None:
                return found
    return None


def _thumbnail_name(name: str) -> str:
    return f"{THUMB_DIR}/{name}"


def _ensure_thumbnail(stored: StoredFile, storage: Storage) -> str:
    """The name of the small copy, made now if it is not there yet; the original if small."""
    name = stored.file.name or ""
    if not stored.is_image or max(stored.width or 0, stored.height or 0) <= THUMB_SIDE:
        return name
    thumb = _thumbnail_name(name)
    if storage.exists(thumb):
        return thumb
    try:
        with storage.open(name, "rb") as source, Image.open(source) as picture:
            picture.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if stored.mime == "image/png":
                picture.save(out, "PNG", optimize=True)
            else:
                picture.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
    except (OSError, UnidentifiedImageError):
        return name  # the original is still there to show
    saved = storage.save(thumb, ContentFile(out.getvalue()))
    return saved


def _serve(name: str, mime: str, download_name: str) -> HttpResponseBase:
    mode = getattr(settings, "MEDIA_SERVE", "stream")
    disposition = "inline" if mime.startswith("image/") else "attachment"
    disposition += f"; filename*=UTF-8''{quote(download_name or PurePosixPath(name).name)}"
    response: HttpResponseBase
    if mode == "redirect":
        signed = default_storage.url(  # type: ignore[call-arg]
            name,
            parameters={
                "ResponseContentType": mime,
                "ResponseContentDisposition": disposition,
                "ResponseCacheControl": PRIVATE_CACHING,
            },
            expire=int(getattr(settings, "MEDIA_URL_SECONDS", 300)),
        )
        response = HttpResponseRedirect(signed)
        response["Cache-Control"] = "no-store"  # the address expires; ask again next time
        return response
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=mime)
        prefix = str(getattr(settings, "MEDIA_ACCEL_PREFIX", "/protected-media/"))
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    elif mode == "x-sendfile":
        response = HttpResponse(content_type=mime)
        response["X-Sendfile"] = default_storage.path(name)
    else:
        try:
            handle: Any = default_storage.open(name, "rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=mime)
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = PRIVATE_CACHING
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def media_view(request: HttpRequest, name: str) -> HttpResponseBase:
    stored = find_stored_file(name)
    if (
        stored is None
        or not stored.view_perm
        or not request.user.has_perm(stored.view_perm, stored)
    ):
        raise Http404
    served = name
    if request.GET.get("size") == "thumb":
        served = _ensure_thumbnail(stored, default_storage)
    mime = stored.mime or mimetypes.guess_type(served)[0] or "application/octet-stream"
    return _serve(served, mime, stored.original_name)


app_name = "media"

urlpatterns = [
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", media_view, name="file"),
]
