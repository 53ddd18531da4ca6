"""Matching quality on the labelled set in ``bench/data``: the engine against plain BM25.

Run from the project folder::

    .venv/bin/python -m bench.matching_quality            # the table for docs/benchmarks.md
    .venv/bin/python -m bench.matching_quality --sweep    # the engine at several thresholds

Data (all UTF-8 CSV):

* ``resources.csv``: one resource per row; ``category`` levels joined by ``·``, ``tags`` joined
  by ``、``, ``service_area`` a region-id path joined by ``/``, ``weekdays`` 0 (Monday) … 6 joined
  by ``;``, ``hours`` as ``start-end``.
* ``needs.csv``: one need per row, place as compound / community / subdistrict ids and the
  ``region_path`` above them.
* ``labels.csv``: ``need_id, resource_id, grade`` with grade 3 (what is needed), 2 (a good
  match) or 1 (partly useful). A need with no label of grade 2 or more has no good resource:
  the right answer for it is an empty list.
* ``needs_holdout.csv`` and ``labels_holdout.csv``: the same for 42 more needs, written after
  the first run and before the synonym table, weights and threshold were tuned on the main set,
  and never used for tuning; their figures show how much the tuning overfits.

Figures, over the top five results: MRR and precision@1 count a result of grade ≥ 2 as
relevant and are averaged over the needs that have one; nDCG@5 uses gains 2^grade − 1; the
empty rate is the share of needs without a good resource for which nothing is returned; the
false-empty rate is the share of needs with a good resource for which nothing is returned.
The baseline is Okapi BM25 (k1 1.2, b 0.75) over jieba's default segmentation of the raw text,
with no normalisation, synonyms, categories, places or schedules. Its score threshold is
calibrated like the engine's, on the main set: the one that maximises the mean of its own four
figures there (its best case); the hold-out set uses that same threshold.
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from wulian.matching import (
    DEFAULT_WEIGHTS,
    Availability,
    Engine,
    NeedRecord,
    ProviderRecord,
    ResourceRecord,
    Weights,
)
from wulian.matching.text import cache_dir

DATA = Path(__file__).resolve().parent / "data"
TODAY = date(2026, 11, 27)
K = 5


def _split(value: str, sep: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(sep) if v.strip())


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def load_resources() -> list[ResourceRecord]:
    out = []
    with (DATA / "resources.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            hours = _split(row["hours"], "-")
            out.append(
                ResourceRecord(
                    id=row["id"],
                    title=row["title"],
                    description=row["description"],
                    category=_split(row["category"], "·"),
                    tags=_split(row["tags"], "、"),
                    provider_id=row["provider"],
                    provider_kind=row["provider_kind"],
                    service_area=_split(row["service_area"], "/"),
                    compound_id=row["compound"] or None,
                    community_id=row["community"] or None,
                    subdistrict_id=row["subdistrict"] or None,
                    capacity_remaining=int(row["capacity"]) if row["capacity"] else None,
                    capacity_unit=row["unit"] or "人次",
                    availability=Availability(
                        frozenset(int(d) for d in _split(row["weekdays"], ";")),
                        int(hours[0]) if hours else None,
                        int(hours[1]) if hours else None,
                    ),
                    provider_completion_rate=_float(row["completion_rate"]),
                    provider_mean_rating=_float(row["mean_rating"]),
                )
            )
    return out


def load_needs(name: str = "needs.csv") -> list[NeedRecord]:
    out = []
    with (DATA / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out.append(
                NeedRecord(
                    id=row["id"],
                    title=row["title"],
                    description=row["description"],
                    category=_split(row["category"], "·"),
                    tags=_split(row["tags"], "、"),
                    compound_id=row["compound"] or None,
                    community_id=row["community"] or None,
                    subdistrict_id=row["subdistrict"] or None,
                    region_path=_split(row["region_path"], "/"),
                    deadline=date.fromisoformat(row["deadline"]) if row["deadline"] else None,
                    urgency=int(row["urgency"] or 0),
                    slots=int(row["slots"] or 1),
                )
            )
    return out


def load_labels(name: str = "labels.csv") -> dict[str, dict[str, int]]:
    labels: dict[str, dict[str, int]] = {}
    with (DATA / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            labels.setdefault(row["need_id"], {})[row["resource_id"]] = int(row["grade"])
    return labels


def providers_of(resources: Sequence[ResourceRecord]) -> list[ProviderRecord]:
    return [ProviderRecord(r.provider_id, r.provider_id, r.provider_kind) for r in resources]


# -- the baseline ------------------------------------------------------------------------------


class BM25:
    """Plain Okapi BM25 over jieba's default segmentation of the raw text."""

    def __init__(self, resources: Sequence[ResourceRecord], k1: float = 1.2, b: float = 0.75):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.tmp_dir = str(cache_dir())
        self.k1, self.b = k1, b
        self.ids = [r.id for r in resources]
        self.docs = [
            Counter(self.tokens(" ".join((r.title, r.description, *r.tags, *r.category))))
            for r in resources
        ]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avgdl = sum(self.lengths) / len(self.lengths)
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def tokens(self, text: str) -> list[str]:
        return [
            t
            for t in self._tokenizer.cut(text.lower())
            if t.strip() and any(c.isalnum() for c in t)
        ]

    def rank(self, need: NeedRecord) -> list[tuple[str, float]]:
        query = self.tokens(" ".join((need.title, need.description, *need.tags, *need.category)))
        scores = []
        for rid, doc, dl in zip(self.ids, self.docs, self.lengths, strict=True):
            s = 0.0
            for t in query:
                tf = doc.get(t, 0)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * dl / self.avgdl)
                    s += self.idf[t] * tf * (self.k1 + 1) / (tf + norm)
            if s > 0:
                scores.append((rid, s))
        scores.sort(key=lambda p: (-p[1], p[0]))
        return scores


# -- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    mrr: float
    p_at_1: float
    ndcg_at_5: float
    empty_rate: float
    false_empty_rate: float

    @property
    def mean(self) -> float:
        return (self.mrr + self.p_at_1 + self.ndcg_at_5 + self.empty_rate) / 4


def evaluate(
    ranked: dict[str, list[str]], needs: Sequence[NeedRecord], labels: dict[str, dict[str, int]]
) -> Figures:
    rr, p1, ndcg, empty, false_empty = [], [], [], [], []
    for need in needs:
        grades = labels.get(need.id, {})
        got = ranked[need.id][:K]
        if not any(g >= 2 for g in grades.values()):
            empty.append(1.0 if not got else 0.0)
            continue
        false_empty.append(1.0 if not got else 0.0)
        first = next((i for i, rid in enumerate(got) if grades.get(rid, 0) >= 2), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
        p1.append(1.0 if got and grades.get(got[0], 0) >= 2 else 0.0)
        dcg = sum((2 ** grades.get(rid, 0) - 1) / math.log2(i + 2) for i, rid in enumerate(got))
        ideal = sorted(grades.values(), reverse=True)[:K]
        idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg.append(dcg / idcg)

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    return Figures(mean(rr), mean(p1), mean(ndcg), mean(empty), mean(false_empty))


def engine_ranking(
    resources: Sequence[ResourceRecord], needs: Sequence[NeedRecord], weights: Weights
) -> dict[str, list[str]]:
    engine = Engine(resources, providers_of(resources), weights=weights, today=TODAY)
    return {n.id: [c.resource_id for c in engine.recommend(n, K)] for n in needs}


def best_threshold(
    figures_at: Callable[[float], Figures], candidates: Sequence[float]
) -> tuple[float, Figures]:
    scored = [(t, figures_at(t)) for t in candidates]
    return max(scored, key=lambda p: (p[1].mean, -p[0]))


def _row(name: str, f: Figures) -> str:
    return (
        f"| {name} | {f.mrr:.3f} | {f.p_at_1:.3f} | {f.ndcg_at_5:.3f} | {f.empty_rate:.3f} "
        f"| {f.false_empty_rate:.3f} |"
    )


HEADER = (
    "| system | MRR | P@1 | nDCG@5 | empty rate ↑ | false-empty rate ↓ |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: |"
)


def baseline_threshold(
    resources: Sequence[ResourceRecord], needs_file: str, labels_file: str
) -> float:
    """The baseline's best threshold on a set (the mean of its four figures)."""
    needs, labels = load_needs(needs_file), load_labels(labels_file)
    bm25 = BM25(resources)
    ranks = {n.id: bm25.rank(n) for n in needs}
    top = sorted({s for r in ranks.values() for _, s in r[:K]})
    grid = [0.0, *top[:: max(1, len(top) // 200)]]

    def at(t: float) -> Figures:
        return evaluate(baseline_cut(ranks, t), needs, labels)

    return best_threshold(at, grid)[0]


def baseline_cut(ranks: dict[str, list[tuple[str, float]]], t: float) -> dict[str, list[str]]:
    return {nid: [rid for rid, s in r[:K] if s >= t] for nid, r in ranks.items()}


def report(
    resources: Sequence[ResourceRecord], needs_file: str, labels_file: str, base_t: float
) -> None:
    needs, labels = load_needs(needs_file), load_labels(labels_file)
    answerable = sum(1 for n in needs if any(g >= 2 for g in labels.get(n.id, {}).values()))
    print(
        f"{needs_file}: {len(needs)} needs ({answerable} with a good resource, "
        f"{len(needs) - answerable} without), {len(resources)} resources, "
        f"{sum(map(len, labels.values()))} labels\n"
    )
    engine = evaluate(engine_ranking(resources, needs, DEFAULT_WEIGHTS), needs, labels)
    bm25 = BM25(resources)
    ranks = {n.id: bm25.rank(n) for n in needs}
    print(HEADER)
    print(_row(f"engine (threshold {DEFAULT_WEIGHTS.threshold:.2f})", engine))
    base = evaluate(baseline_cut(ranks, base_t), needs, labels)
    print(_row(f"BM25 baseline (threshold {base_t:.2f})", base))
    print(_row("BM25 baseline (no threshold)", evaluate(baseline_cut(ranks, 0.0), needs, labels)))
    print()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="the engine at several thresholds")
    args = parser.parse_args(argv)
    resources = load_resources()
    if args.sweep:
        needs, labels = load_needs(), load_labels()
        print("| threshold | MRR | P@1 | nDCG@5 | empty rate ↑ | false-empty rate ↓ |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for t in [x / 100 for x in range(10, 52, 2)]:
            weights = replace(DEFAULT_WEIGHTS, threshold=t)
            print(
                _row(f"{t:.2f}", evaluate(engine_ranking(resources, needs, weights), needs, labels))
            )
        return
    base_t = baseline_threshold(resources, "needs.csv", "labels.csv")
    report(resources, "needs.csv", "labels.csv", base_t)
    report(resources, "needs_holdout.csv", "labels_holdout.csv", base_t)


if __name__ == "__main__":
    main()
