"""How a resource fits a need: every weight in one place, and the signals.

A candidate's score is ``relevance × (floor + (1 − floor) × context)``:

* *relevance* is the weighted mean of the signals that say whether the resource offers what is
  needed: category (taxonomy distance), tags and text (BM25 over canonical terms, normalised by
  what a perfect match would reach). A signal that cannot be measured (a need with no category
  that none could be inferred for, a resource with no tags) drops out of the mean.
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

    category: float = 0.30
    """Relevance weight of the category signal (1 same category, ``category_sibling`` same
    top-level category, 0 otherwise; times ``category_inferred`` when the need's category was
    inferred from its text)."""

    tags: float = 0.15
    """Relevance weight of the tags signal: resource tags found among the need's tags or
    terms, 1 from two shared tags on."""

    text: float = 0.55
    """Relevance weight of text relevance (BM25 over normalised, synonym-mapped terms)."""

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

    threshold: float = 0.26
    """Minimum score of a returned candidate (calibrated on ``bench/data``; see
    ``docs/benchmarks.md``). Below it the engine returns nothing."""

    category_parent: float = 0.8
    """Category signal when one category contains the other (a need filed under 为老服务 and a
    resource under 为老服务·助餐)."""

    category_sibling: float = 0.5
    """Category signal when only the top-level category agrees."""

    category_inferred: float = 0.8
    """Factor on the category signal when the need's category was inferred from its text."""

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
