"""Checking and cleaning uploaded files by their content, never by their name or declared type.

Every photo and document people upload (need photos, progress photos, signed agreements) goes
through `clean_upload`, which returns a `CleanFile` safe to store and to show to others:

- Photos (JPEG, PNG, WebP, AVIF; HEIC only where Pillow has a plugin for it; GIF keeps its
  first frame only) are decoded, turned upright per their EXIF orientation, converted to sRGB,
  shrunk so that the longest side is at most 1,600 px, and written anew as JPEG (quality 85),
  or as PNG when they have transparency. Nothing of the original file survives but the
  pixels: no EXIF (so no GPS position, no camera serial), no XMP, no ICC profile, no comments.
- PDF documents are kept byte for byte after a structural check: a `%PDF-` header, a
  `startxref` pointing into the file, `%%EOF` at the end, no encryption, and no JavaScript,
  launch actions or attached files anywhere, compressed object streams included.

Anything else (an executable renamed .jpg, an HTML page, an SVG) is refused. A refusal is an
`UploadError` with a stable code and a message that names the file and says what to do:

    upload.empty, upload.too_large, upload.not_allowed, upload.broken, upload.too_many_pixels

Limits come from the settings `UPLOAD_MAX_BYTES` (10 MiB) and `UPLOAD_MAX_PIXELS` (50 million,
checked on the image header before any decoding), and can be given per call.
"""

from __future__ import annotations

import io
import math
import re
import uuid
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.translation import gettext, ngettext
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from wulian.core.errors import DomainError

Kind = Literal["image", "pdf"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000
MAX_SIDE = 1600
JPEG_QUALITY = 85
DEFAULT_MAX_FILES = 9

# Pillow decoders we let near uploaded bytes; MPO is how Pillow names many phones' JPEGs.
_IMAGE_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "GIF", "AVIF", "HEIF")
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_PDF_FORBIDDEN = {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles"}
_PDF_MAX_INFLATED = 64 * 1024 * 1024  # total bytes we inflate when looking into streams
_PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_PDF_OBJECT = re.compile(rb"\s*\d+\s+\d+\s+obj\b")


class UploadError(DomainError):
    """An uploaded file was refused; `code` is one of the `upload.*` codes above."""

    status = 400


@dataclass(frozen=True)
class CleanFile:
    """A checked file: for photos, freshly encoded pixels; for PDFs, the original bytes."""

    content: bytes
    mime: str
    extension: str  # without the dot: "jpg", "png" or "pdf"
    width: int | None
    height: int | None
    original_name: str

    @property
    def kind(self) -> Kind:
        return "pdf" if self.mime == "application/pdf" else "image"

    @property
    def size(self) -> int:
        return len(self.content)

    def to_content_file(self, stem: str | None = None) -> ContentFile[bytes]:
        """A file for `FieldFile.save`, named `<stem>.<extension>` (a random stem by default,
        so storage names never carry what people typed into their file names)."""
        return ContentFile(self.content, name=f"{stem or uuid.uuid4().hex}.{self.extension}")


def clean_upload(
    uploaded: File[Any] | bytes | bytearray | memoryview,
    *,
    allow: Iterable[Kind] = ("image", "pdf"),
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    name: str = "",
) -> CleanFile:
    """Check an uploaded file by its content and return a clean copy, or raise UploadError.

    `uploaded` is a Django file (an `UploadedFile` from `request.FILES`) or bytes; `name` is
    used for bytes, a file's own name otherwise, only in messages and `original_name`.
    """
    allowed = frozenset(allow)
    limit = max_bytes if max_bytes is not None else _setting("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    pixels = (
        max_pixels if max_pixels is not None else _setting("UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)
    )
    if isinstance(uploaded, bytes | bytearray | memoryview):
        original_name = _display_name(name)
        data = bytes(uploaded)
        size = len(data)
    else:
        original_name = _display_name(name or uploaded.name or "")
        declared = uploaded.size if isinstance(uploaded.size, int) else 0
        # A declared size over the limit is refused before reading a byte.
        data = _read(uploaded, limit) if declared <= limit else b""
        size = max(declared, len(data))
    label = _label(original_name)
    if size > limit:
        raise UploadError(
            "upload.too_large",
            gettext("%(file)s is %(size)s; files may be at most %(limit)s.")
            % {"file": label, "size": _size(size, up=True), "limit": _size(limit)},
        )
    if not data:
        raise UploadError(
            "upload.empty",
            gettext("%(file)s is empty; please choose the file again.") % {"file": label},
        )
    kind = _sniff(data)
    if kind == "pdf" and "pdf" in allowed:
        _check_pdf(data, label)
        return CleanFile(data, "application/pdf", "pdf", None, None, original_name)
    if kind == "heif" and "image" in allowed and not _pillow_reads("HEIF"):
        raise UploadError(
            "upload.not_allowed",
            gettext(
                "%(file)s is a HEIC photo, which cannot be read here; please send it as JPEG "
                "(on an iPhone: Settings › Camera › Formats › Most Compatible)."
            )
            % {"file": label},
        )
    if kind in {"image", "heif"} and "image" in allowed:
        return _clean_image(data, original_name, label, pixels)
    raise UploadError("upload.not_allowed", _not_allowed_message(label, allowed))


# Reading and naming ----------------------------------------------------------------------------


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _read(uploaded: File[Any], limit: int) -> bytes:
    """The file's bytes, stopping soon after the limit: enough to know it is too large."""
    chunks: list[bytes] = []
    total = 0
    for chunk in uploaded.chunks():
        chunks.append(bytes(chunk))
        total += len(chunk)
        if total > limit:
            break
    return b"".join(chunks)


def _display_name(name: str) -> str:
    """The base name without control characters, shortened for messages."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(char for char in base if char.isprintable()).strip()
    return base if len(base) <= 80 else base[:38] + "…" + base[-38:]


def _label(name: str) -> str:
    return f"“{name}”" if name else gettext("This file")


def _size(count: int, *, up: bool = False) -> str:
    """14.2 MB: one decimal, rounded up for a file's size and down for a limit."""
    rounding = math.ceil if up else math.floor
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if count >= factor:
            value = rounding(count * 10 / factor) / 10
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} B"


def _not_allowed_message(label: str, allowed: frozenset[str]) -> str:
    if allowed == {"image"}:
        message = gettext("%(file)s is not a photo; please upload a JPEG, PNG or WebP picture.")
    elif allowed == {"pdf"}:
        message = gettext("%(file)s is not a PDF document; please upload a PDF file.")
    else:
        message = gettext(
            "%(file)s is neither a photo nor a PDF document; please upload a JPEG, PNG or WebP "
            "picture or a PDF file."
        )
    return message % {"file": label}


def _sniff(data: bytes) -> str | None:
    """What the first bytes say the file is: "image", "heif", "pdf" or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if (
        data.startswith(b"\xff\xd8\xff")
        or data.startswith(b"\x89PNG\r\n\x1a\n")
        or data.startswith((b"GIF87a", b"GIF89a"))
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return "image"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _AVIF_BRANDS:
            return "image"
        if brand in _HEIF_BRANDS:
            return "heif"
    return None


def _pillow_reads(image_format: str) -> bool:
    Image.init()
    return image_format in Image.OPEN


# Images ----------------------------------------------------------------------------------------


def _clean_image(data: bytes, original_name: str, label: str, max_pixels: int) -> CleanFile:
    too_many = UploadError(
        "upload.too_many_pixels",
        gettext(
            "%(file)s is too large a picture (more than %(limit)s megapixels); please upload "
            "a smaller picture or a screenshot of it."
        )
        % {"file": label, "limit": f"{max_pixels / 1_000_000:g}"},
    )
    broken = UploadError(
        "upload.broken",
        gettext(
            "%(file)s looks like a picture but cannot be read; it may be damaged or incomplete. "
            "Please take or export it again."
        )
        % {"file": label},
    )
    formats = [name for name in _IMAGE_FORMATS if _pillow_reads(name)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = _Source(data)
            with Image.open(source, formats=formats) as opened:
                width, height = opened.size
                if width * height > max_pixels:
                    raise too_many
                source.exhausted = False
                picture = _decode(opened)
                if source.exhausted:
                    # The data ended before the picture did. Pillow would have said so, but
                    # WeasyPrint switches on its LOAD_TRUNCATED_IMAGES for the whole process.
                    raise broken
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_many from exc
    except UploadError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        # Pillow reports damaged data with any of these, depending on the decoder.
        raise broken from exc
    transparent = _has_transparency(picture)
    picture = picture.convert("RGBA" if transparent else "L" if picture.mode == "L" else "RGB")
    if max(picture.size) > MAX_SIDE:
        picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    picture.info = {}
    out = io.BytesIO()
    if transparent:
        picture.save(out, "PNG")
        mime, extension = "image/png", "png"
    else:
        picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        mime, extension = "image/jpeg", "jpg"
    return CleanFile(out.getvalue(), mime, extension, *picture.size, original_name)


class _Source(io.BytesIO):
    """The uploaded bytes, noting whether a decoder asked for more than there was."""

    exhausted = False

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        if size != 0 and not chunk:
            self.exhausted = True
        return chunk


def _decode(opened: Image.Image) -> Image.Image:
    """The first frame, fully decoded, upright and in sRGB."""
    if opened.format in {"JPEG", "MPO"}:
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still leaves 1,600 px.
        scale = MAX_SIDE / max(opened.size)
        if scale < 1:
            opened.draft("RGB", (math.ceil(opened.width * scale), math.ceil(opened.height * scale)))
    opened.seek(0)
    opened.load()
    upright = ImageOps.exif_transpose(opened) or opened
    return _to_srgb(upright, opened.info.get("icc_profile"))


def _to_srgb(picture: Image.Image, icc_profile: bytes | None) -> Image.Image:
    if picture.mode == "CMYK" or picture.mode.startswith(("I", "F")):
        picture = picture.convert("RGB")  # Pillow's own conversion when no profile says better
    if not icc_profile or picture.mode not in {"RGB", "RGBA", "L"}:
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        srgb = ImageCms.createProfile("sRGB")
        mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(picture, source, srgb, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # an unreadable profile: keep the pixels as they are
    return converted if isinstance(converted, Image.Image) else picture


def _has_transparency(picture: Image.Image) -> bool:
    if picture.mode not in {"RGBA", "LA", "PA", "La", "RGBa"} and "transparency" not in (
        picture.info
    ):
        return False
    lowest = picture.convert("RGBA").getchannel("A").getextrema()[0]
    return isinstance(lowest, int | float) and lowest < 255


# PDF -------------------------------------------------------------------------------------------


def _check_pdf(data: bytes, label: str) -> None:
    broken = UploadError(
        "upload.broken",
        gettext(
            "%(file)s looks like a PDF document but is damaged or incomplete; please export "
            "or scan it again."
        )
        % {"file": label},
    )
    if not re.match(rb"%PDF-[12]\.\d", data):
        raise broken
    tail = data[-2048:]
    match = _PDF_STARTXREF.search(tail)
    if match is None:
        raise broken
    offset = int(match.group(1))
    if offset >= len(data) or not (
        data.startswith(b"xref", offset) or _PDF_OBJECT.match(data, offset)
    ):
        raise broken
    names = _pdf_names(data)
    if b"Encrypt" in names:
        # Encrypted streams cannot be looked into, so they cannot be vouched for.
        raise UploadError(
            "upload.not_allowed",
            gettext(
                "%(file)s is protected with a password; please upload a copy without protection."
            )
            % {"file": label},
        )
    if names & _PDF_FORBIDDEN:
        raise UploadError(
            "upload.not_allowed",
            gettext(
                "%(file)s contains scripts, actions or attached files, which are not allowed; "
                "please print it to a new PDF and upload that."
            )
            % {"file": label},
        )


def _pdf_names(data: bytes) -> set[bytes]:
    """Every /Name in the file and in its Flate-compressed streams, with #xx escapes decoded."""
    names = {_decode_name(raw) for raw in _PDF_NAME.findall(data)}
    view = memoryview(data)
    budget = _PDF_MAX_INFLATED
    for match in _PDF_STREAM.finditer(data):
        if budget <= 0:
            break
        try:
            inflated = zlib.decompressobj().decompress(view[match.end() :], budget)
        except zlib.error:
            continue  # not Flate (an image, or another filter): no names to read there
        budget -= len(inflated)
        names.update(_decode_name(raw) for raw in _PDF_NAME.findall(inflated))
    return names


def _decode_name(raw: bytes) -> bytes:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


# Form fields -----------------------------------------------------------------------------------


_ACCEPT = {
    "image": "image/jpeg,image/png,image/webp,image/avif,image/heic,.heic",
    "pdf": "application/pdf",
}


class CleanFileField(forms.FileField):
    """A file field whose cleaned value is a `CleanFile` (or the initial file, or False when
    cleared). `allow` says what is welcome: ("image",), ("pdf",) or both."""

    def __init__(
        self,
        *,
        allow: Iterable[Kind] = ("image", "pdf"),
        max_bytes: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.allow: tuple[Kind, ...] = tuple(allow)
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.setdefault("accept", ",".join(_ACCEPT[kind] for kind in self.allow))
        return attrs

    def clean_one(self, uploaded: File[Any]) -> CleanFile:
        try:
            return clean_upload(uploaded, allow=self.allow, max_bytes=self.max_bytes)
        except UploadError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from exc

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if value and value is not initial and isinstance(value, File):
            return self.clean_one(value)
        return value


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleCleanFileField(CleanFileField):
    """Several files at once (Django's multiple-upload pattern); the cleaned value is a list
    of `CleanFile`, empty when nothing was chosen and the field is optional."""

    widget = MultipleFileInput

    def __init__(self, *, max_files: int = DEFAULT_MAX_FILES, **kwargs: Any) -> None:
        self.max_files = max_files
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[CleanFile]:
        files = [item for item in _as_list(data) if item]
        if not files:
            forms.FileField.clean(self, None, None)  # raises "required" when it must
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                ngettext(
                    "You can upload at most %(limit)d file at once; you chose %(count)d.",
                    "You can upload at most %(limit)d files at once; you chose %(count)d.",
                    self.max_files,
                )
                % {"limit": self.max_files, "count": len(files)},
                code="upload.too_many_files",
            )
        cleaned: list[CleanFile] = []
        errors: list[ValidationError] = []
        for item in files:
            try:
                checked = forms.FileField.clean(self, item, None)
                cleaned.append(self.clean_one(checked))
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _as_list(data: Any) -> list[Any]:
    if isinstance(data, list | tuple):
        return list(data)
    return [data]
