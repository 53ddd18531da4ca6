"""Matching quality on labelled sets: the engine against two plain BM25 baselines.

Run from the project folder::

    .venv/bin/python -m bench.matching_quality          # every set: the tables of the docs
    .venv/bin/python -m bench.matching_quality --fit    # refit the relevance model and threshold

The sets (all UTF-8 CSV, described in ``bench/data/README.md``):

* the *tuning sets*, ``bench/data``: the main set (``needs.csv``, ``labels.csv``) and the
  hold-out set (``needs_holdout.csv``, ``labels_holdout.csv``) over ``resources.csv``. The
  relevance model's coefficients and the threshold are fitted on them, so their figures are
  shown two ways: with the shipped weights (fitted on all of them: in-sample, optimistic) and by
  k-fold cross-validation (each fold scored by weights fitted on the other folds: the honest
  figure for them).
* the *frozen set*, ``bench/data/frozen`` (its own resources, needs and labels), written apart
  from the code, in another style, and never tuned on: nothing here reads it except to report
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
    Engine,
    NeedRecord,
    ProviderRecord,
    ResourceRecord,
    Weights,
    normalise,
)
from wulian.matching.text import cache_dir

DATA = Path(__file__).resolve().parent / "data"
FROZEN = DATA / "frozen"
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


def tuning_sets() -> list[LabelledSet]:
    resources = load_resources()
    return [
        LabelledSet("main", resources, load_needs(), load_labels()),
        LabelledSet(
            "hold-out",
            resources,
            load_needs("needs_holdout.csv"),
            load_labels("labels_holdout.csv"),
        ),
    ]


def frozen_set() -> LabelledSet | None:
    if not (FROZEN / "labels.csv").exists():
        return None
    return LabelledSet(
        "frozen",
        load_resources(FROZEN),
        load_needs("needs.csv", FROZEN),
        load_labels("labels.csv", FROZEN),
    )


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


def fit_coefficients(
    engine: Engine, needs: Sequence[NeedRecord], labels: dict[str, dict[str, int]]
) -> dict[str, float]:
    """L2-regularised logistic regression (Newton's method) of "is a good match" on the
    relevance signals of every candidate pair of the given needs (grade 1 counts 0.3)."""
    queries = [engine.prepare(n) for n in needs]
    need_pos, docs, signals = engine.features(queries)
    # A signal these needs never show (no resource of the tuning sets states an exclusion)
    # cannot be fitted: it keeps the engine's prior coefficient.
    present = [(coef, name) for coef, name in SIGNALS if np.any(signals[name] != 0)]
    x = np.column_stack([np.ones(len(docs))] + [signals[name] for _, name in present])
    ids = [r.id for r in engine.index.resources]
    y = np.asarray(
        [
            GAIN.get(labels.get(needs[int(q)].id, {}).get(ids[int(d)], 0), 0.0)
            for q, d in zip(need_pos, docs, strict=True)
        ]
    )
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


def fit(resources: Sequence[ResourceRecord], needs: Sequence[NeedRecord], labels) -> Weights:
    """Coefficients, then the threshold with the best objective, on these needs only."""
    engine = engine_for(resources, replace(DEFAULT_WEIGHTS, threshold=0.0))
    coefficients = fit_coefficients(engine, needs, labels)
    # Good matches are rare among all pairs, so fitted probabilities are small; shifting the
    # intercept spreads the scores people see over [0, 1] (the order within a need is the
    # same) and keeps the threshold well above the fairness step.
    coefficients["bias"] += BIAS_SHIFT
    weights = replace(DEFAULT_WEIGHTS, threshold=0.0, **coefficients)  # type: ignore[arg-type]
    engine = engine_for(resources, weights)
    scored = {n.id: engine.recommend(n, K) for n in needs}

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


def cross_validated(
    resources: Sequence[ResourceRecord], needs: Sequence[NeedRecord], labels
) -> tuple[dict[str, list[str]], list[Weights]]:
    """Each fold ranked by weights fitted on the other folds."""
    ranked: dict[str, list[str]] = {}
    fitted = []
    parts = folds(needs)
    for i, test in enumerate(parts):
        train = [n for j, part in enumerate(parts) if j != i for n in part]
        weights = fit(resources, train, labels)
        fitted.append(weights)
        ranked.update(engine_ranking(engine_for(resources, weights), test))
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
    pooled = LabelledSet(
        "main + hold-out",
        tuning[0].resources,
        [n for s in tuning for n in s.needs],
        {k: v for s in tuning for k, v in s.labels.items()},
    )
    ranked, fitted = cross_validated(pooled.resources, pooled.needs, pooled.labels)
    print(f"{describe(pooled)}; {FOLDS}-fold cross-validation\n")
    print(HEADER)
    thresholds = ", ".join(f"{w.threshold:.2f}" for w in fitted)
    print(
        _row(
            f"engine, {FOLDS}-fold CV (thresholds {thresholds})",
            evaluate(ranked, pooled.needs, pooled.labels),
        )
    )
    print("\n".join(baseline_rows(pooled)))
    print()
    frozen = frozen_set()
    print("## Frozen set, never tuned on\n")
    if frozen is None:
        print("(bench/data/frozen is not there yet)")
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
        tuning = tuning_sets()
        needs = [n for s in tuning for n in s.needs]
        labels = {k: v for s in tuning for k, v in s.labels.items()}
        weights = fit(tuning[0].resources, needs, labels)
        names = {"bias", "threshold"} | {coef for coef, _ in SIGNALS}
        for f in fields(weights):
            if f.name in names:
                print(f"{f.name} = {getattr(weights, f.name):.3f}")
        return
    report()


if __name__ == "__main__":
    main()
