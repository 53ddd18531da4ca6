"""Printable documents: Django templates rendered to PDF by WeasyPrint.

Claim agreements, posters, minutes and reports extend `core/pdf/base.html`, which lays out an
A4 page with a title block and page numbers, and sets everything in Wulian Sans, the subset of
Noto Sans CJK SC shipped in `wulian/core/fonts/` (see its README). The font is declared with
@font-face from this package's own files, so Chinese prints the same on a server with no CJK
font installed.

    pdf = render_pdf("lists/agreement_pdf.html", {"title": "项目认领书", "generated_at": now})
    return pdf_response(pdf, "项目认领书-12.pdf")

Context keys the base template reads: `title` (also the PDF's title), `subtitle`, `issuer`,
`reference`, and `generated_at` (an aware datetime; it becomes the PDF's creation date, so the
same document renders to the same bytes).

Resources are fetched only from `data:` URLs and from files inside the package or MEDIA_ROOT:
never from the network, never from elsewhere on disk, whatever a template or its content says.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from wulian.core.script import TRADITIONAL, to_traditional_html

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Wulian Sans"
FONT_FILES = {400: "WulianSans-Regular.otf", 700: "WulianSans-Bold.otf"}
PACKAGE_DIR = Path(__file__).resolve().parent.parent

# WeasyPrint and fontTools (which subsets the embedded fonts) narrate every step at INFO.
for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def font_faces_css() -> str:
    """@font-face rules for the shipped font, with file URLs resolved from this module."""
    rules = []
    for weight, filename in FONT_FILES.items():
        url = (FONT_DIR / filename).as_uri()
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url}") format("opentype");'
            f" font-weight: {weight}; font-style: normal; }}"
        )
    return "\n".join(rules)


def page_number_css() -> str:
    """The CSS `content` value of the footer: "Page 2 of 5", in the active language."""
    words = gettext("Page %(page)s of %(pages)s")
    escaped = words.replace("\\", "\\\\").replace('"', '\\"')
    value = escaped % {"page": '" counter(page) "', "pages": '" counter(pages) "'}
    return f'"{value}"'


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render a template extending `core/pdf/base.html` to PDF bytes.

    `base_url` resolves relative URLs in the document (a `file://` URL of a directory inside
    the package or MEDIA_ROOT); by default they resolve against the package.
    """
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html: str = render_to_string(
        template_name,
        {
            **context,
            "pdf_font_faces": mark_safe(font_faces_css()),  # our own CSS
            "pdf_page_number": mark_safe(page_number_css()),  # escaped above
            "pdf_font_family": FONT_FAMILY,
        },
    )
    if translation.get_language() in TRADITIONAL:
        html = to_traditional_html(html)  # people's text in the reader's script, as on pages
    fetcher = _package_fetcher()
    document = HTML(
        string=html,
        base_url=base_url or PACKAGE_DIR.as_uri() + "/",
        url_fetcher=fetcher,
    )
    pdf = document.write_pdf(font_config=FontConfiguration())
    assert isinstance(pdf, bytes)
    return pdf


def pdf_response(pdf_bytes: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """An HTTP response offering the PDF for download under `filename`, Chinese included.

    The header carries an ASCII fallback name for old clients and the real name in UTF-8
    (RFC 6266 and RFC 5987): `attachment; filename="agreement-12.pdf";
    filename*=UTF-8''%E9%A1%B9...`.
    """
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Content-Length"] = str(len(pdf_bytes))
    response["Cache-Control"] = "private, no-store"  # documents carry names and numbers
    return response


def content_disposition(filename: str, *, inline: bool = False) -> str:
    name = _safe_filename(filename)
    kind = "inline" if inline else "attachment"
    fallback = _ascii_filename(name)
    if fallback == name:
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _safe_filename(filename: str) -> str:
    """The last path segment, without control characters or quotes; "document.pdf" if empty."""
    base = re.split(r"[\\/]", filename)[-1]
    base = "".join(char for char in base if char.isprintable() and char not in '"')
    return base.strip().strip(".") or "document.pdf"


def _ascii_filename(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    folded = re.sub(r"[^A-Za-z0-9 ._()-]+", "-", folded).strip(" -._")
    if not re.search(r"[A-Za-z]", folded):  # nothing but numbers left of a Chinese name
        folded = "document" + (f"-{folded}" if folded else "")
    extension = re.sub(r"[^A-Za-z0-9]+", "", extension)
    return f"{folded}.{extension}" if extension else folded


def _allowed_roots() -> list[Path]:
    roots = [PACKAGE_DIR]
    media_root = getattr(settings, "MEDIA_ROOT", "")
    if media_root:
        roots.append(Path(media_root).resolve())
    return roots


def _package_fetcher() -> Any:
    """A WeasyPrint URL fetcher that reads only data: URLs and files under the allowed roots."""
    from weasyprint.urls import URLFetcher

    roots = _allowed_roots()

    class PackageFetcher(URLFetcher):  # type: ignore[misc,unused-ignore]  # untyped base
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"{path} is outside the folders documents may read")
            return super().fetch(url, headers)

    return PackageFetcher(allowed_protocols={"file", "data"}, timeout=5)
