"""Printable documents come out as PDF with their Chinese intact, with or without system fonts."""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import opencc
import pytest
from django.utils import translation
from fontTools.ttLib import TTFont
from PIL import Image

from wulian.core.pdf import (
    FONT_DIR,
    content_disposition,
    page_number_css,
    pdf_response,
    render_pdf,
)

BODY_LINES = [
    "江汉北路社区 项目认领书",
    "理髮 驗光 糕點製作",
    "认领单位：武汉市第二职业学校（理发、验光）",
]

DOCUMENT = """{% extends "core/pdf/base.html" %}
{% block content %}{% for line in lines %}<p>{{ line }}</p>{% endfor %}{% endblock %}
"""

CONTEXT = {
    "title": "项目认领书",
    "issuer": "江汉北路社区",
    "reference": "No. 12",
    "lines": BODY_LINES,
    "generated_at": datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC),
}


@pytest.fixture
def templates(settings, tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "document.html").write_text(DOCUMENT, encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(folder)]}]
    return folder


@pytest.fixture
def poppler() -> None:
    missing = [tool for tool in ("pdftotext", "pdffonts") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not found: apt-get install poppler-utils"
        if os.environ.get("E2E") == "required":
            pytest.fail(f"E2E=required but {message}")
        pytest.skip(message)


def pdf_text(path: Path) -> list[str]:
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return [line.strip() for line in result.stdout.decode().splitlines() if line.strip()]


def pdf_fonts(path: Path) -> list[str]:
    result = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    return [line.split()[0] for line in result.stdout.splitlines()[2:] if line.strip()]


def is_shipped_font(name: str) -> bool:
    """Embedded subsets are named ABCDEF+Family; ours is Wulian Sans, regular or bold."""
    tag, _, family = name.partition("+")
    return len(tag) == 6 and family in {"Wulian-Sans", "Wulian-Sans-Bold"}


# Rendering -------------------------------------------------------------------------------------


def test_it_prints_simplified_and_traditional_chinese_that_can_be_read_back(
    templates, poppler, tmp_path
):
    path = tmp_path / "agreement.pdf"
    with translation.override("en"):
        path.write_bytes(render_pdf("document.html", CONTEXT))

    lines = pdf_text(path)

    assert "项目认领书" in lines
    for line in BODY_LINES:
        assert line in lines
    assert "Page 1 of 1" in lines


def test_it_embeds_only_the_shipped_font(templates, poppler, tmp_path):
    path = tmp_path / "agreement.pdf"
    path.write_bytes(render_pdf("document.html", CONTEXT))

    fonts = pdf_fonts(path)

    assert fonts and all(is_shipped_font(name) for name in fonts), fonts
    assert any(name.endswith("-Bold") for name in fonts)  # the title is set in the bold face


def test_it_renders_without_any_system_font(templates, poppler, tmp_path):
    """The key promise: a server with no CJK font (no font at all) still prints Chinese."""
    cache = tmp_path / "fontconfig-cache"
    fonts_conf = tmp_path / "fonts.conf"
    fonts_conf.write_text(
        textwrap.dedent(
            f"""\
            <?xml version="1.0"?>
            <!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
            <fontconfig><cachedir>{cache}</cachedir></fontconfig>
            """
        )
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf), "WULIAN_ENV": "test"}
    env.pop("FONTCONFIG_PATH", None)
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list"], env=env, capture_output=True, text=True, check=True)
        assert listed.stdout.strip() == "", "fontconfig still sees system fonts"
    output = tmp_path / "no-fonts.pdf"
    script = textwrap.dedent(
        f"""\
        import datetime, os, sys
        import django
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wulian.settings")
        django.setup()
        from django.conf import settings
        settings.TEMPLATES[0]["DIRS"] = [{str(templates)!r}]
        from wulian.core.pdf import render_pdf
        context = {{
            "title": "项目认领书",
            "lines": {BODY_LINES!r},
            "generated_at": datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
        }}
        with open({str(output)!r}, "wb") as fh:
            fh.write(render_pdf("document.html", context))
        """
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    lines = pdf_text(output)
    for line in BODY_LINES:
        assert line in lines
    fonts = pdf_fonts(output)
    assert fonts and all(is_shipped_font(name) for name in fonts), fonts


def inflated(pdf: bytes) -> bytes:
    """The PDF with its Flate streams decompressed, to look for objects and dates."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
    return b"\n".join(parts)


def test_it_renders_the_same_document_to_the_same_bytes(templates):
    first = render_pdf("document.html", CONTEXT)

    assert render_pdf("document.html", CONTEXT) == first
    assert first.startswith(b"%PDF-")
    # The creation date comes from generated_at (09:30 UTC, 17:30 in Wuhan).
    assert b"D:20260301173000+08'00" in inflated(first)


def test_it_reads_no_file_outside_the_package_and_the_media(templates, settings, tmp_path, caplog):
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    for folder in (tmp_path, media):
        Image.new("RGB", (20, 20), (200, 0, 0)).save(folder / "photo.png")
    page = '{%% extends "core/pdf/base.html" %%}{%% block content %%}%s{%% endblock %%}'
    (templates / "outside.html").write_text(
        page
        % f'<img src="{(tmp_path / "photo.png").as_uri()}"><img src="http://127.0.0.1:9/x.png">'
    )
    (templates / "media.html").write_text(page % f'<img src="{(media / "photo.png").as_uri()}">')

    outside = render_pdf("outside.html", {"title": "x"})
    refusals = [record.getMessage() for record in caplog.records]
    caplog.clear()
    inside = render_pdf("media.html", {"title": "x"})

    assert b"/Image" not in inflated(outside)
    assert any("outside the folders documents may read" in message for message in refusals)
    assert any("disallowed protocol" in message for message in refusals)
    assert b"/Image" in inflated(inside)
    assert not caplog.records


def test_it_numbers_the_pages_in_the_active_language():
    with translation.override("en"):
        assert page_number_css() == '"Page " counter(page) " of " counter(pages) ""'
    with translation.override("zh-hans"):
        footer = page_number_css()
    assert footer.startswith('"') and footer.endswith('"')
    assert "counter(page)" in footer and "counter(pages)" in footer


# Download --------------------------------------------------------------------------------------


def test_it_offers_the_pdf_for_download_under_its_chinese_name():
    response = pdf_response(b"%PDF-1.7 test", "项目认领书-12.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"document-12.pdf\"; filename*=UTF-8''"
        "%E9%A1%B9%E7%9B%AE%E8%AE%A4%E9%A2%86%E4%B9%A6-12.pdf"
    )
    assert response.content == b"%PDF-1.7 test"
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("filename", "header"),
    [
        ("report-2026-03.pdf", 'attachment; filename="report-2026-03.pdf"'),
        (
            "理髮 驗光.pdf",
            "attachment; filename=\"document.pdf\"; filename*=UTF-8''"
            "%E7%90%86%E9%AB%AE%20%E9%A9%97%E5%85%89.pdf",
        ),
        ("../../etc/passwd", 'attachment; filename="passwd"'),
        (
            'a"b\r\nX-Evil: 1.pdf',
            "attachment; filename=\"abX-Evil- 1.pdf\"; filename*=UTF-8''abX-Evil%3A%201.pdf",
        ),
        (
            "Café minutes.pdf",
            "attachment; filename=\"Cafe minutes.pdf\"; filename*=UTF-8''Caf%C3%A9%20minutes.pdf",
        ),
        ("", 'attachment; filename="document.pdf"'),
    ],
)
def test_it_writes_a_safe_content_disposition(filename, header):
    assert content_disposition(filename) == header


def test_it_can_show_the_pdf_inline():
    assert content_disposition("a.pdf", inline=True) == 'inline; filename="a.pdf"'


# The shipped font ------------------------------------------------------------------------------


def gb2312_hanzi() -> set[str]:
    chars = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([high, low]).decode("gb2312"))
    return chars


def test_it_ships_a_small_font_covering_gb2312_and_its_traditional_forms():
    files = sorted(FONT_DIR.glob("*.otf"))
    assert [path.name for path in files] == ["WulianSans-Bold.otf", "WulianSans-Regular.otf"]
    assert sum(path.stat().st_size for path in files) < 6 * 1024 * 1024
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONT_DIR / "OFL.txt").read_text()

    hanzi = gb2312_hanzi()
    assert len(hanzi) == 6763
    traditional = set(opencc.OpenCC("s2t").convert("".join(sorted(hanzi))))
    needed = (
        hanzi
        | traditional
        | set("理髮驗光糕點製作，。、；：？！“”‘’（）《》【】…—·￥※○●□■△▲☆★→←↑↓√×")
    )
    needed |= {chr(code) for code in range(0x20, 0x7F)}
    for path in files:
        cmap = TTFont(str(path), lazy=True).getBestCmap()
        missing = sorted(char for char in needed if ord(char) not in cmap)
        assert not missing, f"{path.name} lacks {''.join(missing[:40])}"
