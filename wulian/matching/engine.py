"""The matching engine: rank resources for a need, needs for a provider, and assign a list.

Typical use (the lists app's adapter builds the records from the database)::

    engine = Engine(resources, providers=providers)
    engine.recommend(need, k=5)                   # [] means "no suitable resource"
    engine.recommend_for_provider("unit-7", needs, k=10)
    engine.assign(needs, fair=True)               # whole-list proposal, min-cost flow
"""

from __future__ import annotations

import gc
import multiprocessing as mp
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np

from wulian.matching.flow import Assignment, solve
from wulian.matching.index import (
    CHAR,
    RELATED,
    WORD,
    FloatArray,
    I64Array,
    IntArray,
    NeedQuery,
    ResourceIndex,
)
from wulian.matching.reasons import Reason, part_of_day
from wulian.matching.records import NeedRecord, ProviderRecord, ResourceRecord
from wulian.matching.score import DEFAULT_WEIGHTS, Weights, urgency_signal
from wulian.matching.text import common_phrases, related_pair

TIME_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A resource proposed for a need (or, from ``recommend_for_provider``, a need proposed to
    a provider through one of its resources)."""

    need_id: str
    resource_id: str
    provider_id: str
    score: float
    reasons: tuple[Reason, ...]
    signals: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Batch:
    need: I64Array
    docs: IntArray
    score: FloatArray
    signals: dict[str, FloatArray]

    @staticmethod
    def empty() -> _Batch:
        return _Batch(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0), {})


@dataclass(frozen=True, slots=True)
class _Scored:
    docs: IntArray
    score: FloatArray
    signals: dict[str, FloatArray]


def shanghai_today() -> date:
    return datetime.now(TIME_ZONE).date()


class Engine:
    """Resources indexed once; needs scored against them."""

    def __init__(
        self,
        resources: Iterable[ResourceRecord],
        providers: Iterable[ProviderRecord] = (),
        weights: Weights = DEFAULT_WEIGHTS,
        today: date | None = None,
        workers: int = 1,
    ) -> None:
        """``workers`` > 1 analyses a long resource list in forked processes (for the command
        line, not for a web request)."""
        self.weights = weights
        self.today = today or shanghai_today()
        self.providers = {p.id: p for p in providers}
        self.index = ResourceIndex(
            list(resources), self.providers, weights, self.today, workers=workers
        )
        self._by_id = {r.id: i for i, r in enumerate(self.index.resources)}

    # -- scoring -----------------------------------------------------------------------------

    def prepare(self, need: NeedRecord) -> NeedQuery:
        return self.index.prepare(need)

    def _score(self, query: NeedQuery, restrict: IntArray | None = None) -> _Scored:
        batch = self._score_batch([query], restrict)
        return _Scored(batch.docs, batch.score, batch.signals)

    def features(
        self, queries: Sequence[NeedQuery], restrict: IntArray | None = None
    ) -> tuple[I64Array, IntArray, dict[str, FloatArray]]:
        """Every (need, resource) pair of a batch that shares at least one term, with the
        relevance signals of each pair (the inputs of the relevance model)."""
        ix = self.index
        n_docs = max(1, len(ix.resources))
        owner, docs_read, values, kinds = ix.read(queries)
        if len(owner) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), {}
        keys = owner * n_docs + docs_read
        pair_keys, inverse = np.unique(keys, return_inverse=True)
        need = pair_keys // n_docs
        docs = (pair_keys % n_docs).astype(np.int32)
        if restrict is not None:
            keep = np.isin(docs, restrict)
            pair_keys, need, docs = pair_keys[keep], need[keep], docs[keep]
            remap = np.cumsum(keep) - 1
            inside = keep[inverse]
            inverse, values, kinds = remap[inverse[inside]], values[inside], kinds[inside]
        signals: dict[str, FloatArray] = {}
        for name, kind in (("char", CHAR), ("text", WORD), ("related", RELATED)):
            signals[name] = np.bincount(
                inverse, np.where(kinds == kind, values, 0.0), minlength=len(docs)
            ).astype(np.float64)
        tag_owner, tag_docs = ix.tag_entries(queries)
        if len(tag_owner):
            tag_keys = tag_owner * n_docs + tag_docs
            inside_at = np.searchsorted(pair_keys, tag_keys)
            valid = inside_at < len(pair_keys)
            inside_at, tag_keys = inside_at[valid], tag_keys[valid]
            hit = inside_at[pair_keys[inside_at] == tag_keys]
            signals["tags"] = np.minimum(2.0, np.bincount(hit, minlength=len(docs))).astype(
                np.float64
            )
        else:
            signals["tags"] = np.zeros(len(docs))
        codes = ix.category_id[docs]
        rows = np.stack(
            [
                ix.category_row(query) if query.category else np.zeros(len(ix.categories) + 1)
                for query in queries
            ]
        )
        category = rows[need, codes + 1]
        inferred = np.asarray([query.category_inferred for query in queries])[need]
        signals["category"] = category
        signals["category_stated"] = np.where(inferred, 0.0, category)
        signals["category_inferred"] = np.where(inferred, category, 0.0)
        excluded = np.zeros(len(docs))
        for pos in np.flatnonzero(ix.has_exclusions[docs]).tolist():
            query = queries[int(need[pos])]
            if ix.excluded[int(docs[pos])] & (query.whole | query.terms.keys()):
                excluded[pos] = 1.0
        signals["excluded"] = excluded
        return need, docs, signals

    def relevance(self, signals: Mapping[str, FloatArray]) -> FloatArray:
        """The relevance model: a logistic function of the signals."""
        w = self.weights
        linear = (
            w.bias
            + w.coef_char * signals["char"]
            + w.coef_word * signals["text"]
            + w.coef_related * signals["related"]
            + w.coef_category * signals["category_stated"]
            + w.coef_category_inferred * signals["category_inferred"]
            + w.coef_tags * signals["tags"]
            + w.coef_excluded * signals["excluded"]
        )
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(linear, -30.0, 30.0))), dtype=np.float64)

    def _score_batch(
        self, queries: Sequence[NeedQuery], restrict: IntArray | None = None
    ) -> _Batch:
        """Score many needs at once (the numpy work is shared by the whole batch). Returns
        every (need, resource) pair whose relevance reaches the threshold."""
        ix, w = self.index, self.weights
        need, docs, signals = self.features(queries, restrict)
        if len(docs) == 0:
            return _Batch.empty()
        relevance = self.relevance(signals)
        keep = relevance >= w.threshold
        need, docs, relevance = need[keep], docs[keep], relevance[keep]
        signals = {name: values[keep] for name, values in signals.items()}

        place = self._place(queries, need, docs)
        time = self._time(queries, need, docs)
        capacity = ix.capacity_score[docs]
        provider = ix.provider_score[docs]
        urgency = np.asarray([urgency_signal(query.need.urgency) for query in queries])[need]
        context = (
            w.place * place
            + w.time * time
            + w.capacity * capacity
            + w.provider * provider
            + w.urgency * urgency
        ) / w.context_total
        score = relevance * (w.context_floor + (1.0 - w.context_floor) * context)
        signals.update(
            relevance=relevance, place=place, time=time, capacity=capacity, provider=provider
        )
        return _Batch(need, docs, np.clip(score, 0.0, 1.0), signals)

    def _place(self, queries: Sequence[NeedQuery], need: I64Array, docs: IntArray) -> FloatArray:
        ix, w = self.index, self.weights
        compound = np.asarray([q.compound for q in queries], dtype=np.int32)[need]
        community = np.asarray([q.community for q in queries], dtype=np.int32)[need]
        subdistrict = np.asarray([q.subdistrict for q in queries], dtype=np.int32)[need]
        placed = np.asarray([bool(q.need.place_ids()) for q in queries])[need]
        place = np.full(len(docs), w.place_elsewhere)
        unknown = (ix.compound[docs] < 0) & (ix.community[docs] < 0) & (ix.subdistrict[docs] < 0)
        place[unknown] = w.place_unknown
        place[ix.subdistrict[docs] == subdistrict] = w.place_subdistrict
        place[ix.community[docs] == community] = w.place_community
        place[ix.compound[docs] == compound] = w.place_compound
        place[~placed] = w.place_unknown
        return place

    def _time(self, queries: Sequence[NeedQuery], need: I64Array, docs: IntArray) -> FloatArray:
        w = self.weights
        offset = self.index.next_offset[docs]
        no_deadline = -(10**6)
        days = np.asarray(
            [
                (q.need.deadline - self.today).days if q.need.deadline is not None else no_deadline
                for q in queries
            ],
            dtype=np.int64,
        )[need]
        fits = np.where(offset <= days, w.time_fits, w.time_late)
        with_deadline = np.where(offset < 0, w.time_unknown, fits)
        without = np.where(offset < 0, w.time_unknown, w.time_no_deadline)
        time = np.where(days == no_deadline, without, with_deadline)
        time[(days < 0) & (days != no_deadline)] = 0.0
        return time

    # -- reasons -----------------------------------------------------------------------------

    def _reasons(self, query: NeedQuery, doc: int, signals: Mapping[str, float]) -> list[Reason]:
        ix, w = self.index, self.weights
        r = ix.resources[doc]
        reasons: list[Reason] = []
        if signals["category"] >= w.category_parent and r.category:
            reasons.append(Reason("category", {"category": "·".join(r.category)}))
        elif signals["category"] >= w.category_sibling and r.category:
            reasons.append(Reason("category_related", {"category": r.category[0]}))
        shared_tags = sorted(ix.tags[doc] & (query.tags | frozenset(query.terms)))
        if shared_tags:
            reasons.append(Reason("tags", {"tags": "、".join(shared_tags[:4])}))
        analysed = ix.analysed[doc]
        bag = analysed.bags[WORD]
        idf = ix.idf[WORD]
        matched = sorted(
            (t for t in query.terms if t in bag and t not in shared_tags and len(t) > 1),
            key=lambda t: (-idf.get(t, 0.0) * query.terms[t], t),
        )
        if not matched:
            matched = common_phrases(query.analysed.norm, analysed.norm, shared_tags)
        if matched:
            reasons.append(Reason("terms", {"terms": "、".join(matched[:3])}))
        elif signals["related"] > 0:
            pair = related_pair(query.whole, analysed.whole)
            if pair:
                reasons.append(Reason("related_words", {"asked": pair[0], "offered": pair[1]}))
        if signals["excluded"] > 0 and analysed.exclusions:
            reasons.append(Reason("excludes", {"phrase": analysed.exclusions[0]}))
        if signals["place"] >= w.place_compound and ix.compound[doc] >= 0:
            reasons.append(Reason("same_compound"))
        elif signals["place"] >= w.place_community and ix.community[doc] >= 0:
            reasons.append(Reason("same_community"))
        elif signals["place"] >= w.place_subdistrict and ix.subdistrict[doc] >= 0:
            reasons.append(Reason("same_subdistrict"))
        a = r.availability
        if a.weekdays:
            reasons.append(
                Reason(
                    "schedule",
                    {
                        "weekdays": tuple(sorted(a.weekdays)),
                        "part": part_of_day(a.start_hour, a.end_hour),
                    },
                )
            )
            if query.need.deadline is not None and signals["time"] >= w.time_fits:
                reasons.append(Reason("before_deadline", {"date": query.need.deadline.isoformat()}))
        if r.capacity_remaining is not None and r.capacity_remaining > 0:
            reasons.append(
                Reason("capacity", {"remaining": r.capacity_remaining, "unit": r.capacity_unit})
            )
        provider = self.providers.get(r.provider_id)
        completion = provider.completion_rate if provider else r.provider_completion_rate
        rating = provider.mean_rating if provider else r.provider_mean_rating
        if completion is not None and rating is not None and completion >= 0.8 and rating >= 4:
            reasons.append(
                Reason(
                    "provider_record",
                    {"completion": round(completion * 100), "rating": round(rating, 1)},
                )
            )
        if query.need.urgency >= 2:
            reasons.append(Reason("urgent"))
        return reasons

    def _candidate(self, query: NeedQuery, scored: _Scored, pos: int) -> Candidate:
        doc = int(scored.docs[pos])
        signals = {name: float(values[pos]) for name, values in scored.signals.items()}
        r = self.index.resources[doc]
        return Candidate(
            need_id=query.need.id,
            resource_id=r.id,
            provider_id=r.provider_id,
            score=float(scored.score[pos]),
            reasons=tuple(self._reasons(query, doc, signals)),
            signals=signals,
        )

    @staticmethod
    def _top(scored: _Scored, k: int, threshold: float) -> list[int]:
        above = np.flatnonzero(scored.score >= threshold)
        if len(above) == 0 or k <= 0:
            return []
        order = np.lexsort((scored.docs[above], -scored.score[above]))
        return [int(p) for p in above[order[:k]]]

    # -- public API --------------------------------------------------------------------------

    def recommend(self, need: NeedRecord, k: int = 5) -> list[Candidate]:
        """The ``k`` best resources for ``need``, best first, each with a score in [0, 1] and
        reasons. An empty list means no resource reaches the threshold."""
        query = self.prepare(need)
        scored = self._score(query)
        return [
            self._candidate(query, scored, p) for p in self._top(scored, k, self.weights.threshold)
        ]

    def recommend_for_provider(
        self, provider_id: str, needs: Iterable[NeedRecord], k: int = 10, batch: int = 512
    ) -> list[Candidate]:
        """The ``k`` needs a provider is best placed to take, each through its best-fitting
        resource, best first (urgent needs rise through the urgency signal)."""
        own = np.asarray(sorted(self.index.by_provider.get(provider_id, [])), dtype=np.int32)
        if len(own) == 0 or k <= 0:
            return []
        queries = [self.prepare(need) for need in needs]
        best: list[tuple[float, str, int, int, _Batch]] = []
        for first in range(0, len(queries), batch):
            scored = self._score_batch(queries[first : first + batch], restrict=own)
            above = np.flatnonzero(scored.score >= self.weights.threshold)
            order = above[
                np.lexsort((scored.docs[above], -scored.score[above], scored.need[above]))
            ]
            seen: set[int] = set()
            for pos in order.tolist():
                q = int(scored.need[pos])
                if q not in seen:
                    seen.add(q)
                    query = queries[first + q]
                    best.append((-float(scored.score[pos]), query.need.id, first + q, pos, scored))
        best.sort(key=lambda b: (b[0], b[1]))
        out = []
        for _, _, q, pos, scored in best[:k]:
            single = _Scored(scored.docs, scored.score, scored.signals)
            out.append(self._candidate(queries[q], single, pos))
        return out

    def pairs(
        self,
        needs: Sequence[NeedRecord],
        per_need: int | None = None,
        batch: int = 512,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[I64Array, IntArray, FloatArray]:
        """Candidate pairs above the threshold: need positions, resource positions, scores
        (at most ``per_need`` best per need), scored ``batch`` needs at a time. With
        ``workers`` > 1 and a long list, forked worker processes share the work (the index is
        inherited, not copied); the result is the same."""
        limit = per_need or self.weights.candidates_per_need
        chunks = [(first, min(len(needs), first + batch)) for first in range(0, len(needs), batch)]
        if workers > 1 and len(chunks) >= 2 * workers and "fork" in mp.get_all_start_methods():
            global _shared
            _shared = (self, needs, limit)
            # Keep the collector away from the inherited objects, so that the workers do not
            # touch (and copy) every page of the index.
            gc.freeze()
            try:
                context = mp.get_context("fork")
                with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                    parts = []
                    for (_first, end), part in zip(
                        chunks, pool.map(_pairs_in_worker, chunks, chunksize=4), strict=True
                    ):
                        parts.append(part)
                        if progress is not None:
                            progress(end, len(needs))
            finally:
                gc.unfreeze()
                _shared = None
        else:
            parts = []
            for first, end in chunks:
                parts.append(self._pairs_chunk(needs, first, end, limit))
                if progress is not None:
                    progress(end, len(needs))
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0)
        return (
            np.concatenate([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
        )

    def _pairs_chunk(
        self, needs: Sequence[NeedRecord], first: int, end: int, limit: int
    ) -> tuple[I64Array, IntArray, FloatArray]:
        queries = [self.prepare(need) for need in needs[first:end]]
        scored = self._score_batch(queries)
        above = scored.score >= self.weights.threshold
        need, docs, score = scored.need[above], scored.docs[above], scored.score[above]
        order = np.lexsort((docs, -score, need))
        need, docs, score = need[order], docs[order], score[order]
        rank = np.arange(len(need)) - np.searchsorted(need, need, side="left")
        keep = rank < limit
        return need[keep] + first, docs[keep], score[keep]

    def assign(
        self,
        needs: Sequence[NeedRecord],
        fair: bool = False,
        workers: int = 1,
        progress: Callable[[int, int], None] | None = None,
    ) -> Assignment:
        """The assignment with the greatest total score under every resource's capacity left and
        every need's slots (each slot to a different resource), by min-cost flow. A need is
        left unassigned rather than given a match below the threshold. With ``fair=True`` each
        extra assignment to the same provider costs ``fairness_step`` more (capped below the
        threshold, so fairness never leaves a need unassigned that could be served).
        ``workers`` > 1 scores long lists in forked processes (for the command line, not for
        a web request); ``progress(done, total)`` is told after each batch of needs."""
        need_pos, res_pos, scores = self.pairs(needs, workers=workers, progress=progress)
        resources = self.index.resources
        return solve(
            need_ids=[need.id for need in needs],
            slots=[need.slots for need in needs],
            resource_ids=[r.id for r in resources],
            capacities=[r.capacity_remaining for r in resources],
            provider_ids=[r.provider_id for r in resources],
            need_pos=need_pos,
            res_pos=res_pos,
            scores=scores,
            weights=self.weights,
            fair=fair,
        )

    def resource(self, resource_id: str) -> ResourceRecord:
        return self.index.resources[self._by_id[resource_id]]


_shared: tuple[Engine, Sequence[NeedRecord], int] | None = None
"""The engine and needs a forked worker of :meth:`Engine.pairs` reads (inherited on fork)."""


def _pairs_in_worker(chunk: tuple[int, int]) -> tuple[I64Array, IntArray, FloatArray]:
    assert _shared is not None
    engine, needs, limit = _shared
    return engine._pairs_chunk(needs, chunk[0], chunk[1], limit)


def assign(
    needs: Sequence[NeedRecord],
    resources: Iterable[ResourceRecord],
    providers: Iterable[ProviderRecord] = (),
    fair: bool = False,
    weights: Weights = DEFAULT_WEIGHTS,
    today: date | None = None,
    workers: int = 1,
) -> Assignment:
    """Index ``resources`` and assign ``needs`` to them (see :meth:`Engine.assign`)."""
    return Engine(resources, providers, weights, today).assign(needs, fair=fair, workers=workers)
