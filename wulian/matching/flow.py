"""Whole-list assignment as a min-cost flow (OR-Tools ``SimpleMinCostFlow``).

Network: source → need (capacity: the need's slots) → resource (capacity 1 per pair: each slot
goes to a different resource) → sink (capacity: the resource's capacity left). Each need also
has a bypass arc straight to the sink. A unit of flow through a resource costs
``SCALE − score × SCALE``, through the bypass ``SCALE``, so the least cost is the greatest total
score, and a need is left unassigned only when no candidate above the threshold has room.

With ``fair=True`` resources flow into one node per provider, whose arcs to the sink are
parallel: the first ``fairness_free`` units cost nothing, each further unit costs
``fairness_step`` more than the previous one, up to a cap below the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from wulian.matching.index import FloatArray, IntArray
from wulian.matching.score import Weights

I64 = npt.NDArray[np.int64]

SCORE_SCALE = 1_000_000
"""Scores become integer costs in the min-cost flow at this scale."""


@dataclass(frozen=True, slots=True)
class Assigned:
    need_id: str
    resource_id: str
    score: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """A whole-list proposal: ``unassigned`` lists the needs that got no resource at all;
    ``status`` is "optimal" (anything else raises :class:`AssignmentError`)."""

    assignments: tuple[Assigned, ...]
    unassigned: tuple[str, ...]
    total_score: float
    status: str
    candidate_pairs: int = 0
    """How many (need, resource) candidate pairs entered the network."""


class AssignmentError(Exception):
    """The solver did not reach an optimum (a bug: the network is always feasible)."""

    def __init__(self, message: str, code: str = "assignment_failed") -> None:
        super().__init__(message)
        self.code = code


def _fair_costs(count: int, weights: Weights) -> tuple[I64, I64]:
    """Capacities and unit costs of the parallel arcs taking ``count`` units to the sink."""
    cap_cost = round(0.9 * weights.threshold * SCORE_SCALE)
    step = round(weights.fairness_step * SCORE_SCALE)
    caps: list[int] = []
    costs: list[int] = []
    free = min(count, max(0, weights.fairness_free))
    if free:
        caps.append(free)
        costs.append(0)
    left = count - free
    k = 1
    while left > 0 and step > 0 and step * k < cap_cost:
        caps.append(1)
        costs.append(step * k)
        left -= 1
        k += 1
    if left > 0:
        caps.append(left)
        costs.append(cap_cost if step > 0 else 0)
    return np.asarray(caps, dtype=np.int64), np.asarray(costs, dtype=np.int64)


def solve(
    need_ids: Sequence[str],
    slots: Sequence[int],
    resource_ids: Sequence[str],
    capacities: Sequence[int | None],
    provider_ids: Sequence[str],
    need_pos: I64,
    res_pos: IntArray | I64,
    scores: FloatArray,
    weights: Weights,
    fair: bool = False,
) -> Assignment:
    """Solve one assignment. Pair ``p`` offers need ``need_pos[p]`` (a position in
    ``need_ids``) resource ``res_pos[p]`` (a position in ``resource_ids``) at ``scores[p]``;
    pairs should already be above the threshold. ``capacities[j]`` is ``None`` for unlimited."""
    n_needs = len(need_ids)
    slot_array = np.asarray([max(0, s) for s in slots], dtype=np.int64)
    if len(need_pos) == 0 or n_needs == 0:
        return Assignment((), tuple(need_ids), 0.0, "optimal")

    used_res, res_local = np.unique(res_pos, return_inverse=True)
    n_res = len(used_res)
    source, sink = 0, 1
    need_node0 = 2
    res_node0 = need_node0 + n_needs
    incoming = np.bincount(res_local, minlength=n_res).astype(np.int64)
    remaining = [capacities[int(i)] for i in used_res]
    res_cap = np.asarray(
        [
            incoming[j] if cap is None else min(int(cap), int(incoming[j]))
            for j, cap in enumerate(remaining)
        ],
        dtype=np.int64,
    )

    tails: list[I64] = []
    heads: list[I64] = []
    caps: list[I64] = []
    costs: list[I64] = []

    need_nodes = need_node0 + np.arange(n_needs, dtype=np.int64)
    tails += [np.zeros(n_needs, dtype=np.int64), need_nodes]
    heads += [need_nodes, np.full(n_needs, sink, dtype=np.int64)]
    caps += [slot_array, slot_array]
    costs += [np.zeros(n_needs, dtype=np.int64), np.full(n_needs, SCORE_SCALE, dtype=np.int64)]

    pair_cost = SCORE_SCALE - np.rint(scores * SCORE_SCALE).astype(np.int64)
    pair_first = sum(len(t) for t in tails)
    tails.append(need_node0 + need_pos)
    heads.append(res_node0 + res_local.astype(np.int64))
    caps.append(np.ones(len(need_pos), dtype=np.int64))
    costs.append(pair_cost)

    res_nodes = res_node0 + np.arange(n_res, dtype=np.int64)
    if not fair:
        tails.append(res_nodes)
        heads.append(np.full(n_res, sink, dtype=np.int64))
        caps.append(res_cap)
        costs.append(np.zeros(n_res, dtype=np.int64))
    else:
        providers = [provider_ids[int(i)] for i in used_res]
        provider_codes: dict[str, int] = {}
        res_provider = np.asarray(
            [provider_codes.setdefault(p, len(provider_codes)) for p in providers], dtype=np.int64
        )
        prov_node0 = res_node0 + n_res
        tails.append(res_nodes)
        heads.append(prov_node0 + res_provider)
        caps.append(res_cap)
        costs.append(np.zeros(n_res, dtype=np.int64))
        prov_total = np.bincount(res_provider, weights=res_cap, minlength=len(provider_codes))
        for p, total in enumerate(prov_total.astype(np.int64)):
            arc_caps, arc_costs = _fair_costs(int(total), weights)
            tails.append(np.full(len(arc_caps), prov_node0 + p, dtype=np.int64))
            heads.append(np.full(len(arc_caps), sink, dtype=np.int64))
            caps.append(arc_caps)
            costs.append(arc_costs)

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails), np.concatenate(heads), np.concatenate(caps), np.concatenate(costs)
    )
    total_supply = int(slot_array.sum())
    flow.set_node_supply(source, total_supply)
    flow.set_node_supply(sink, -total_supply)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise AssignmentError(f"min-cost flow ended with status {status}")

    pair_arcs = np.asarray(arcs)[pair_first : pair_first + len(need_pos)]
    flows = np.asarray(flow.flows(pair_arcs.astype(np.int32)))
    chosen = np.flatnonzero(flows > 0)
    order = chosen[np.lexsort((res_pos[chosen], need_pos[chosen]))]
    assignments = tuple(
        Assigned(
            need_id=need_ids[int(need_pos[c])],
            resource_id=resource_ids[int(res_pos[c])],
            score=float(scores[c]),
        )
        for c in order
    )
    served = set(need_pos[chosen].tolist())
    unassigned = tuple(need_id for n, need_id in enumerate(need_ids) if n not in served)
    total = float(sum(a.score for a in assignments))
    return Assignment(assignments, unassigned, total, "optimal", len(need_pos))
