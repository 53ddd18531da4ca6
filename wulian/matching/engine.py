"""The matching engine: rank resources for a need, needs for a provider, and assign a list.

Typical use (the lists app's adapter builds the records from the database)::

    engine = Engine(resources, providers=providers)
    engine.recommend(need, k=5)                   # [] means "no suitable resource"
    engine.recommend_for_provider("unit-7", needs, k=10)
    engine.assign(needs, fair=True)               # whole-list proposal, min-cost flow
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from wulian.matching.index import FloatArray, IntArray, NeedQuery, ResourceIndex
from wulian.matching.reasons import Reason, part_of_day
from wulian.matching.records import NeedRecord, ProviderRecord, ResourceRecord
from wulian.matching.score import DEFAULT_WEIGHTS, Weights, urgency_signal

TIME_ZONE = ZoneInfo("Asia/Shanghai")
SCORE_SCALE = 1_000_000
"""Scores become integer costs in the min-cost flow at this scale."""


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
class Assigned:
    need_id: str
    resource_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """A whole-list proposal: ``unassigned`` lists the needs that got no resource at all."""

    assignments: tuple[Assigned, ...]
    unassigned: tuple[str, ...]
    total_score: float
    status: str


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
    ) -> None:
        self.weights = weights
        self.today = today or shanghai_today()
        self.providers = {p.id: p for p in providers}
        self.index = ResourceIndex(list(resources), self.providers, weights, self.today)
        self._by_id = {r.id: i for i, r in enumerate(self.index.resources)}

    # -- scoring -----------------------------------------------------------------------------

    def prepare(self, need: NeedRecord) -> NeedQuery:
        return self.index.prepare(need)

    def _score(self, query: NeedQuery, restrict: IntArray | None = None) -> _Scored:
        ix, w = self.index, self.weights
        docs_parts, weight_parts, tag_parts = ix.gather(query)
        if not docs_parts:
            return _Scored(np.zeros(0, dtype=np.int32), np.zeros(0), {})
        all_docs = np.concatenate(docs_parts)
        docs, inverse = np.unique(all_docs, return_inverse=True)
        denominator = ix.denominator(query)
        text = np.minimum(1.0, np.bincount(inverse, np.concatenate(weight_parts)) / denominator)
        if restrict is not None:
            keep = np.isin(docs, restrict)
            docs, text = docs[keep], text[keep]
        if tag_parts:
            tag_docs = np.concatenate(tag_parts)
            inside = np.searchsorted(docs, tag_docs)
            valid = inside < len(docs)
            inside, tag_docs = inside[valid], tag_docs[valid]
            hit = inside[docs[inside] == tag_docs]
            tags = np.minimum(1.0, np.bincount(hit, minlength=len(docs)) / 2.0)
        else:
            tags = np.zeros(len(docs))
        tag_avail = ix.has_tags[docs].astype(np.float64)
        if query.category:
            row = ix.category_row(query)
            codes = ix.category_id[docs]
            category = row[codes + 1]
            cat_avail = (codes >= 0).astype(np.float64)
        else:
            category = np.zeros(len(docs))
            cat_avail = np.zeros(len(docs))
        relevance = (
            w.category * category * cat_avail + w.tags * tags * tag_avail + w.text * text
        ) / (w.category * cat_avail + w.tags * tag_avail + w.text)
        keep = relevance >= w.threshold
        docs, relevance = docs[keep], relevance[keep]
        text, tags, category = text[keep], tags[keep], category[keep]

        place = self._place(query, docs)
        time = self._time(query, docs)
        capacity = ix.capacity_score[docs]
        provider = ix.provider_score[docs]
        urgency = urgency_signal(query.need.urgency)
        context = (
            w.place * place
            + w.time * time
            + w.capacity * capacity
            + w.provider * provider
            + w.urgency * urgency
        ) / w.context_total
        score = relevance * (w.context_floor + (1.0 - w.context_floor) * context)
        signals = {
            "category": category,
            "tags": tags,
            "text": text,
            "relevance": relevance,
            "place": place,
            "time": time,
            "capacity": capacity,
            "provider": provider,
        }
        return _Scored(docs, np.clip(score, 0.0, 1.0), signals)

    def _place(self, query: NeedQuery, docs: IntArray) -> FloatArray:
        ix, w = self.index, self.weights
        if not query.need.place_ids():
            return np.full(len(docs), w.place_unknown)
        place = np.full(len(docs), w.place_elsewhere)
        unknown = (ix.compound[docs] < 0) & (ix.community[docs] < 0) & (ix.subdistrict[docs] < 0)
        place[unknown] = w.place_unknown
        place[ix.subdistrict[docs] == query.subdistrict] = w.place_subdistrict
        place[ix.community[docs] == query.community] = w.place_community
        place[ix.compound[docs] == query.compound] = w.place_compound
        return place

    def _time(self, query: NeedQuery, docs: IntArray) -> FloatArray:
        w = self.weights
        offset = self.index.next_offset[docs]
        deadline = query.need.deadline
        if deadline is None:
            return np.where(offset < 0, w.time_unknown, w.time_no_deadline)
        days_left = (deadline - self.today).days
        if days_left < 0:
            return np.zeros(len(docs))
        return np.where(
            offset < 0, w.time_unknown, np.where(offset <= days_left, w.time_fits, w.time_late)
        )

    # -- reasons -----------------------------------------------------------------------------

    def _reasons(self, query: NeedQuery, doc: int, signals: Mapping[str, float]) -> list[Reason]:
        ix, w = self.index, self.weights
        r = ix.resources[doc]
        reasons: list[Reason] = []
        if signals["category"] >= w.category_sibling * w.category_inferred and r.category:
            if signals["category"] >= w.category_inferred:
                reasons.append(Reason("category", {"category": "·".join(r.category)}))
            else:
                reasons.append(Reason("category_related", {"category": r.category[0]}))
        shared_tags = sorted(ix.tags[doc] & (query.tags | frozenset(query.terms)))
        if shared_tags:
            reasons.append(Reason("tags", {"tags": "、".join(shared_tags[:4])}))
        bag = ix.resource_bag(doc)
        matched = sorted(
            (t for t in query.terms if t in bag and t not in shared_tags),
            key=lambda t: -ix.idf_of(t) * query.terms[t],
        )
        if matched:
            reasons.append(Reason("terms", {"terms": "、".join(matched[:3])}))
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
        self, provider_id: str, needs: Iterable[NeedRecord], k: int = 10
    ) -> list[Candidate]:
        """The ``k`` needs a provider is best placed to take, each through its best-fitting
        resource, best first (urgent needs rise through the urgency signal)."""
        own = np.asarray(sorted(self.index.by_provider.get(provider_id, [])), dtype=np.int32)
        if len(own) == 0:
            return []
        best: list[Candidate] = []
        for need in needs:
            query = self.prepare(need)
            scored = self._score(query, restrict=own)
            top = self._top(scored, 1, self.weights.threshold)
            if top:
                best.append(self._candidate(query, scored, top[0]))
        best.sort(key=lambda c: (-c.score, c.need_id))
        return best[:k]

    def pairs(
        self, needs: Sequence[NeedRecord], per_need: int | None = None
    ) -> tuple[npt.NDArray[np.int64], IntArray, FloatArray]:
        """Candidate pairs above the threshold: need positions, resource positions, scores
        (at most ``per_need`` best per need)."""
        limit = per_need or self.weights.candidates_per_need
        need_pos: list[npt.NDArray[np.int64]] = []
        res_pos: list[IntArray] = []
        scores: list[FloatArray] = []
        threshold = self.weights.threshold
        for n, need in enumerate(needs):
            scored = self._score(self.prepare(need))
            if len(scored.docs) == 0:
                continue
            keep = np.flatnonzero(scored.score >= threshold)
            if len(keep) > limit:
                keep = keep[np.argpartition(-scored.score[keep], limit - 1)[:limit]]
            need_pos.append(np.full(len(keep), n, dtype=np.int64))
            res_pos.append(scored.docs[keep])
            scores.append(scored.score[keep])
        if not need_pos:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32), np.zeros(0)
        return np.concatenate(need_pos), np.concatenate(res_pos), np.concatenate(scores)

    def assign(self, needs: Sequence[NeedRecord], fair: bool = False) -> Assignment:
        """The assignment with the greatest total score under every resource's capacity left and
        every need's slots (each slot to a different resource), by min-cost flow. A need is
        left unassigned rather than given a match below the threshold. With ``fair=True`` each
        extra assignment to the same provider costs ``fairness_step`` more (capped below the
        threshold, so fairness never leaves a need unassigned that could be served)."""
        from wulian.matching.flow import solve

        need_pos, res_pos, scores = self.pairs(needs)
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


def assign(
    needs: Sequence[NeedRecord],
    resources: Iterable[ResourceRecord],
    providers: Iterable[ProviderRecord] = (),
    fair: bool = False,
    weights: Weights = DEFAULT_WEIGHTS,
    today: date | None = None,
) -> Assignment:
    """Index ``resources`` and assign ``needs`` to them (see :meth:`Engine.assign`)."""
    return Engine(resources, providers, weights, today).assign(needs, fair=fair)
