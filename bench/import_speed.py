"""How long importing a 10,000-row needs spreadsheet takes: checking it, importing it, and
importing it again unchanged.

    .venv/bin/python -m bench.import_speed [--rows 10000] [--database-url URL] [--profile check]

The sheet is shaped as staff keep it: a merged title row above the header, the header in
their own words (需求名称, 所在小区, 截止时间), counts written as 30人, and a 合计 footer.

Runs against a throwaway SQLite database (or the PostgreSQL database you name, which it
empties first), prints one JSON line with the timings.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import platform
import pstats
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--profile", choices=["check", "import"], help="print where the time goes (cProfile)"
    )
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="wulian-bench-")
    os.environ["WULIAN_DATA_DIR"] = workdir
    os.environ.setdefault("WULIAN_ENV", "test")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "wulian.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from openpyxl import Workbook

    call_command("migrate", verbosity=0)
    if args.database_url:
        call_command("flush", "--no-input", verbosity=0)
    from wulian.accounts.models import User
    from wulian.lists import spreadsheets as lists_io
    from wulian.lists.models import Category, Need
    from wulian.places import services as places
    from wulian.places.models import Compound, Region

    parent, _ = Category.objects.get_or_create(name="便民服务", parent=None)
    Category.objects.get_or_create(name="理发", parent=parent)
    city = places.create_region("武汉市", Region.Level.CITY)
    district = places.create_region("江岸区", Region.Level.DISTRICT, city)
    subdistrict = places.create_region("西马街道", Region.Level.SUBDISTRICT, district)
    community = places.create_region("江汉北路社区", Region.Level.COMMUNITY, subdistrict)
    Compound.objects.create(community=community, name="江汉北路42号小区")
    staff = User.objects.create_user("13800000001", "bench-pass-1", real_name="社工")
    places.assign_staff(None, staff, community)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["江汉北路社区需求清单（2026年11月）"])
    sheet.merge_cells("A1:J1")
    header = ["编号", "需求名称", "描述", "类别", "所在小区", "提出方", "受益人数", "截止时间",
              "紧急程度", "标签"]  # fmt: skip
    sheet.append(header)
    deadline = timezone.localdate() + datetime.timedelta(days=90)
    for i in range(args.rows):
        sheet.append(
            [
                f"B{i:05d}",
                f"需求{i} 老人上门理发",
                "行动不便的老人需要上门理发",
                "理发",
                "江汉北路42号小区",
                "居民",
                f"{i % 30}人",
                deadline,
                ["一般", "较急", "紧急"][i % 3],
                "老人、理发",
            ]
        )
    sheet.append(["合计", None, None, None, None, None, args.rows])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()

    def timed(dry_run: bool = False) -> tuple[float, float]:
        profile = args.profile == ("check" if dry_run else "import")
        profiler = cProfile.Profile() if profile else None
        start, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        report = lists_io.import_file(
            staff, community, "needs", "needs.xlsx", data, dry_run=dry_run
        )
        if profiler is not None:
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative")
            stats.print_stats(25)
            stats.print_callers("_fetch_all")
        assert not report.errors, report.errors[:3]
        assert report.header_row == 2 and len(report.skipped_rows) == 2
        return time.perf_counter() - start, time.process_time() - cpu

    check = timed(dry_run=True)
    first = timed()
    assert Need.objects.count() == args.rows
    again = timed()
    assert Need.objects.count() == args.rows
    print(
        json.dumps(
            {
                "rows": args.rows,
                "database": django.db.connection.vendor,
                "check_s": round(check[0], 2),
                "import_s": round(first[0], 2),
                "reimport_unchanged_s": round(again[0], 2),
                # CPU time of this process: what the import costs when the cores are shared.
                "check_cpu_s": round(check[1], 2),
                "import_cpu_s": round(first[1], 2),
                "reimport_cpu_s": round(again[1], 2),
                "load_average": round(os.getloadavg()[0], 2),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
