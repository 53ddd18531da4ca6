"""Matching speed on synthetic lists: index build, recommend latency, assign wall time, memory.

Run from the project folder::

    .venv/bin/python -m bench.matching_speed          # 1k, 10k, 30k, 100k needs × 20k resources
    .venv/bin/python -m bench.matching_speed --sizes 1000     # a quick run

Each size runs in a fresh process so that its peak resident memory (``ru_maxrss``) is its own;
the workers that score the needs (``--workers``, default 2: this machine's cores) are forked
from it and share its pages, their own peak is shown apart. Recommend latency is measured on
the first 1,000 needs, one at a time, reasons included; assign time covers analysing every need,
generating and scoring candidates, and solving the min-cost flow.
The synthetic world is a city of 13 districts, 156 subdistricts, 1,560 communities and 7,800
compounds. Resources serve the whole city (5 %), a district (25 %), a subdistrict (40 %) or a
community (30 %); their text is drawn from the vocabulary of the synonym table (so that
segmentation, synonyms and categories all do real work) mixed with everyday words. Needs are
written from the variants of the same concepts plus colloquial filler, 40 % with no category.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import date, timedelta

from wulian.matching import Availability, Engine, NeedRecord, ResourceRecord
from wulian.matching.text import DATA_DIR, category_hints, warm_up

TODAY = date(2026, 11, 27)
N_RESOURCES = 20_000
DISTRICTS, SUBDISTRICTS_PER, COMMUNITIES_PER, COMPOUNDS_PER = 13, 12, 10, 5

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

    def resources(self, count: int = N_RESOURCES) -> list[ResourceRecord]:
        rng = self.rng
        out = []
        for i in range(count):
            category, variants = rng.choice(self.concepts)
            main = variants[0]
            extra = rng.choice(self.concepts)[1][0] if rng.random() < 0.3 else ""
            d, s, c, x = rng.choice(self.compounds)
            roll = rng.random()
            if roll < 0.05:
                area: tuple[str, ...] = ("wuhan",)
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

    def needs(self, count: int) -> list[NeedRecord]:
        rng = self.rng
        out = []
        for i in range(count):
            category, variants = rng.choice(self.concepts)
            said = rng.choice(variants)
            d, s, c, x = rng.choice(self.compounds)
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


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run_one(n_needs: int, fair: bool, workers: int) -> dict[str, float]:
    warm_up()
    world = World()
    resources = world.resources()
    needs = world.needs(n_needs)
    started = time.perf_counter()
    engine = Engine(resources, today=TODAY)
    build = time.perf_counter() - started

    latencies = []
    for need in needs[:1000]:
        t0 = time.perf_counter()
        engine.recommend(need, 5)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()

    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    result = engine.assign(needs, fair=fair, workers=workers)
    assign_s = time.perf_counter() - t0
    assign_cpu = _cpu_seconds() - cpu0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "needs": n_needs,
        "resources": len(resources),
        "build_s": build,
        "recommend_median_ms": statistics.median(latencies),
        "recommend_p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "assign_s": assign_s,
        "assign_cpu_s": assign_cpu,
        "assigned": len(result.assignments),
        "unassigned": len(result.unassigned),
        "peak_rss_mib": peak_mib,
        "worker_rss_mib": worker_mib,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 30_000, 100_000])
    parser.add_argument("--fair", action="store_true", help="assign with the fairness option")
    parser.add_argument("--workers", type=int, default=2, help="processes scoring the needs")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(run_one(args.one, args.fair, args.workers)))
        return
    print(
        "| needs | resources | index build (s) | recommend median (ms) | recommend p95 (ms) "
        "| assign (s) | assign CPU (s) | assigned pairs | unassigned needs | peak RSS (MiB) "
        "| workers RSS (MiB) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in args.sizes:
        cmd = [sys.executable, "-m", "bench.matching_speed", "--one", str(size)]
        cmd += ["--workers", str(args.workers)]
        if args.fair:
            cmd.append("--fair")
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"| {r['needs']:,} | {r['resources']:,} | {r['build_s']:.1f} "
            f"| {r['recommend_median_ms']:.1f} | {r['recommend_p95_ms']:.1f} "
            f"| {r['assign_s']:.1f} | {r['assign_cpu_s']:.1f} "
            f"| {r['assigned']:,} | {r['unassigned']:,} "
            f"| {r['peak_rss_mib']:.0f} | {r['worker_rss_mib']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
