"""`wulian match` and `wulian assign` on list files made here, in the import's columns."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from wulian.lists import spreadsheets
from wulian.lists.match_files import parse_availability

NEED_HEADER = [
    "编号",
    "标题",
    "描述",
    "类别",
    "小区",
    "提出方",
    "受益人数",
    "截止日期",
    "紧急程度",
    "标签",
]
RESOURCE_HEADER = [
    "编号",
    "标题",
    "描述",
    "类别",
    "提供方",
    "单位类型",
    "容量",
    "服务范围",
    "可服务时间",
    "标签",
]

NEEDS: list[list[Any]] = [
    NEED_HEADER,
    [
        "N1",
        "42号小区老人上门理发",
        "行动不便的老人想请人上门理发",
        "便民服务·理发",
        "江汉北路42号小区",
        "居民",
        14,
        "",
        "较急",
        "老人、理发",
    ],
    ["N2", "老花镜验光", "想给家里老人配老花镜", "", "江汉北路42号小区", "居民", 2, "", "一般", ""],
    ["N3", "剪头发", "我妈腿脚不好，能不能来家里剪头发", "", "", "居民", 1, "", "", ""],
    [
        "N4",
        "小区屋顶防水补漏",
        "顶楼漏水，需要专业施工",
        "设施改造",
        "",
        "社区",
        30,
        "",
        "",
        "防水",
    ],
]
RESOURCES: list[list[Any]] = [
    RESOURCE_HEADER,
    [
        "R1",
        "便民理发",
        "美发专业师生为居民理发，老人可预约上门",
        "便民服务·理发",
        "武汉市第一商业学校",
        "学校",
        "2 人次/月",
        "",
        "每周三下午",
        "理发、老人、上门",
    ],
    [
        "R2",
        "验光与清洁眼镜",
        "眼视光专业师生免费验光",
        "便民服务·验光配镜",
        "武汉市第一商业学校",
        "学校",
        "20 人次/周",
        "",
        "每周五上午",
        "验光、眼镜",
    ],
    [
        "R3",
        "社区理发点",
        "志愿者理发",
        "便民服务·理发",
        "银龄互助志愿服务队",
        "志愿服务队",
        "1 人次/月",
        "",
        "周末",
        "理发",
    ],
]


def _write(path: Path, rows: list[list[Any]]) -> Path:
    if path.suffix == ".csv":
        path.write_bytes(spreadsheets.render_csv(rows))
    else:
        path.write_bytes(spreadsheets.render_xlsx(rows))
    return path


def _run(name: str, *args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command(name, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def files(tmp_path: Path, db: Any) -> tuple[str, str]:
    return (
        str(_write(tmp_path / "needs.xlsx", NEEDS)),
        str(_write(tmp_path / "resources.csv", RESOURCES)),
    )


def test_match_prints_one_json_line_per_need_with_ranked_candidates(
    files: tuple[str, str],
) -> None:
    needs, resources = files
    lines = [
        json.loads(line)
        for line in _run("match", "--needs", needs, "--resources", resources, "--top", "5")
        .strip()
        .splitlines()
    ]
    by_need = {line["need_id"]: line["candidates"] for line in lines}
    assert list(by_need) == ["N1", "N2", "N3", "N4"]
    assert by_need["N1"][0]["resource_id"] == "R1"
    assert {c["resource_id"] for c in by_need["N1"]} == {"R1", "R3"}
    assert by_need["N2"][0]["resource_id"] == "R2"  # no category, found by its words
    assert by_need["N3"][0]["resource_id"] in {"R1", "R3"}  # 剪头发 means 理发
    assert by_need["N4"] == []  # nobody offers waterproofing
    best = by_need["N1"][0]
    assert 0 < best["score"] <= 1
    assert "Same category: Convenience services · 理发" in best["reasons"]


def test_match_honours_top(files: tuple[str, str]) -> None:
    needs, resources = files
    first = json.loads(
        _run("match", "--needs", needs, "--resources", resources, "--top", "1").splitlines()[0]
    )
    assert len(first["candidates"]) == 1


def test_assign_prints_one_optimal_assignment_within_capacity(files: tuple[str, str]) -> None:
    needs, resources = files
    result = json.loads(_run("assign", "--needs", needs, "--resources", resources))
    assert result["status"] == "optimal"
    assigned = {a["need_id"]: a["resource_id"] for a in result["assignments"]}
    assert assigned["N2"] == "R2"
    assert "N4" in result["unassigned"]
    assert set(assigned) | set(result["unassigned"]) == {"N1", "N2", "N3", "N4"}
    assert result["total_score"] == pytest.approx(
        sum(a["score"] for a in result["assignments"]), abs=1e-3
    )
    per_resource = [a["resource_id"] for a in result["assignments"]]
    assert per_resource.count("R3") <= 1  # 1 人次/月


def test_assign_fair_is_still_optimal_and_within_capacity(files: tuple[str, str]) -> None:
    needs, resources = files
    result = json.loads(_run("assign", "--needs", needs, "--resources", resources, "--fair"))
    assert result["status"] == "optimal"
    assert [a["resource_id"] for a in result["assignments"]].count("R1") <= 2


def test_a_bad_file_gets_the_importers_row_errors_and_fails(
    tmp_path: Path, files: tuple[str, str]
) -> None:
    _needs, resources = files
    bad = _write(
        tmp_path / "bad.csv",
        [
            NEED_HEADER,
            ["N1", "", "", "", "", "", "", "", "", ""],
            ["N2", "理发", "", "", "", "外星人", "很多", "明天", "非常急", ""],
            ["N2", "重复", "", "", "", "", "", "", "", ""],
        ],
    )
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("match", "--needs", str(bad), "--resources", resources, stderr=err)
    text = err.getvalue()
    assert "row 2, column 标题: Give the need a title." in text
    assert "row 3, column 提出方:" in text
    assert "row 3, column 受益人数: Write a whole number, 0 or more." in text
    assert "row 3, column 截止日期:" in text
    assert "row 3, column 紧急程度:" in text
    assert "row 4, column 编号: The id N2 already appears in row 3." in text


def test_a_resource_without_provider_is_refused_like_the_importer_does(
    tmp_path: Path, files: tuple[str, str]
) -> None:
    needs, _resources = files
    bad = _write(
        tmp_path / "r.xlsx", [RESOURCE_HEADER, ["R9", "理发", "", "", "", "", "", "", "", ""]]
    )
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("assign", "--needs", needs, "--resources", str(bad), stderr=err)
    assert "row 2, column 提供方: Name the organisation or person" in err.getvalue()


def test_a_file_without_a_title_column_is_refused(tmp_path: Path, files: tuple[str, str]) -> None:
    _needs, resources = files
    bad = _write(tmp_path / "x.csv", [["编号", "描述"], ["1", "理发"]])
    with translation.override("en"), pytest.raises(CommandError, match="no “标题” column"):
        call_command("match", "--needs", str(bad), "--resources", resources, stderr=StringIO())


def test_the_import_templates_match(tmp_path: Path, db: Any) -> None:
    needs = tmp_path / "needs.xlsx"
    needs.write_bytes(spreadsheets.template_file("needs"))
    resources = tmp_path / "resources.xlsx"
    resources.write_bytes(spreadsheets.template_file("resources"))
    line = json.loads(_run("match", "--needs", str(needs), "--resources", str(resources)))
    assert line["need_id"] == "XQ001"
    assert [c["resource_id"] for c in line["candidates"]] == ["ZY001"]


def test_the_commands_need_no_database(tmp_path: Path, files: tuple[str, str]) -> None:
    needs, resources = files
    env = {
        **os.environ,
        "WULIAN_ENV": "test",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/db.sqlite3",
        "WULIAN_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "wulian.cli", "assign", "--needs", needs, "--resources", resources],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {a["need_id"] for a in result["assignments"]} >= {"N1", "N2"}


@pytest.mark.parametrize(
    ("text", "days", "hours"),
    [
        ("每周三下午", {2}, (14, 18)),
        ("工作日上午", {0, 1, 2, 3, 4}, (8, 12)),
        ("周六、周日", {5, 6}, (None, None)),
        ("每晚 19:00–21:00", set(range(7)), (19, 21)),
        ("周一至周五", {0, 1, 2, 3, 4}, (None, None)),
        ("预约", set(), (None, None)),
    ],
)
def test_availability_is_read_from_what_people_write(
    text: str, days: set[int], hours: tuple[int | None, int | None]
) -> None:
    found = parse_availability(text)
    assert found.weekdays == frozenset(days)
    assert (found.start_hour, found.end_hour) == hours


def _big_needs_file(path: Path, rows: int, bad_row: int | None = None) -> Path:
    """A needs CSV over the upload's limits (more than 10,000 rows and 5 MB)."""
    filler = "楼道里的灯坏了好久，晚上回家看不清楼梯，老人上下楼很不方便，" * 5
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(NEED_HEADER) + "\n")
        for i in range(rows):
            urgency = "非常急" if bad_row is not None and i + 2 == bad_row else "一般"
            handle.write(f"N{i},楼道灯坏了 {i},{filler},,江汉北路42号小区,居民,1,,{urgency},\n")
    return path


def test_a_malformed_row_in_a_list_over_the_upload_limits_is_reported_by_its_number(
    tmp_path: Path, files: tuple[str, str]
) -> None:
    _needs, resources = files
    big = _big_needs_file(tmp_path / "district.csv", 12_000, bad_row=11_503)
    assert big.stat().st_size > spreadsheets.MAX_UPLOAD_BYTES
    err = StringIO()
    out = StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="nothing was matched"):
        call_command(
            "assign", "--needs", str(big), "--resources", resources, stdout=out, stderr=err
        )
    assert "row 11503, column 紧急程度:" in err.getvalue()
    assert err.getvalue().count("row ") == 1
    assert out.getvalue() == ""  # nothing assigned, nothing printed


def test_the_commands_read_lists_over_the_upload_limits(tmp_path: Path, db: Any) -> None:
    from wulian.lists.match_files import read_paths

    big = _big_needs_file(tmp_path / "district.csv", 12_000)
    resources = _write(tmp_path / "resources.csv", RESOURCES)
    seen: list[tuple[str, int]] = []
    lists = read_paths(big, resources, progress=lambda label, n: seen.append((label, n)))
    assert lists.errors == []
    assert len(lists.needs) == 12_000
    assert lists.needs[-1].id == "N11999"
    assert ("needs", 10_000) in seen and ("needs", 12_000) in seen


def test_the_commands_read_a_gb18030_csv_as_a_stream(tmp_path: Path, db: Any) -> None:
    from wulian.lists.match_files import read_paths

    needs = tmp_path / "needs.csv"
    needs.write_bytes(
        ("编号,标题,描述\nN1,老人上门理发,行动不便\nN2,配老花镜,看不清\n").encode("gb18030")
    )
    lists = read_paths(needs, _write(tmp_path / "resources.csv", RESOURCES))
    assert [n.title for n in lists.needs] == ["老人上门理发", "配老花镜"]


def test_progress_stays_off_when_stderr_is_not_a_terminal() -> None:
    from wulian.lists.management.commands.match import TerminalProgress

    stream = StringIO()
    progress = TerminalProgress(stream)
    progress.needs(10, 100)
    progress.done()
    assert stream.getvalue() == ""
