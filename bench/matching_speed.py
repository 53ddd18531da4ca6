"""Matching speed: the whole `wulian assign` command on generated lists, against a flow floor.

Run from the project folder::

    .venv/bin/python -m bench.matching_speed                 # dense and city shapes, 100k × 20k
    .venv/bin/python -m bench.matching_speed --needs 10000   # a quicker run

For each shape it writes a needs file and a resources file (CSV, the import's columns), runs
``wulian assign --needs N.csv --resources R.csv --format json`` in a fresh process (files in,
JSON out: reading and checking every row, indexing, analysing and scoring every need, the
min-cost flow, writing the JSON) and reports its wall time and the peak resident memory of its
largest process (``ru_maxrss``; the scoring workers are forked and share the parent's pages).
In the same run, a *floor*: OR-Tools' min-cost flow alone, on a random network of the same size
(as many needs, resources and arcs per need as the command's own network, and the issue's 30
arcs per need), built from numpy arrays and solved. The ratio is the command over the floor of
its own size. Then ``recommend`` latency: one need at a time, reasons included, over 1,000
needs, against the same resources (in process).

Shapes (seeded, so every run sees the same lists):

* *dense*: 20,000 resources that all serve one community and 100,000 needs of its 60
  compounds: every need has hundreds to thousands of resources sharing its words;
* *city*: a city of 13 districts, 156 subdistricts, 1,560 communities and 7,800 compounds (in a
  SQLite database the command reads the places from); resources serve the whole city (5 %), a
  district (25 %), a subdistrict (40 %) or a community (30 %); needs spread over every compound.

Texts come from the vocabulary of the synonym table (so that segmentation, synonyms and
categories do real work) mixed with everyday words; 40 % of the needs have no category.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from wulian.matching import Availability, Engine, NeedRecord, ResourceRecord
from wulian.matching.text import DATA_DIR, category_hints, warm_up

TODAY = date(2026, 11, 27)
N_RESOURCES = 20_000
DISTRICTS, SUBDISTRICTS_PER, COMMUNITIES_PER, COMPOUNDS_PER = 13, 12, 10, 5
DENSE_COMPOUNDS = 60
WORK = Path(os.environ.get("WULIAN_BENCH_DIR", "var/bench-matching"))

FILLER = [
    "麻烦",
    "社区",
    "帮忙",
    "看看",
    "我们",
    "这边",
    "好久",
    "一直",
    "希望",
    "能够",
    "尽快",
    "解决",
    "谢谢",
    "楼下",
    "老是",
    "家里",
    "情况",
    "反映",
    "一下",
    "邻居",
    "大家",
    "都说",
    "最近",
    "特别",
    "有点",
    "不方便",
    "想问",
    "能不能",
    "安排",
    "时间",
    "周末",
    "上午",
    "下午",
]
UNIT_WORDS = [
    "公益",
    "服务",
    "志愿者",
    "专业",
    "免费",
    "定期",
    "提供",
    "开展",
    "组织",
    "师生",
    "党员",
    "团队",
    "上门",
    "进社区",
    "活动",
    "居民",
    "咨询",
    "培训",
    "讲解",
    "指导",
    "协助",
    "项目",
    "共建",
    "长期",
    "每月",
    "每周",
]
NOISE = [
    "钢琴",
    "游泳",
    "宠物",
    "开锁",
    "搬家",
    "二手",
    "插花",
    "装修",
    "噪音",
    "快递柜",
    "团购",
    "租房",
    "宽带",
    "彩票",
    "考试",
]


def concepts() -> list[tuple[tuple[str, ...], list[str]]]:
    """(category, variants) for every concept of the synonym table that suggests a category."""
    hints = category_hints()
    out = []
    for raw in (DATA_DIR / "synonyms.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        category = hints.get(words[0], ("便民服务", "综合"))
        out.append((category, words))
    return out


class World:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.concepts = concepts()
        self.districts = [f"d{i}" for i in range(DISTRICTS)]
        self.subdistricts = [
            (d, f"{d}-s{j}") for d in self.districts for j in range(SUBDISTRICTS_PER)
        ]
        self.communities = [
            (d, s, f"{s}-c{k}") for d, s in self.subdistricts for k in range(COMMUNITIES_PER)
        ]
        self.compounds = [
            (d, s, c, f"{c}-x{m}") for d, s, c in self.communities for m in range(COMPOUNDS_PER)
        ]

    def _text(self, words: Sequence[str], pool: Sequence[str], n: int) -> str:
        picked = list(words) + [self.rng.choice(pool) for _ in range(n)]
        self.rng.shuffle(picked)
        return "".join(picked)

    def dense_compounds(self) -> list[tuple[str, str, str, str]]:
        return [("d0", "d0-s0", "d0-s0-c0", f"d0-s0-c0-x{m}") for m in range(DENSE_COMPOUNDS)]

    def resources(self, count: int = N_RESOURCES, dense: bool = False) -> list[ResourceRecord]:
        rng = self.rng
        out = []
        compounds = self.dense_compounds() if dense else self.compounds
        for i in range(count):
            category, variants = rng.choice(self.concepts)
            main = variants[0]
            extra = rng.choice(self.concepts)[1][0] if rng.random() < 0.3 else ""
            d, s, c, x = rng.choice(compounds)
            roll = rng.random()
            if dense:
                area: tuple[str, ...] = ("wuhan", d, s, c)
            elif roll < 0.05:
                area = ("wuhan",)
            elif roll < 0.30:
                area = ("wuhan", d)
            elif roll < 0.70:
                area = ("wuhan", d, s)
            else:
                area = ("wuhan", d, s, c)
            days = frozenset(rng.sample(range(7), rng.randint(0, 3)))
            start = rng.choice((8, 9, 14, 18))
            out.append(
                ResourceRecord(
                    id=f"r{i}",
                    title=self._text([main, extra], UNIT_WORDS, 2),
                    description=self._text(
                        rng.sample(variants, min(2, len(variants))), UNIT_WORDS, 8
                    ),
                    category=category if rng.random() < 0.9 else (),
                    tags=tuple(rng.sample(variants, min(2, len(variants)))),
                    provider_id=f"p{rng.randrange(count // 4)}",
                    service_area=area,
                    compound_id=x if rng.random() < 0.3 else None,
                    community_id=c,
                    subdistrict_id=s,
                    capacity_remaining=rng.choice((None, 0, 2, 5, 10, 20, 40)),
                    availability=Availability(days, start, start + 3) if days else Availability(),
                    provider_completion_rate=rng.random(),
                    provider_mean_rating=rng.uniform(1, 5),
                )
            )
        return out

    def needs(self, count: int, dense: bool = False) -> list[NeedRecord]:
        rng = self.rng
        out = []
        compounds = self.dense_compounds() if dense else self.compounds
        for i in range(count):
            category, variants = rng.choice(self.concepts)
            said = rng.choice(variants)
            d, s, c, x = rng.choice(compounds)
            words = [said] + ([rng.choice(NOISE)] if rng.random() < 0.2 else [])
            out.append(
                NeedRecord(
                    id=f"n{i}",
                    title=self._text(words, FILLER, 2),
                    description=self._text([], FILLER, rng.randint(3, 10)),
                    category=category if rng.random() < 0.6 else (),
                    compound_id=x,
                    community_id=c,
                    subdistrict_id=s,
                    region_path=("wuhan", d),
                    deadline=TODAY + timedelta(days=rng.randint(1, 30))
                    if rng.random() < 0.3
                    else None,
                    urgency=rng.choice((0, 0, 0, 1, 2)),
                    slots=rng.choice((1, 1, 1, 2, 3)),
                )
            )
        return out


# -- the files the command reads -------------------------------------------------------------------

URGENCY = ("一般", "较急", "紧急")
DAYS = "一二三四五六日"


def _when(a: Availability) -> str:
    if not a.weekdays:
        return ""
    days = "、".join(DAYS[d] for d in sorted(a.weekdays))
    start = a.start_hour or 9
    return f"每周{days} {start:02d}:00-{start + 3:02d}:00"


def write_files(folder: Path, needs: Sequence[NeedRecord], resources: Sequence[ResourceRecord]):
    folder.mkdir(parents=True, exist_ok=True)
    needs_path, resources_path = folder / "needs.csv", folder / "resources.csv"
    with needs_path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["编号", "标题", "描述", "类别", "小区", "截止日期", "紧急程度", "标签"])
        for n in needs:
            out.writerow(
                [
                    n.id,
                    n.title,
                    n.description,
                    "·".join(n.category),
                    n.compound_id or "",
                    n.deadline.isoformat() if n.deadline else "",
                    URGENCY[n.urgency],
                    "",
                ]
            )
    with resources_path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
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
        )
        for r in resources:
            out.writerow(
                [
                    r.id,
                    r.title,
                    r.description,
                    "·".join(r.category),
                    r.provider_id,
                    "企业",
                    "" if r.capacity_remaining is None else f"{r.capacity_remaining} 人次/月",
                    r.service_area[-1] if r.service_area else "",
                    _when(r.availability),
                    "、".join(r.tags),
                ]
            )
    return needs_path, resources_path


def make_regions(database: Path) -> None:
    """A SQLite database holding the city's regions and compounds (names as the files use)."""
    env = {**os.environ, "WULIAN_ENV": "test", "DATABASE_URL": f"sqlite:///{database.resolve()}"}
    env["WULIAN_DATA_DIR"] = str((database.parent / "data").resolve())
    wulian = str(Path(sys.executable).with_name("wulian"))
    subprocess.run([wulian, "migrate", "-v", "0"], check=True, env=env)
    subprocess.run([sys.executable, "-m", "bench.matching_speed", "--regions"], check=True, env=env)


def _fill_regions() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wulian.settings")
    django.setup()
    from wulian.places.models import Compound, Region

    world = World()
    regions: list[Region] = []
    compounds: list[Compound] = []

    def add(name: str, level: str, parent: Region | None) -> Region:
        pk = len(regions) + 1
        path = f"{parent.path if parent else '/'}{pk}/"
        region = Region(pk=pk, name=name, level=level, parent=parent, path=path)
        regions.append(region)
        return region

    city = add("wuhan", "city", None)
    by_name = {}
    for d in world.districts:
        by_name[d] = add(d, "district", city)
    for d, s in world.subdistricts:
        by_name[s] = add(s, "subdistrict", by_name[d])
    for _d, s, c in world.communities:
        by_name[c] = add(c, "community", by_name[s])
    for _d, _s, c, x in world.compounds:
        compounds.append(Compound(name=x, community=by_name[c]))
    Region.objects.bulk_create(regions)
    Compound.objects.bulk_create(compounds)


# -- measuring -----------------------------------------------------------------------------------


def run_command(needs: Path, resources: Path, database: Path | None, out: Path) -> dict:
    """``wulian assign`` in a fresh process: wall time, peak RSS of its largest process."""
    env = {**os.environ, "WULIAN_ENV": "test"}
    missing = WORK / "missing" / "db.sqlite3"
    env["DATABASE_URL"] = f"sqlite:///{(database or missing).resolve()}"
    env["WULIAN_DATA_DIR"] = str((WORK / "data").resolve())
    wulian = str(Path(sys.executable).with_name("wulian"))
    cmd = [wulian, "assign", "--needs", str(needs), "--resources", str(resources)]
    cmd += ["--format", "json"]
    code = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "with open(sys.argv[1], 'wb') as out:\n"
        "    subprocess.run(sys.argv[2:], stdout=out, check=True)\n"
        "wall = time.perf_counter() - t\n"
        "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'wall_s': wall, 'cpu_s': use.ru_utime + use.ru_stime,"
        " 'peak_mib': use.ru_maxrss / 1024}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(out), *cmd],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    result = json.loads(out.read_text(encoding="utf-8"))
    figures["assigned"] = len(result["assignments"])
    figures["unassigned"] = len(result["unassigned"])
    return figures


def flow_floor(n_needs: int, n_resources: int, arcs_per_need: float, seed: int = 3) -> float:
    """Seconds for OR-Tools to build (from arrays) and solve a random network of this size,
    shaped like the command's: source → need → resource → sink, and a bypass per need."""
    from ortools.graph.python import min_cost_flow

    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    n_arcs = int(n_needs * arcs_per_need)
    need_of = rng.integers(0, n_needs, n_arcs)
    res_of = rng.integers(0, n_resources, n_arcs)
    source, sink, need0 = 0, 1, 2
    res0 = need0 + n_needs
    needs = need0 + np.arange(n_needs)
    res = res0 + np.arange(n_resources)
    tails = np.concatenate([np.zeros(n_needs, np.int64), needs, need0 + need_of, res])
    heads = np.concatenate(
        [needs, np.full(n_needs, sink), res0 + res_of, np.full(n_resources, sink)]
    )
    caps = np.concatenate(
        [
            np.ones(n_needs, np.int64),
            np.ones(n_needs, np.int64),
            np.ones(n_arcs, np.int64),
            rng.integers(1, 40, n_resources),
        ]
    )
    costs = np.concatenate(
        [
            np.zeros(n_needs, np.int64),
            np.full(n_needs, 1_000_000),
            rng.integers(0, 700_000, n_arcs),
            np.zeros(n_resources, np.int64),
        ]
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_node_supply(source, n_needs)
    flow.set_node_supply(sink, -n_needs)
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("the floor's flow is not optimal")
    flow.flows(np.asarray(arcs)[2 * n_needs : 2 * n_needs + n_arcs])
    return time.perf_counter() - started


def recommend_latency(dense: bool, n_needs: int = 1000) -> dict:
    warm_up()
    world = World()
    resources = world.resources(dense=dense)
    needs = world.needs(n_needs, dense=dense)
    started = time.perf_counter()
    engine = Engine(resources, today=TODAY)
    build = time.perf_counter() - started
    latencies = []
    for need in needs:
        t0 = time.perf_counter()
        engine.recommend(need, 5)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    # How far the bounded reads are from reading every posting: over the same needs, the
    # share of the exhaustive top 10 found, and the best score found over the best there is.
    bounded = {n.id: engine.recommend(n, 10) for n in needs}
    engine.weights = engine.index.weights = replace(engine.weights, postings_budget=10**9)
    overlap, ratio = [], []
    for n in needs:
        exact = engine.recommend(n, 10)
        if not exact:
            continue
        got = bounded[n.id]
        overlap.append(
            len({c.resource_id for c in got} & {c.resource_id for c in exact}) / len(exact)
        )
        ratio.append((got[0].score if got else 0.0) / exact[0].score)
    return {
        "build_s": build,
        "median_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "top10_overlap": statistics.mean(overlap) if overlap else 1.0,
        "best_ratio": statistics.mean(ratio) if ratio else 1.0,
    }


def _in_fresh_process(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.matching_speed", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--needs", type=int, default=100_000, help="needs per list (100,000)")
    parser.add_argument("--shapes", nargs="*", default=["dense", "city"])
    parser.add_argument("--regions", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=3, type=float, help=argparse.SUPPRESS)
    parser.add_argument("--latency", choices=["dense", "city"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.regions:
        _fill_regions()
        return
    if args.floor:
        n, m, a = args.floor
        print(json.dumps({"floor_s": flow_floor(int(n), int(m), a)}))
        return
    if args.latency:
        print(json.dumps(recommend_latency(args.latency == "dense")))
        return
    print(
        "| shape | needs | resources | command (s) | command CPU (s) | peak RSS (MiB) "
        "| assigned | unassigned | arcs per need | floor, same size (s) | ratio "
        "| floor, 30 arcs (s) | recommend median (ms) | recommend p95 (ms) "
        "| top-10 overlap with exhaustive | best score over exhaustive best |"
    )
    print("| --- |" + " ---: |" * 15)
    for shape in args.shapes:
        dense = shape == "dense"
        folder = WORK / f"{shape}-{args.needs}"
        world = World()
        resources = world.resources(dense=dense)
        needs = world.needs(args.needs, dense=dense)
        needs_path, resources_path = write_files(folder, needs, resources)
        database = None
        if not dense:
            database = WORK / "city.sqlite3"
            if not database.exists():
                make_regions(database)
        r = run_command(needs_path, resources_path, database, folder / "assignment.json")
        pairs = r["assigned"]
        arcs = _candidate_arcs(folder / "assignment.json", len(needs))
        floor = _in_fresh_process("--floor", str(len(needs)), str(len(resources)), str(arcs))
        floor30 = _in_fresh_process("--floor", str(len(needs)), str(len(resources)), "30")
        latency = _in_fresh_process("--latency", shape)
        print(
            f"| {shape} | {len(needs):,} | {len(resources):,} | {r['wall_s']:.1f} "
            f"| {r['cpu_s']:.1f} | {r['peak_mib']:.0f} | {pairs:,} | {r['unassigned']:,} "
            f"| {arcs:.1f} | {floor['floor_s']:.1f} | {r['wall_s'] / floor['floor_s']:.2f} "
            f"| {floor30['floor_s']:.1f} | {latency['median_ms']:.1f} | {latency['p95_ms']:.1f} "
            f"| {latency['top10_overlap']:.3f} | {latency['best_ratio']:.3f} |",
            flush=True,
        )


def _candidate_arcs(result: Path, n_needs: int) -> float:
    """Arcs per need of the command's own network (from its JSON: ``candidate_pairs``)."""
    data = json.loads(result.read_text(encoding="utf-8"))
    return float(data.get("candidate_pairs", 10 * n_needs)) / max(1, n_needs)


if __name__ == "__main__":
    main()
