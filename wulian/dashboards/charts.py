"""Small SVG charts for the PDFs, drawn on the server: bars for a breakdown, lines for a
trend. Labels are escaped (category names are typed by people); text uses the PDF's font."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from wulian.core.pdf import FONT_FAMILY

COLOURS = ("#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f")
WIDTH = 480


def _font() -> str:
    return f'font-family="{escape(FONT_FAMILY)}, sans-serif"'


def bar_svg(labels: Sequence[str], values: Sequence[float | None], title: str) -> SafeString:
    """Horizontal bars, one a label, the value written after each."""
    rows = list(zip(labels, [v or 0 for v in values], strict=True))[:12]
    top, bar, gap, left = 24, 16, 6, 150
    height = top + len(rows) * (bar + gap) + 8
    peak = max((v for _l, v in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}" {_font()} font-size="10">',
        f'<text x="0" y="14" font-size="11" font-weight="bold">{escape(title)}</text>',
    ]
    for n, (label, value) in enumerate(rows):
        y = top + n * (bar + gap)
        length = (WIDTH - left - 50) * value / peak
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(str(label)[:14])}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{COLOURS[0]}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 12}">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text escaped above


def line_svg(
    labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], title: str
) -> SafeString:
    """Lines over the months, a legend below."""
    top, bottom, left, right = 24, 30 + 14 * len(series), 36, 12
    height = 200 + bottom
    plot_w, plot_h = WIDTH - left - right, 200 - top
    peak = max((v or 0 for _n, data in series for v in data), default=0) or 1
    step = plot_w / max(1, len(labels) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}"'
        f' viewBox="0 0 {WIDTH} {height}" {_font()} font-size="9">',
        f'<text x="0" y="14" font-size="11" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" y2="{top + plot_h}"'
        ' stroke="#888" stroke-width="0.5"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{_number(peak)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for n, label in enumerate(labels):
        if n % 2 == 0 or n == len(labels) - 1:
            parts.append(
                f'<text x="{left + n * step:.1f}" y="{top + plot_h + 12}"'
                f' text-anchor="middle">{escape(label[2:])}</text>'
            )
    for k, (name, data) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(
            f"{left + n * step:.1f},{top + plot_h - plot_h * (v or 0) / peak:.1f}"
            for n, v in enumerate(data)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}"/>'
        )
        y = 200 + 30 + 14 * k
        parts.append(
            f'<rect x="{left}" y="{y - 8}" width="10" height="8" fill="{colour}"/>'
            f'<text x="{left + 14}" y="{y}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text escaped above


def _number(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value:.1f}"
