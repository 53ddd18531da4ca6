"""How a resource fits a need: every weight in one place, and the signals.

A candidate's score is ``relevance × (floor + (1 − floor) × context)``:

* *relevance* says whether the resource offers what is needed: a logistic model,
  ``σ(bias + Σ coefficient × signal)``, over the signals that compare the two texts and
  categories: character n-gram BM25, BM25 over canonical words, 词林 synonym groups (each
  normalised by what a perfect match would reach), category (taxonomy distance; stated or
  inferred from the text, apart), shared tags, and whether the need asks for what the resource
  says it does not do. The coefficients are fitted on the labelled sets in ``bench/data`` with
  k-fold cross-validation (``python -m bench.matching_quality --fit``); see docs/benchmarks.md.
* *context* is the weighted mean of the signals that say how well it can be delivered: place,
  time, capacity left, urgency and the provider's record. Context can lower a relevant match
  (down to ``floor`` times its relevance) but never lift an irrelevant one.

So the score lies in [0, 1], and a candidate below ``threshold`` is never returned.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Weights:
    """All the weights and constants of the matching engine."""

    bias: float = -2.987
    """Relevance model: the intercept."""

    coef_char: float = 9.462
    """Relevance model: character unigram and bigram BM25, over a perfect match."""

    coef_word: float = 5.978
    """Relevance model: BM25 over canonical (synonym-mapped) words, over a perfect match."""

    coef_related: float = 0.383
    """Relevance model: BM25 over 词林 synonym groups, over a perfect match."""

    coef_category: float = 0.652
    """Relevance model: category similarity when the need states its category."""

    coef_category_inferred: float = 2.219
    """Relevance model: category similarity when the need's category is inferred from text."""

    coef_tags: float = 0.791
    """Relevance model: resource tags found among the need's tags or words (each one)."""

    coef_excluded: float = -4.0
    """Relevance model: the need asks for what the resource says it does not do (a prior: it
    meets too few pairs of the tuning sets, 36, to be fitted; 33 of them are not matches)."""

    place: float = 0.35
    """Context weight of place: same compound, community, subdistrict (see ``place_*``)."""

    time: float = 0.25
    """Context weight of time: can the resource serve before the need's deadline?"""

    capacity: float = 0.15
    """Context weight of the capacity left (saturates at ``capacity_full`` units)."""

    provider: float = 0.15
    """Context weight of the provider's record (completion rate and mean rating)."""

    urgency: float = 0.10
    """Context weight of the need's urgency (0, 0.5, 1 for 一般, 较急, 紧急): lifts urgent needs
    in a provider's list and in a whole-list assignment."""

    context_floor: float = 0.70
    """Share of relevance kept when the context is as bad as it gets."""

    threshold: float = 0.220
    """Minimum score of a returned candidate (calibrated with the coefficients, by k-fold
    cross-validation on ``bench/data``; see ``docs/benchmarks.md``). Below it the engine
    returns nothing."""

    category_parent: float = 0.8
    """Category signal when one category contains the other (a need filed under 为老服务 and a
    resource under 为老服务·助餐)."""

    category_sibling: float = 0.5
    """Category signal when only the top-level category agrees."""

    place_compound: float = 1.0
    """Place signal when the provider is based in the need's compound."""

    place_community: float = 0.75
    """Place signal when the provider is based in the need's community."""

    place_subdistrict: float = 0.5
    """Place signal when the provider is based in the need's subdistrict."""

    place_elsewhere: float = 0.3
    """Place signal when the need lies in the service area but nothing closer is shared."""

    place_unknown: float = 0.5
    """Place signal when the need or the resource has no place."""

    time_fits: float = 1.0
    """Time signal when the resource serves on a day before the deadline."""

    time_late: float = 0.1
    """Time signal when the resource's next service day is after the deadline."""

    time_no_deadline: float = 0.8
    """Time signal when the resource states its days and the need has no deadline."""

    time_unknown: float = 0.5
    """Time signal when the resource does not state its days."""

    capacity_full: int = 20
    """Capacity left (in the resource's unit) from which the capacity signal is 1."""

    capacity_unknown: float = 0.6
    """Capacity signal when the capacity left is unknown."""

    provider_unknown: float = 0.6
    """Provider signal when the provider has no record yet."""

    bm25_k1: float = 1.2
    """BM25 term-frequency saturation."""

    bm25_b: float = 0.75
    """BM25 length normalisation."""

    unknown_term_idf: float = 0.5
    """Weight of a need's term that no resource uses, as a share of the largest idf: such
    terms lower text relevance (nobody offers that) but less than a rare known term."""

    audience: float = 0.5
    """Factor on the weight of words in a need that say whom it is for (老人, 儿童, 居民 …,
    listed in ``data/audience.txt``) rather than what it needs."""

    postings_budget: int = 1500
    """Posting entries a need reads at most when its lists are long (a district's list): each
    list is then read down to its share, best entries first. Below it, retrieval is exact."""

    postings_floor: int = 32
    """However many lists a need reads, each is read at least this far."""

    candidates_per_need: int = 10
    """How many best candidates per need enter a whole-list assignment."""

    fairness_step: float = 0.05
    """With ``fair=True``, the score given up for each extra assignment to the same provider
    beyond its first ``fairness_free`` ones (so load spreads when fits are close). The rising
    cost stops at 0.9 × ``threshold``, so fairness never leaves unassigned a need that a
    resource with room could serve."""

    fairness_free: int = 1
    """Assignments a provider takes before the fairness cost starts rising."""

    @property
    def context_total(self) -> float:
        return self.place + self.time + self.capacity + self.provider + self.urgency


DEFAULT_WEIGHTS = Weights()


def category_similarity(
    need: tuple[str, ...], resource: tuple[str, ...], weights: Weights = DEFAULT_WEIGHTS
) -> float:
    """1 for the same category, ``category_parent`` when one contains the other,
    ``category_sibling`` for the same top level, 0 otherwise or when either is empty."""
    if not need or not resource:
        return 0.0
    if need[0] != resource[0]:
        return 0.0
    if need == resource:
        return 1.0
    shorter = min(len(need), len(resource))
    if need[:shorter] == resource[:shorter]:
        return weights.category_parent
    return weights.category_sibling


def provider_signal(
    completion_rate: float | None, mean_rating: float | None, weights: Weights = DEFAULT_WEIGHTS
) -> float:
    """The provider's record in [0, 1]: mean of the completion rate and the rating mapped from
    1–5 to 0–1; ``provider_unknown`` when neither is known."""
    parts: list[float] = []
    if completion_rate is not None:
        parts.append(min(1.0, max(0.0, completion_rate)))
    if mean_rating is not None:
        parts.append(min(1.0, max(0.0, (mean_rating - 1.0) / 4.0)))
    if not parts:
        return weights.provider_unknown
    return sum(parts) / len(parts)


def capacity_signal(remaining: int | None, weights: Weights = DEFAULT_WEIGHTS) -> float:
    if remaining is None:
        return weights.capacity_unknown
    if remaining <= 0:
        return 0.0
    return min(1.0, 0.5 + 0.5 * remaining / weights.capacity_full)


def urgency_signal(urgency: int) -> float:
    return min(2, max(0, urgency)) / 2.0
