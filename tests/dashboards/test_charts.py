"""The PDF's charts are drawn on the server as SVG, with what people typed escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from wulian.dashboards.charts import bar_svg, line_svg

NS = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_has_one_bar_a_label_and_escapes_the_labels():
    svg = bar_svg(["理发", "<script>alert(1)</script>"], [3, 1], "需求按类别")
    root = ET.fromstring(str(svg))
    bars = root.findall(f"{NS}rect")
    assert len(bars) == 2
    assert float(bars[0].get("width", 0)) > float(bars[1].get("width", 0))  # 3 is longer than 1
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "<script>alert(1)</script>"[:14] in texts and "<script>" not in str(svg)


def test_a_line_chart_draws_one_line_a_series_with_its_legend():
    svg = line_svg(
        ["2026-10", "2026-11"], [("需求提出", [2, 1]), ("需求办结", [0, 1])], "近十二个月"
    )
    root = ET.fromstring(str(svg))
    assert len(root.findall(f"{NS}polyline")) == 2
    assert {"需求提出", "需求办结"} <= {t.text for t in root.iter(f"{NS}text")}
