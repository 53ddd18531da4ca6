"""An inverted index over resources, partitioned by service area.

Postings are keyed by ``(area, term)``: a need only reads the postings of the regions it lies
in (its compound, community, subdistrict, the regions above them, and "anywhere"), so a
resource outside its service area is never even a candidate, and the work for one need grows
with the resources that serve its place and share its words, not with the whole list.
Categories are stored per resource and scored by table look-up; tags have postings of their own.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from wulian.matching.records import NeedRecord, ProviderRecord, ResourceRecord
from wulian.matching.score import (
    Weights,
    capacity_signal,
    category_similarity,
    provider_signal,
)
from wulian.matching.text import analyse_fields, audience, canonical_tags, infer_categories

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]

ANYWHERE = 0
"""Area code of resources with no service area (they serve everyone)."""

TITLE_WEIGHT = 2.0
TAG_WEIGHT = 2.0
CATEGORY_WEIGHT = 1.5


def resource_terms(resource: ResourceRecord) -> dict[str, float]:
    """The weighted bag of canonical terms of a resource's title, description, tags and
    category."""
    return analyse_fields(
        [
            (resource.title, TITLE_WEIGHT),
            (resource.description, 1.0),
            *((tag, TAG_WEIGHT) for tag in resource.tags),
            (" ".join(resource.category), CATEGORY_WEIGHT),
        ]
    )


def need_terms(need: NeedRecord, weights: Weights) -> tuple[dict[str, float], frozenset[str]]:
    """The weighted bag of a need's canonical terms (title, description, tags; words naming
    whom the need is for count ``weights.audience``), and the words kept whole."""
    whole: set[str] = set()
    bag = analyse_fields(
        [
            (need.title, TITLE_WEIGHT),
            (need.description, 1.0),
            *((tag, TAG_WEIGHT) for tag in need.tags),
        ],
        whole,
    )
    for term in audience() & bag.keys():
        bag[term] *= weights.audience
    return bag, frozenset(whole)


@dataclass(frozen=True, slots=True)
class NeedQuery:
    """A need prepared for look-ups: canonical terms, tags, category and place codes."""

    need: NeedRecord
    terms: Mapping[str, float]
    whole: frozenset[str]
    tags: frozenset[str]
    category: tuple[str, ...]
    category_inferred: bool
    inferred: tuple[tuple[tuple[str, ...], float], ...]
    areas: tuple[int, ...]
    compound: int
    community: int
    subdistrict: int


def next_service_offset(weekdays: frozenset[int], today: date) -> int:
    """Days from ``today`` to the next listed weekday (0 when today), -1 when none listed."""
    if not weekdays:
        return -1
    start = today.weekday()
    return min((day - start) % 7 for day in weekdays)


class ResourceIndex:
    """Resources, their per-resource signal arrays and the area-partitioned postings."""

    def __init__(
        self,
        resources: Sequence[ResourceRecord],
        providers: Mapping[str, ProviderRecord],
        weights: Weights,
        today: date,
    ) -> None:
        self.resources = list(resources)
        self.weights = weights
        self.today = today
        n = len(self.resources)
        self._place_codes: dict[str, int] = {"": ANYWHERE}
        self.categories: list[tuple[str, ...]] = []
        category_codes: dict[tuple[str, ...], int] = {}

        self.category_id = np.full(n, -1, dtype=np.int32)
        self.has_tags = np.zeros(n, dtype=bool)
        self.compound = np.full(n, -1, dtype=np.int32)
        self.community = np.full(n, -1, dtype=np.int32)
        self.subdistrict = np.full(n, -1, dtype=np.int32)
        self.next_offset = np.full(n, -1, dtype=np.int32)
        self.capacity_score = np.zeros(n, dtype=np.float64)
        self.provider_score = np.zeros(n, dtype=np.float64)
        self.tags: list[frozenset[str]] = []
        self.by_provider: dict[str, list[int]] = defaultdict(list)
        self.area: list[int] = []

        bags: list[dict[str, float]] = []
        for i, r in enumerate(self.resources):
            bag = resource_terms(r)
            bags.append(bag)
            tags = canonical_tags(r.tags)
            self.tags.append(tags)
            self.has_tags[i] = bool(tags)
            if r.category:
                code = category_codes.get(r.category)
                if code is None:
                    code = category_codes[r.category] = len(self.categories)
                    self.categories.append(r.category)
                self.category_id[i] = code
            self.compound[i] = self._code(r.compound_id)
            self.community[i] = self._code(r.community_id)
            self.subdistrict[i] = self._code(r.subdistrict_id)
            self.next_offset[i] = next_service_offset(r.availability.weekdays, today)
            self.capacity_score[i] = capacity_signal(r.capacity_remaining, weights)
            provider = providers.get(r.provider_id)
            if provider is not None:
                self.provider_score[i] = provider_signal(
                    provider.completion_rate, provider.mean_rating, weights
                )
            else:
                self.provider_score[i] = provider_signal(
                    r.provider_completion_rate, r.provider_mean_rating, weights
                )
            self.by_provider[r.provider_id].append(i)
            self.area.append(self._code(r.service_area[-1]) if r.service_area else ANYWHERE)
        self._category_codes = category_codes

        live = [i for i, r in enumerate(self.resources) if r.capacity_remaining != 0]
        self.size = len(live)
        lengths = [sum(bags[i].values()) for i in live]
        avgdl = (sum(lengths) / len(lengths)) if lengths else 1.0
        df: dict[str, int] = defaultdict(int)
        for i in live:
            for term in bags[i]:
                df[term] += 1
        big_n = max(1, len(live))
        self.idf = {t: math.log(1.0 + (big_n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.max_idf = math.log(1.0 + (big_n + 0.5) / 0.5)

        k1, b = weights.bm25_k1, weights.bm25_b
        term_docs: dict[tuple[int, str], list[int]] = defaultdict(list)
        term_weights: dict[tuple[int, str], list[float]] = defaultdict(list)
        tag_docs: dict[tuple[int, str], list[int]] = defaultdict(list)
        for i, dl in zip(live, lengths, strict=True):
            area = self.area[i]
            norm = k1 * (1.0 - b + b * dl / avgdl)
            for term, tf in bags[i].items():
                key = (area, term)
                term_docs[key].append(i)
                term_weights[key].append(self.idf[term] * min(1.0, tf * (k1 + 1.0) / (tf + norm)))
            for tag in self.tags[i]:
                tag_docs[(area, tag)].append(i)
        self.postings: dict[tuple[int, str], tuple[IntArray, FloatArray]] = {
            key: (np.asarray(docs, dtype=np.int32), np.asarray(term_weights[key]))
            for key, docs in term_docs.items()
        }
        self.tag_postings: dict[tuple[int, str], IntArray] = {
            key: np.asarray(docs, dtype=np.int32) for key, docs in tag_docs.items()
        }
        self.tag_vocabulary = frozenset(tag for _, tag in tag_docs)
        self._category_rows: dict[
            tuple[bool, tuple[tuple[tuple[str, ...], float], ...]], FloatArray
        ] = {}

    def _code(self, place_id: str | None) -> int:
        if not place_id:
            return -1
        code = self._place_codes.get(place_id)
        if code is None:
            code = self._place_codes[place_id] = len(self._place_codes)
        return code

    def place_code(self, place_id: str | None) -> int:
        """The code of a place id, or -2 when no resource mentions it (never equal to any)."""
        if not place_id:
            return -2
        return self._place_codes.get(place_id, -2)

    def prepare(self, need: NeedRecord) -> NeedQuery:
        terms, whole = need_terms(need, self.weights)
        category = need.category
        shares: dict[tuple[str, ...], float] = {}
        if not category:
            shares = infer_categories(terms)
            category = max(shares, key=lambda c: shares[c]) if shares else ()
        areas = [ANYWHERE]
        for place_id in need.place_ids():
            code = self._place_codes.get(place_id)
            if code is not None:
                areas.append(code)
        return NeedQuery(
            need=need,
            terms=terms,
            whole=whole,
            tags=canonical_tags(need.tags),
            category=category,
            category_inferred=bool(shares),
            inferred=tuple(shares.items()),
            areas=tuple(sorted(areas)),
            compound=self.place_code(need.compound_id),
            community=self.place_code(need.community_id),
            subdistrict=self.place_code(need.subdistrict_id),
        )

    def category_row(self, query: NeedQuery) -> FloatArray:
        """Category signal by category code (+1; position 0 is "no category"). For an inferred
        category, the best of the suggested categories, each weighed by its strength."""
        shares = query.inferred or ((query.category, 1.0),)
        key = (bool(query.inferred), shares)
        row = self._category_rows.get(key)
        if row is None:
            factor = self.weights.category_inferred if query.inferred else 1.0
            row = np.zeros(len(self.categories) + 1)
            for code, path in enumerate(self.categories):
                row[code + 1] = factor * max(
                    share * category_similarity(category, path, self.weights)
                    for category, share in shares
                )
            self._category_rows[key] = row
        return row

    def resource_bag(self, i: int) -> dict[str, float]:
        return resource_terms(self.resources[i])

    def idf_of(self, term: str) -> float:
        known = self.idf.get(term)
        return known if known is not None else self.weights.unknown_term_idf * self.max_idf

    def denominator(self, query: NeedQuery) -> float:
        """What a perfect text match would reach: every term of the need at full weight.
        Pieces of words that no resource uses are left out (the whole word counts)."""
        total = 0.0
        for term, qw in query.terms.items():
            known = self.idf.get(term)
            if known is not None:
                total += qw * known
            elif term in query.whole:
                total += qw * self.weights.unknown_term_idf * self.max_idf
        return total or 1.0

    def gather(self, query: NeedQuery) -> tuple[list[IntArray], list[FloatArray], list[IntArray]]:
        """The postings a need reads: term documents and weights, and tag documents."""
        docs: list[IntArray] = []
        weights: list[FloatArray] = []
        for term, qw in query.terms.items():
            for area in query.areas:
                found = self.postings.get((area, term))
                if found is not None:
                    docs.append(found[0])
                    weights.append(found[1] * qw)
        tag_docs: list[IntArray] = []
        wanted: Iterable[str] = (query.tags | frozenset(query.terms)) & self.tag_vocabulary
        for tag in wanted:
            for area in query.areas:
                found_tags = self.tag_postings.get((area, tag))
                if found_tags is not None:
                    tag_docs.append(found_tags)
        return docs, weights, tag_docs
