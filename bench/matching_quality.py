"""Matching quality on labelled sets: the engine against two plain BM25 baselines.

Run from the project folder::

    .venv/bin/python -m bench.matching_quality          # every set: the tables of the docs
    .venv/bin/python -m bench.matching_quality --fit    # refit the relevance model and threshold

The sets (all UTF-8 CSV, described in ``bench/data/README.md``):

* the *tuning sets*: the main set (``needs.csv``, ``labels.csv``) and the hold-out set
  (``needs_holdout.csv``, ``labels_holdout.csv``) over ``resources.csv`` in ``bench/data``,
  and frozen set 1, ``bench/data/frozen`` (its own resources; never tuned on until
  2026-12-04). The relevance model's coefficients and the threshold are fitted on all three,
  so their figures are shown two ways: with the shipped weights (in-sample, optimistic) and by
  k-fold cross-validation, the folds drawn within each set (each fold scored by weights fitted
  on the other folds: the honest figure for them).
* frozen set 2, ``bench/data/frozen2`` (its own resources, needs and labels), written apart
  from the code, in other styles, and never tuned on: nothing here reads it except to report
  it, and ``--fit`` never does.

Figures, over the top five results: MRR and precision@1 count a result of grade ≥ 2 as
relevant and are averaged over the needs that have one; nDCG@5 uses gains 2^grade − 1; the
empty rate (correct abstention) is the share of needs without a good resource for which nothing
is returned; the false-empty rate is the share of needs with a good resource for which nothing
is returned.

Baselines, both Okapi BM25 (k1 1.2, b 0.75) over the resources' title, description and tags,
never abstaining (their top five, whatever they score), blind to places, schedules, capacity,
synonyms and categories:

* *char BM25*: character unigrams and bigrams of the text after traditional→simplified
  conversion, full-width→half-width and lower-casing (the strongest simple baseline);
* *word BM25*: jieba's default segmentation of the raw text.
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

import numpy as np

from wulian.matching import (
    DEFAULT_WEIGHTS,
    Availability,
    Candidate,
    Engine,
    NeedRecord,
    ProviderRecord,
    ResourceRecord,
    Weights,
    normalise,
)
from wulian.matching.index import FloatArray
from wulian.matching.text import cache_dir

DATA = Path(__file__).resolve().parent / "data"
SPENT = DATA / "frozen"
"""The first frozen set: judged against from 2026-12-02, fitted on from 2026-12-04."""
FROZEN = DATA / "frozen2"
TODAY = date(2026, 11, 27)
K = 5
FOLDS = 5
SEED = 12


def _split(value: str, sep: str) -> tuple[str, ...]:
    """Split on any of the characters of ``sep`` (the sets write lists with 、 ; or |)."""
    return tuple(v.strip() for v in re.split(f"[{re.escape(sep)}]", value) if v.strip())


_HOURS = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?")
URGENCY = {"": 0, "low": 0, "normal": 0, "high": 1, "urgent": 2}


def _hours(value: str) -> tuple[int | None, int | None]:
    """ "14-17" or "08:00-18:30" (an end with minutes rounds up)."""
    found = _HOURS.search(value)
    if not found:
        return None, None
    end = int(found.group(3)) + (1 if found.group(4) and int(found.group(4)) else 0)
    return int(found.group(1)), end


def _urgency(value: str) -> int:
    return int(value) if value.strip().isdigit() else URGENCY.get(value.strip().lower(), 0)


def _float(value: str) -> float | None:
    return float(value) if value.strip() else None


def load_resources(folder: Path = DATA) -> list[ResourceRecord]:
    out = []
    with (folder / "resources.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            start, end = _hours(row["hours"])
            out.append(
                ResourceRecord(
                    id=row["id"],
                    title=row["title"],
                    description=row["description"],
                    category=_split(row["category"], "·"),
                    tags=_split(row["tags"], "、|"),
                    provider_id=row["provider"],
                    provider_kind=row["provider_kind"],
                    service_area=_split(row["service_area"], "/"),
                    compound_id=row["compound"] or None,
                    community_id=row["community"] or None,
                    subdistrict_id=row["subdistrict"] or None,
                    capacity_remaining=int(row["capacity"]) if row["capacity"] else None,
                    capacity_unit=row["unit"] or "人次",
                    availability=Availability(
                        frozenset(int(d) for d in _split(row["weekdays"], ";|")), start, end
                    ),
                    provider_completion_rate=_float(row["completion_rate"]),
                    provider_mean_rating=_float(row["mean_rating"]),
                )
            )
    return out


def load_needs(name: str = "needs.csv", folder: Path = DATA) -> list[NeedRecord]:
    out = []
    with (folder / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out.append(
                NeedRecord(
                    id=row["id"],
                    title=row["title"],
                    description=row["description"],
                    category=_split(row["category"], "·"),
                    tags=_split(row["tags"], "、|"),
                    compound_id=row["compound"] or None,
                    community_id=row["community"] or None,
                    subdistrict_id=row["subdistrict"] or None,
                    region_path=_split(row["region_path"], "/"),
                    deadline=date.fromisoformat(row["deadline"]) if row["deadline"] else None,
                    urgency=_urgency(row["urgency"]),
                    slots=int(row["slots"] or 1),
                )
            )
    return out


def load_labels(name: str = "labels.csv", folder: Path = DATA) -> dict[str, dict[str, int]]:
    labels: dict[str, dict[str, int]] = {}
    with (folder / name).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            labels.setdefault(row["need_id"], {})[row["resource_id"]] = int(row["grade"])
    return labels


def providers_of(resources: Sequence[ResourceRecord]) -> list[ProviderRecord]:
    return [ProviderRecord(r.provider_id, r.provider_id, r.provider_kind) for r in resources]


@dataclass(frozen=True)
class LabelledSet:
    name: str
    resources: list[ResourceRecord]
    needs: list[NeedRecord]
    labels: dict[str, dict[str, int]]

    @property
    def answerable(self) -> int:
        return sum(1 for n in self.needs if _good(self.labels, n.id))


def _good(labels: dict[str, dict[str, int]], need_id: str) -> bool:
    return any(g >= 2 for g in labels.get(need_id, {}).values())


def _set(name: str, folder: Path) -> LabelledSet:
    return LabelledSet(
        name,
        load_resources(folder),
        load_needs("needs.csv", folder),
        load_labels("labels.csv", folder),
    )


def tuning_sets() -> list[LabelledSet]:
    """The sets the relevance model and the threshold are fitted on."""
    resources = load_resources()
    return [
        LabelledSet("main", resources, load_needs(), load_labels()),
        LabelledSet(
            "hold-out",
            resources,
            load_needs("needs_holdout.csv"),
            load_labels("labels_holdout.csv"),
        ),
        _set("frozen 1 (spent)", SPENT),
    ]


def frozen_set() -> LabelledSet | None:
    """The set never tuned on, if it has been written."""
    if not (FROZEN / "SHA256SUMS").exists():
        return None
    return _set("frozen 2", FROZEN)


# -- the baselines -------------------------------------------------------------------------------


class _PlainBM25:
    """Okapi BM25 over whatever ``tokens`` cuts a text into; ranks every resource it scores."""

    k1, b = 1.2, 0.75

    def tokens(self, text: str) -> list[str]:
        raise NotImplementedError

    def __init__(self, resources: Sequence[ResourceRecord]) -> None:
        self.ids = [r.id for r in resources]
        self.docs = [
            Counter(self.tokens(" ".join((r.title, r.description, *r.tags)))) for r in resources
        ]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avgdl = sum(self.lengths) / max(1, len(self.lengths))
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def rank(self, need: NeedRecord) -> list[str]:
        query = self.tokens(" ".join((need.title, need.description, *need.tags)))
        scores = []
        for rid, doc, dl in zip(self.ids, self.docs, self.lengths, strict=True):
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * dl / self.avgdl)
            for t in query:
                tf = doc.get(t, 0)
                if tf:
                    s += self.idf[t] * tf * (self.k1 + 1) / (tf + norm)
            if s > 0:
                scores.append((rid, s))
        scores.sort(key=lambda p: (-p[1], p[0]))
        return [rid for rid, _ in scores[:K]]


_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_RUN = re.compile(r"[a-z0-9]{2,}")


class CharBM25(_PlainBM25):
    """Character unigrams and bigrams after t2s conversion, NFKC and lower-casing."""

    def tokens(self, text: str) -> list[str]:
        norm = normalise(text)
        out: list[str] = []
        for run in _HAN_RUN.findall(norm):
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.extend(_LATIN_RUN.findall(norm))
        return out


class WordBM25(_PlainBM25):
    """jieba's default segmentation of the raw text (lower-cased)."""

    def __init__(self, resources: Sequence[ResourceRecord]) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.tmp_dir = str(cache_dir())
        super().__init__(resources)

    def tokens(self, text: str) -> list[str]:
        return [
            t
            for t in self._tokenizer.cut(text.lower())
            if t.strip() and any(c.isalnum() for c in t)
        ]


# -- the figures ---------------------------------------------------------------------------------


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

    @property
    def objective(self) -> float:
        """What fitting the threshold maximises: the mean of the four figures, less a heavy
        penalty for each point of false-empty rate above 3 %."""
        return self.mean - 5.0 * max(0.0, self.false_empty_rate - 0.03)


def evaluate(
    ranked: dict[str, list[str]], needs: Sequence[NeedRecord], labels: dict[str, dict[str, int]]
) -> Figures:
    rr, p1, ndcg, empty, false_empty = [], [], [], [], []
    for need in needs:
        grades = labels.get(need.id, {})
        got = ranked.get(need.id, [])[:K]
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


# -- the engine, its fitting and cross-validation ----------------------------------------------

SIGNALS = (
    ("coef_char", "char"),
    ("coef_word", "text"),
    ("coef_related", "related"),
    ("coef_category", "category_stated"),
    ("coef_category_inferred", "category_inferred"),
    ("coef_tags", "tags"),
    ("coef_excluded", "excluded"),
)
GAIN = {3: 1.0, 2: 1.0, 1: 0.3}
RIDGE = 1.0
MIN_PAIRS = 100
BIAS_SHIFT = 3.0
SWEEP = False


def engine_for(resources: Sequence[ResourceRecord], weights: Weights) -> Engine:
    return Engine(resources, providers_of(resources), weights=weights, today=TODAY)


def engine_ranking(
    engine: Engine, needs: Sequence[NeedRecord], threshold: float | None = None
) -> dict[str, list[str]]:
    if threshold is not None:
        engine.weights = replace(engine.weights, threshold=threshold)
    return {n.id: [c.resource_id for c in engine.recommend(n, K)] for n in needs}


def _design(
    engine: Engine, needs: Sequence[NeedRecord], labels: dict[str, dict[str, int]]
) -> tuple[dict[str, FloatArray], FloatArray]:
    """The relevance signals of every candidate pair of these needs, and each pair's target
    (grade 1 counts 0.3)."""
    queries = [engine.prepare(n) for n in needs]
    need_pos, docs, signals = engine.features(queries)
    ids = [r.id for r in engine.index.resources]
    y = np.asarray(
        [
            GAIN.get(labels.get(needs[int(q)].id, {}).get(ids[int(d)], 0), 0.0)
            for q, d in zip(need_pos, docs, strict=True)
        ]
    )
    return signals, y


def fit_coefficients(parts: Sequence[tuple[dict[str, FloatArray], FloatArray]]) -> dict[str, float]:
    """L2-regularised logistic regression (Newton's method) of "is a good match" on the
    relevance signals of every candidate pair of the given sets' needs."""
    signals = {name: np.concatenate([p[0][name] for p in parts]) for _, name in SIGNALS}
    y = np.concatenate([p[1] for p in parts])
    # A signal these needs seldom show (a resource's stated exclusion meets the need's words
    # in a few dozen pairs) cannot be fitted: the ridge would pull it to nothing. It keeps the
    # engine's prior coefficient.
    present = [
        (coef, name) for coef, name in SIGNALS if np.count_nonzero(signals[name]) >= MIN_PAIRS
    ]
    x = np.column_stack([np.ones(len(y))] + [signals[name] for _, name in present])
    beta = np.zeros(x.shape[1])
    beta[0] = -3.0
    ridge = np.full(x.shape[1], RIDGE)
    ridge[0] = 0.0
    for _ in range(200):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30.0, 30.0)))
        gradient = x.T @ (p - y) + ridge * beta
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(ridge)
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        step *= min(1.0, 2.0 / max(1e-12, float(np.abs(step).max())))
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    out = {"bias": float(beta[0])}
    out.update({coef: float(b) for (coef, _), b in zip(present, beta[1:], strict=True)})
    return out


THRESHOLDS = [t / 100 for t in range(2, 80)]


def fit(sets: Sequence[LabelledSet]) -> Weights:
    """Coefficients, then the threshold with the best objective, on these sets' needs only
    (each set scored against its own resources)."""
    prior = replace(DEFAULT_WEIGHTS, threshold=0.0)
    coefficients = fit_coefficients(
        [_design(engine_for(s.resources, prior), s.needs, s.labels) for s in sets]
    )
    # Good matches are rare among all pairs, so fitted probabilities are small; shifting the
    # intercept spreads the scores people see over [0, 1] (the order within a need is the
    # same) and keeps the threshold well above the fairness step.
    coefficients["bias"] += BIAS_SHIFT
    weights = replace(DEFAULT_WEIGHTS, threshold=0.0, **coefficients)  # type: ignore[arg-type]
    scored: dict[str, list[Candidate]] = {}
    for s in sets:
        engine = engine_for(s.resources, weights)
        scored.update({n.id: engine.recommend(n, K) for n in s.needs})
    needs = [n for s in sets for n in s.needs]
    labels = {k: v for s in sets for k, v in s.labels.items()}

    def at(t: float) -> Figures:
        ranked = {nid: [c.resource_id for c in cs if c.score >= t] for nid, cs in scored.items()}
        return evaluate(ranked, needs, labels)

    best = max(THRESHOLDS, key=lambda t: (at(t).objective, -t))
    if SWEEP:
        for t in THRESHOLDS[::3]:
            print(_row(f"{t:.2f}", at(t)))
    return replace(weights, threshold=best)


def folds(needs: Sequence[NeedRecord], k: int = FOLDS) -> list[list[NeedRecord]]:
    shuffled = list(needs)
    random.Random(SEED).shuffle(shuffled)
    return [shuffled[i::k] for i in range(k)]


def cross_validated(sets: Sequence[LabelledSet]) -> tuple[dict[str, list[str]], list[Weights]]:
    """Each fold ranked by weights fitted on the other folds. The folds are drawn within each
    set, so every fold holds a share of every set (and every style)."""
    split = [folds(s.needs) for s in sets]
    ranked: dict[str, list[str]] = {}
    fitted = []
    for i in range(FOLDS):
        train = [
            replace(s, needs=[n for j, part in enumerate(parts) if j != i for n in part])
            for s, parts in zip(sets, split, strict=True)
        ]
        weights = fit(train)
        fitted.append(weights)
        for s, parts in zip(sets, split, strict=True):
            ranked.update(engine_ranking(engine_for(s.resources, weights), parts[i]))
    return ranked, fitted


# -- the report ----------------------------------------------------------------------------------


def _row(name: str, f: Figures) -> str:
    return (
        f"| {name} | {f.mrr:.3f} | {f.p_at_1:.3f} | {f.ndcg_at_5:.3f} | {f.empty_rate:.3f} "
        f"| {f.false_empty_rate:.3f} |"
    )


HEADER = (
    "| system | MRR | P@1 | nDCG@5 | empty rate ↑ | false-empty rate ↓ |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: |"
)


def describe(s: LabelledSet) -> str:
    return (
        f"{s.name}: {len(s.needs)} needs ({s.answerable} with a good resource, "
        f"{len(s.needs) - s.answerable} without), {len(s.resources)} resources, "
        f"{sum(map(len, s.labels.values()))} labels"
    )


def baseline_rows(s: LabelledSet) -> list[str]:
    rows = []
    for name, model in (("char BM25 baseline", CharBM25), ("word BM25 baseline", WordBM25)):
        bm25 = model(s.resources)
        rows.append(_row(name, evaluate({n.id: bm25.rank(n) for n in s.needs}, s.needs, s.labels)))
    return rows


def _pooled(sets: Sequence[LabelledSet]) -> tuple[list[NeedRecord], dict]:
    return [n for s in sets for n in s.needs], {k: v for s in sets for k, v in s.labels.items()}


def report(weights: Weights = DEFAULT_WEIGHTS) -> None:
    tuning = tuning_sets()
    print("## Tuning sets\n")
    for s in tuning:
        print(describe(s) + "\n")
        print(HEADER)
        shipped = engine_ranking(engine_for(s.resources, weights), s.needs)
        print(
            _row(
                f"engine, shipped weights (in-sample, threshold {weights.threshold:.2f})",
                evaluate(shipped, s.needs, s.labels),
            )
        )
        print("\n".join(baseline_rows(s)))
        print()
    ranked, fitted = cross_validated(tuning)
    thresholds = ", ".join(f"{w.threshold:.2f}" for w in fitted)
    names = " + ".join(s.name for s in tuning)
    print(f"{names}: {FOLDS}-fold cross-validation (thresholds {thresholds})\n")
    print(HEADER)
    for s in tuning:
        print(_row(f"engine on {s.name}, CV", evaluate(ranked, s.needs, s.labels)))
        print("\n".join(f"| {s.name}: {row[2:]}" for row in baseline_rows(s)))
    needs, labels = _pooled(tuning)
    print(_row("engine on all, CV", evaluate(ranked, needs, labels)))
    print()
    frozen = frozen_set()
    print("## Frozen set, never tuned on\n")
    if frozen is None:
        print(f"({FROZEN.relative_to(DATA.parent.parent)} is not there yet)")
        return
    print(describe(frozen) + "\n")
    print(HEADER)
    ranked = engine_ranking(engine_for(frozen.resources, weights), frozen.needs)
    print(
        _row(
            f"engine, shipped weights (threshold {weights.threshold:.2f})",
            evaluate(ranked, frozen.needs, frozen.labels),
        )
    )
    print("\n".join(baseline_rows(frozen)))
    print()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--fit",
        action="store_true",
        help="fit the coefficients and threshold on all the tuning sets and print them",
    )
    args = parser.parse_args(argv)
    if args.fit:
        weights = fit(tuning_sets())
        names = {"bias", "threshold"} | {coef for coef, _ in SIGNALS}
        for f in fields(weights):
            if f.name in names:
                print(f"{f.name} = {getattr(weights, f.name):.3f}")
        return
    report()


if __name__ == "__main__":
    main()
