"""An inverted index over resources, partitioned by service area, with bounded reads.

Each resource is analysed three ways, each a *kind* of term with BM25 weights of its own:

* ``CHAR``: character unigrams and bigrams of the normalised text (no dictionary needed: the
  base signal, the same one a plain character-bigram BM25 uses);
* ``WORD``: jieba's words mapped to their canonical synonym (``data/synonyms.txt``), with the
  title and tags weighed more;
* ``RELATED``: the 同义词词林 synonym groups of those words.

What a resource says it does not do (不提供上门服务) is cut out of its text before analysis and
kept apart (``excluded``), so that it is never read as an offer.

Postings are keyed by ``(area, kind, term)`` and stored in one flat array (CSR), each list
ordered by weight, then by the resource's static quality (capacity and provider record), then by
position: its head is its best resources. A need reads only the postings of the regions it lies
in. When the lists of a need hold more than ``Weights.postings_budget`` entries in all, each list
is read only down to its share of the budget (never less than ``Weights.postings_floor``): the
cost of a need is bounded whatever the list's size, and below the budget the result is exact.
"""

from __future__ import annotations

import math
import multiprocessing as mp
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
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
from wulian.matching.text import (
    analyse_fields,
    audience,
    canonical_tags,
    char_grams,
    exclusion_terms,
    infer_categories,
    normalise,
    related_codes,
    split_exclusions,
    warm_up,
)

IntArray = npt.NDArray[np.int32]
I64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

ANYWHERE = 0
"""Area code of resources with no service area (they serve everyone)."""

CHAR, WORD, RELATED = 0, 1, 2
KINDS = (CHAR, WORD, RELATED)

TITLE_WEIGHT = 2.0
TAG_WEIGHT = 2.0
CATEGORY_WEIGHT = 1.5


@dataclass(frozen=True, slots=True)
class Analysed:
    """One text analysed: term bags by kind, the words kept whole, what it excludes."""

    bags: tuple[dict[str, float], dict[str, float], dict[str, float]]
    whole: frozenset[str]
    excluded: frozenset[str]
    exclusions: tuple[str, ...]
    norm: str


def _analyse(
    fields: Sequence[tuple[str, float]], exclusions: bool, audience_weight: float = 1.0
) -> Analysed:
    normed = [(normalise(text), weight) for text, weight in fields if text]
    phrases: list[str] = []
    if exclusions:
        cut = []
        for text, weight in normed:
            kept, found = split_exclusions(text)
            phrases += found
            cut.append((kept, weight))
        normed = cut
    whole: set[str] = set()
    words = analyse_fields(normed, whole, normalised=True)
    if audience_weight != 1.0:
        for term in audience() & words.keys():
            words[term] *= audience_weight
    chars: dict[str, float] = {}
    for text, _weight in normed:
        for gram, count in char_grams(text).items():
            chars[gram] = chars.get(gram, 0.0) + count
    related = related_codes(t for t in whole if len(t) >= 2)
    return Analysed(
        bags=(chars, words, related),
        whole=frozenset(whole),
        excluded=exclusion_terms(phrases),
        exclusions=tuple(phrases),
        norm=" ".join(text for text, _ in normed),
    )


def resource_fields(resource: ResourceRecord) -> list[tuple[str, float]]:
    return [
        (resource.title, TITLE_WEIGHT),
        (resource.description, 1.0),
        *((tag, TAG_WEIGHT) for tag in resource.tags),
    ]


def analyse_resource(resource: ResourceRecord) -> Analysed:
    """A resource's title, description and tags analysed (its category is a signal apart)."""
    return _analyse(resource_fields(resource), exclusions=True)


def _analyse_chunk(chunk: Sequence[ResourceRecord]) -> list[Analysed]:
    done: dict[tuple[tuple[str, float], ...], Analysed] = {}
    out = []
    for r in chunk:
        fields = tuple(resource_fields(r))
        found = done.get(fields)
        if found is None:
            found = done[fields] = analyse_resource(r)
        out.append(found)
    return out


def analyse_resources(resources: Sequence[ResourceRecord], workers: int = 1) -> list[Analysed]:
    """Every resource analysed (once per distinct text); with ``workers`` > 1 and a long list,
    in forked processes."""
    if workers <= 1 or len(resources) < 4000 or "fork" not in mp.get_all_start_methods():
        return _analyse_chunk(resources)
    warm_up()  # loaded once here, inherited by the workers
    size = max(500, len(resources) // (workers * 4))
    chunks = [resources[i : i + size] for i in range(0, len(resources), size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("fork")) as pool:
        return [a for part in pool.map(_analyse_chunk, chunks) for a in part]


class AnalysisCache:
    """Needs analysed once per distinct text (long lists repeat themselves)."""

    def __init__(self, weights: Weights, size: int = 200_000) -> None:
        self.weights = weights
        self.size = size
        self._done: dict[tuple[str, str, tuple[str, ...]], Analysed] = {}

    def need(self, need: NeedRecord) -> Analysed:
        key = (need.title, need.description, need.tags)
        found = self._done.get(key)
        if found is None:
            found = _analyse(
                [
                    (need.title, TITLE_WEIGHT),
                    (need.description, 1.0),
                    *((tag, TAG_WEIGHT) for tag in need.tags),
                ],
                exclusions=False,
                audience_weight=self.weights.audience,
            )
            if len(self._done) >= self.size:
                self._done.clear()
            self._done[key] = found
        return found


@dataclass(frozen=True, slots=True)
class NeedQuery:
    """A need prepared for look-ups: its analysis, the postings it reads with their query
    weights (already divided by what a perfect match of each kind would reach), tags, category
    and place codes."""

    need: NeedRecord
    analysed: Analysed
    keys: I64Array
    key_weights: FloatArray
    key_kinds: npt.NDArray[np.int8]
    tags: frozenset[str]
    category: tuple[str, ...]
    category_inferred: bool
    inferred: tuple[tuple[tuple[str, ...], float], ...]
    areas: tuple[int, ...]
    compound: int
    community: int
    subdistrict: int

    @property
    def terms(self) -> Mapping[str, float]:
        return self.analysed.bags[WORD]

    @property
    def whole(self) -> frozenset[str]:
        return self.analysed.whole


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
        workers: int = 1,
    ) -> None:
        self.resources = list(resources)
        self.weights = weights
        self.today = today
        self.cache = AnalysisCache(weights)
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
        self.has_exclusions = np.zeros(n, dtype=bool)
        self.tags: list[frozenset[str]] = []
        self.excluded: list[frozenset[str]] = []
        self.exclusions: list[tuple[str, ...]] = []
        self.by_provider: dict[str, list[int]] = defaultdict(list)
        self.area: list[int] = []

        per_resource = analyse_resources(self.resources, workers)
        for i, r in enumerate(self.resources):
            done = per_resource[i]
            self.excluded.append(done.excluded)
            self.exclusions.append(done.exclusions)
            self.has_exclusions[i] = bool(done.excluded)
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
        self.analysed = per_resource

        live = [i for i, r in enumerate(self.resources) if r.capacity_remaining != 0]
        self.size = len(live)
        big_n = max(1, len(live))
        self.max_idf = math.log(1.0 + (big_n + 0.5) / 0.5)
        self.idf: list[dict[str, float]] = []
        prior = self.capacity_score + self.provider_score
        k1, b = weights.bm25_k1, weights.bm25_b

        # (area, kind, term) -> key id; the postings of key k are docs[ptr[k]:ptr[k + 1]].
        self.term_keys: list[dict[str, dict[int, int]]] = [{} for _ in KINDS]
        key_docs: list[list[int]] = []
        key_weights: list[list[float]] = []
        for kind in KINDS:
            bags = [per_resource[i].bags[kind] for i in live]
            lengths = [sum(bag.values()) for bag in bags]
            # No resource with a word of this kind: any positive average keeps norm defined.
            avgdl = (sum(lengths) / len(lengths)) if lengths and sum(lengths) else 1.0
            df: dict[str, int] = defaultdict(int)
            for bag in bags:
                for term in bag:
                    df[term] += 1
            idf = {t: math.log(1.0 + (big_n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
            self.idf.append(idf)
            keys = self.term_keys[kind]
            for i, bag, dl in zip(live, bags, lengths, strict=True):
                area = self.area[i]
                norm = k1 * (1.0 - b + b * dl / avgdl)
                for term, tf in bag.items():
                    saturation = tf * (k1 + 1.0) / (tf + norm)
                    if kind != CHAR:
                        saturation = min(1.0, saturation)
                    by_area = keys.get(term)
                    if by_area is None:
                        by_area = keys[term] = {}
                    key = by_area.get(area)
                    if key is None:
                        key = by_area[area] = len(key_docs)
                        key_docs.append([])
                        key_weights.append([])
                    key_docs[key].append(i)
                    key_weights[key].append(idf[term] * saturation)
        lengths_per_key = np.asarray([len(d) for d in key_docs], dtype=np.int64)
        self.ptr = np.zeros(len(key_docs) + 1, dtype=np.int64)
        np.cumsum(lengths_per_key, out=self.ptr[1:])
        docs = np.zeros(int(self.ptr[-1]), dtype=np.int32)
        values = np.zeros(int(self.ptr[-1]), dtype=np.float64)
        for key, (d, w) in enumerate(zip(key_docs, key_weights, strict=True)):
            d_arr = np.asarray(d, dtype=np.int32)
            w_arr = np.asarray(w, dtype=np.float64)
            order = np.lexsort((d_arr, -prior[d_arr], -w_arr))
            docs[self.ptr[key] : self.ptr[key + 1]] = d_arr[order]
            values[self.ptr[key] : self.ptr[key + 1]] = w_arr[order]
        self.docs = docs
        self.values = values
        self.key_length = lengths_per_key
        # (term, area) -> key as one sorted array of codes, for look-ups a need at a time.
        self.area_count = len(self._place_codes)
        self.term_ids: list[dict[str, tuple[int, float]]] = []
        codes: list[int] = []
        code_keys: list[int] = []
        next_id = 0
        for kind in KINDS:
            ids: dict[str, tuple[int, float]] = {}
            for term, by_area in self.term_keys[kind].items():
                ids[term] = (next_id, self.idf[kind][term])
                for area, key in by_area.items():
                    codes.append(next_id * self.area_count + area)
                    code_keys.append(key)
                next_id += 1
            self.term_ids.append(ids)
        order = np.argsort(np.asarray(codes, dtype=np.int64), kind="stable")
        self.codes = np.asarray(codes, dtype=np.int64)[order]
        self.code_keys = np.asarray(code_keys, dtype=np.int64)[order]

        tag_docs: dict[tuple[int, str], list[int]] = defaultdict(list)
        for i in live:
            for tag in self.tags[i]:
                tag_docs[(self.area[i], tag)].append(i)
        self.tag_postings: dict[tuple[int, str], IntArray] = {
            key: np.asarray(d, dtype=np.int32) for key, d in tag_docs.items()
        }
        self.tag_vocabulary = frozenset(tag for _, tag in tag_docs)
        self._category_rows: dict[tuple[tuple[tuple[str, ...], float], ...], FloatArray] = {}

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
        analysed = self.cache.need(need)
        words = analysed.bags[WORD]
        category = need.category
        shares: dict[tuple[str, ...], float] = {}
        if not category:
            shares = infer_categories(words)
            category = max(shares, key=lambda c: shares[c]) if shares else ()
        areas = [ANYWHERE]
        for place_id in need.place_ids():
            code = self._place_codes.get(place_id)
            if code is not None:
                areas.append(code)
        area_codes = np.asarray(areas, dtype=np.int64)
        unknown = self.weights.unknown_term_idf * self.max_idf
        found_ids: list[int] = []
        found_weights: list[float] = []
        found_kinds: list[int] = []
        for kind in KINDS:
            bag = analysed.bags[kind]
            if not bag:
                continue
            ids = self.term_ids[kind]
            first = len(found_ids)
            # What a perfect match of this kind would reach: every term of the need at its idf
            # (terms no resource uses count half the largest idf; for words, whole words only).
            total = 0.0
            for term, qw in bag.items():
                known = ids.get(term)
                if known is not None:
                    total += qw * known[1]
                    found_ids.append(known[0])
                    found_weights.append(qw)
                elif kind != WORD or term in analysed.whole:
                    total += qw * unknown
            scale = 1.0 / (total or 1.0)
            for j in range(first, len(found_ids)):
                found_weights[j] *= scale
            found_kinds += [kind] * (len(found_ids) - first)
        term_codes = (
            np.asarray(found_ids, dtype=np.int64)[:, None] * self.area_count + area_codes[None, :]
        ).ravel()
        at = np.minimum(np.searchsorted(self.codes, term_codes), max(0, len(self.codes) - 1))
        hit = (self.codes[at] == term_codes) if len(self.codes) else np.zeros(0, dtype=bool)
        per_area = len(areas)
        return NeedQuery(
            need=need,
            analysed=analysed,
            keys=self.code_keys[at[hit]] if len(self.codes) else np.zeros(0, dtype=np.int64),
            key_weights=np.repeat(np.asarray(found_weights, dtype=np.float64), per_area)[hit],
            key_kinds=np.repeat(np.asarray(found_kinds, dtype=np.int8), per_area)[hit],
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
        """Category similarity by category code (+1; position 0 is "no category"). For an
        inferred category, the best of the suggested categories, each weighed by its share."""
        shares = query.inferred or ((query.category, 1.0),)
        row = self._category_rows.get(shares)
        if row is None:
            row = np.zeros(len(self.categories) + 1)
            for code, path in enumerate(self.categories):
                row[code + 1] = max(
                    share * category_similarity(category, path, self.weights)
                    for category, share in shares
                )
            self._category_rows[shares] = row
        return row

    def read(
        self, queries: Sequence[NeedQuery]
    ) -> tuple[I64Array, IntArray, FloatArray, npt.NDArray[np.int8]]:
        """The posting entries a batch of needs reads, within each need's budget: the need's
        position in the batch, the resource, the weighted value and the kind of each entry."""
        w = self.weights
        counts = np.asarray([len(q.keys) for q in queries], dtype=np.int64)
        if counts.sum() == 0:
            return (
                np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.int32),
                np.zeros(0),
                np.zeros(0, dtype=np.int8),
            )
        keys = np.concatenate([q.keys for q in queries])
        qweights = np.concatenate([q.key_weights for q in queries])
        kinds = np.concatenate([q.key_kinds for q in queries])
        owner = np.repeat(np.arange(len(queries), dtype=np.int64), counts)
        lengths = self.key_length[keys]
        totals = np.bincount(owner, weights=lengths, minlength=len(queries))
        share = np.maximum(w.postings_floor, w.postings_budget // np.maximum(counts, 1))
        cap = np.where(totals > w.postings_budget, share, np.iinfo(np.int64).max)
        take = np.minimum(lengths, cap[owner])
        total = int(take.sum())
        starts = self.ptr[keys]
        first = np.cumsum(take) - take
        positions = np.arange(total, dtype=np.int64) - np.repeat(first - starts, take)
        entry_owner = np.repeat(owner, take)
        return (
            entry_owner,
            self.docs[positions],
            self.values[positions] * np.repeat(qweights, take),
            np.repeat(kinds, take),
        )

    def tag_entries(self, queries: Sequence[NeedQuery]) -> tuple[I64Array, IntArray]:
        """(need position, resource) for every resource tag found among a need's tags or
        words, in the need's areas."""
        owners: list[int] = []
        parts: list[IntArray] = []
        for q, query in enumerate(queries):
            wanted: Iterable[str] = (query.tags | frozenset(query.terms)) & self.tag_vocabulary
            for tag in wanted:
                for area in query.areas:
                    found = self.tag_postings.get((area, tag))
                    if found is not None:
                        parts.append(found)
                        owners.append(q)
        if not parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        owner = np.repeat(np.asarray(owners, dtype=np.int64), [len(p) for p in parts])
        return owner, np.concatenate(parts)
