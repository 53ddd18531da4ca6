"""The lists' side of matching: model rows in, the engine's records out, results for pages.

The engine (`wulian.matching`) knows no Django; this adapter feeds it in a bounded number of
queries and turns its candidates back into rows and sentences in the reader's language.

Choices made here (each simple on purpose):

* Place ids are strings: ``r<pk>`` for regions, ``c<pk>`` for compounds. A need lies in its
  compound, its community, the subdistrict above and the district and city above that (from
  the region's materialised path, no query).
* A resource is placed where it is listed (its community, and the subdistrict above). It
  serves its ``service_area`` (a region and everything below it) or, without one, the
  community it is listed in.
* The engine of a community indexes the active resources listed in it and those listed
  elsewhere whose service area contains it (a district-wide offer).
* Capacity left = ``capacity_number`` minus the provider's active claims made in the current
  period (day, ISO week, month, year; "in all" and no period count every claim), counting only
  claims of needs in the resource's category when it has one. One claim uses one unit.
  ``None`` (unknown) when the resource states no number.
* A provider's record: completion rate = completed projects over projects not cancelled;
  mean rating = the mean of its projects' ratings. ``None`` without history.
* Engines are cached per community in this process, keyed on the day and on counts and
  latest changes of resources, claims, projects and ratings: only a cache, rebuilt whenever
  any of those moves, so several processes may each hold one.
"""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone, translation

from wulian.lists.models import Claim, Invitation, Need, Project, Rating, Resource
from wulian.matching import (
    Availability,
    Candidate,
    Engine,
    NeedRecord,
    ProviderRecord,
    ResourceRecord,
    render_reason,
)
from wulian.matching.reasons import Lang
from wulian.orgs.models import Organization
from wulian.places.models import Region

OPEN_FOR_MATCHING = (Need.State.SUBMITTED, Need.State.PUBLISHED)
RESOURCE_RELATED = ("category__parent", "service_area", "community", "provider_org")
CACHE_SIZE = 32


# ---------------------------------------------------------------- ids and languages


def region_key(pk: int) -> str:
    return f"r{pk}"


def compound_key(pk: int) -> str:
    return f"c{pk}"


def provider_key(resource: Resource) -> str:
    """The engine's provider id: the unit, the person, or the name written in an import."""
    if resource.provider_org_id:
        return f"org{resource.provider_org_id}"
    if resource.provider_user_id:
        return f"user{resource.provider_user_id}"
    return f"name:{resource.provider_name}"


def org_key(org: Organization | int) -> str:
    return f"org{org if isinstance(org, int) else org.pk}"


def engine_lang(language: str | None = None) -> Lang:
    """Django's language code ("zh-hans", "zh-hant", "en", "en-us" …) as the engine's."""
    code = (language or translation.get_language() or "zh-hans").lower()
    if code.startswith("en"):
        return "en"
    if code in {"zh-hant", "zh-tw", "zh-hk", "zh-mo"} or code.startswith("zh-hant"):
        return "zh-hant"
    return "zh-hans"


def _places(region: Region) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(community id, subdistrict id, enclosing region ids above) of a community."""
    ids = region.ancestor_ids
    if not ids:
        return None, None, ()
    community = region_key(ids[-1])
    subdistrict = region_key(ids[-2]) if len(ids) >= 2 else None
    return community, subdistrict, tuple(region_key(pk) for pk in ids[:-2])


def _category_path(obj: Need | Resource) -> tuple[str, ...]:
    return obj.category.path if obj.category_id and obj.category is not None else ()


# ---------------------------------------------------------------- needs


def need_record(need: Need) -> NeedRecord:
    """One need as the engine's record. Reads ``community``, ``category__parent`` and the
    ``tags`` (prefetch them for many needs)."""
    community, subdistrict, above = _places(need.community)
    return NeedRecord(
        id=str(need.pk),
        title=need.title,
        description=need.description,
        category=_category_path(need),
        tags=tuple(t.name for t in need.tags.all()),
        compound_id=compound_key(need.compound_id) if need.compound_id else None,
        community_id=community,
        subdistrict_id=subdistrict,
        region_path=above,
        deadline=need.deadline,
        urgency=need.urgency,
        slots=max(1, need.slots_left) if need.state == Need.State.PUBLISHED else need.slots,
    )


def need_rows(queryset: QuerySet[Need]) -> QuerySet[Need]:
    """The needs with what `need_record` reads, in three queries whatever their number."""
    return queryset.select_related("community", "category__parent").prefetch_related("tags")


def need_records(needs: Iterable[Need]) -> list[NeedRecord]:
    return [need_record(need) for need in needs]


# ---------------------------------------------------------------- resources and providers


def _period_start(period: str, now: datetime.datetime) -> datetime.datetime | None:
    """The start of the current capacity period in local time (None: since ever)."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == Resource.Period.DAY:
        return midnight
    if period == Resource.Period.WEEK:
        return midnight - datetime.timedelta(days=midnight.weekday())
    if period == Resource.Period.MONTH:
        return midnight.replace(day=1)
    if period == Resource.Period.YEAR:
        return midnight.replace(month=1, day=1)
    return None


@dataclass(frozen=True)
class _ClaimRow:
    provider: str
    category_id: int | None
    created_at: datetime.datetime


def _claims_by_provider(
    resources: Sequence[Resource], now: datetime.datetime
) -> dict[str, list[_ClaimRow]]:
    """Active claims of the resources' providers since the earliest period start (one query)."""
    counted = [r for r in resources if r.capacity_number is not None]
    org_ids = {r.provider_org_id for r in counted if r.provider_org_id}
    user_ids = {r.provider_user_id for r in counted if r.provider_user_id and not r.provider_org_id}
    if not org_ids and not user_ids:
        return {}
    starts = [_period_start(r.capacity_period, now) for r in counted]
    query = Q(organization_id__in=org_ids) | Q(organization__isnull=True, claimant_id__in=user_ids)
    claims = Claim.objects.filter(query, state=Claim.State.ACTIVE)
    if all(start is not None for start in starts):
        claims = claims.filter(created_at__gte=min(s for s in starts if s is not None))
    found: dict[str, list[_ClaimRow]] = defaultdict(list)
    for org_id, user_id, category_id, created_at in claims.values_list(
        "organization_id", "claimant_id", "need__category_id", "created_at"
    ):
        key = org_key(org_id) if org_id else f"user{user_id}"
        found[key].append(_ClaimRow(key, category_id, created_at))
    return found


def capacity_left(
    resource: Resource, claims: Sequence[_ClaimRow], now: datetime.datetime
) -> int | None:
    """What is left of the resource's capacity this period (see the module's notes)."""
    if resource.capacity_number is None:
        return None
    start = _period_start(resource.capacity_period, now)
    used = sum(
        1
        for claim in claims
        if (start is None or claim.created_at >= start)
        and (not resource.category_id or claim.category_id == resource.category_id)
    )
    return max(0, resource.capacity_number - used)


def provider_records(resources: Sequence[Resource]) -> list[ProviderRecord]:
    """The providers' track records from their projects and ratings (two queries)."""
    org_ids = {r.provider_org_id for r in resources if r.provider_org_id}
    user_ids = {
        r.provider_user_id for r in resources if r.provider_user_id and not r.provider_org_id
    }
    if not org_ids and not user_ids:
        return []
    mine = Q(claim__organization_id__in=org_ids) | Q(
        claim__organization__isnull=True, claim__claimant_id__in=user_ids
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    projects = (
        Project.objects.filter(mine)
        .exclude(state=Project.State.CANCELLED)
        .values("claim__organization_id", "claim__claimant_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(state=Project.State.COMPLETED)))
    )
    for row in projects:
        org_id = row["claim__organization_id"]
        key = org_key(org_id) if org_id else f"user{row['claim__claimant_id']}"
        totals[key][0] += row["n"]
        totals[key][1] += row["done"]
    rating_sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    ratings = (
        Rating.objects.filter(
            Q(project__claim__organization_id__in=org_ids)
            | Q(project__claim__organization__isnull=True, project__claim__claimant_id__in=user_ids)
        )
        .values("project__claim__organization_id", "project__claim__claimant_id")
        .annotate(n=Count("score"), total=Sum("score"))
    )
    for rated in ratings:
        org_id = rated["project__claim__organization_id"]
        key = org_key(org_id) if org_id else f"user{rated['project__claim__claimant_id']}"
        rating_sums[key][0] += float(rated["total"] or 0)
        rating_sums[key][1] += rated["n"]
    out = []
    for key in {*totals, *rating_sums}:
        n, done = totals.get(key, [0, 0])
        rating_total, count = rating_sums.get(key, [0.0, 0.0])
        out.append(
            ProviderRecord(
                id=key,
                completion_rate=(done / n) if n else None,
                mean_rating=(rating_total / count) if count else None,
            )
        )
    return out


def _availability(resource: Resource) -> Availability:
    days = frozenset(int(d) - 1 for d in resource.weekdays if d in "1234567")
    start = resource.hours_from.hour if resource.hours_from else None
    end = resource.hours_to.hour if resource.hours_to else None
    if resource.hours_to and resource.hours_to.minute and end is not None:
        end += 1  # the engine's hours are whole, end exclusive
    return Availability(weekdays=days, start_hour=start, end_hour=end)


def resource_record(resource: Resource, capacity: int | None) -> ResourceRecord:
    """One resource as the engine's record. Reads ``community``, ``service_area``,
    ``category__parent`` and the ``tags``."""
    community, subdistrict, _ = _places(resource.community)
    area = resource.service_area if resource.service_area_id else resource.community
    assert area is not None
    return ResourceRecord(
        id=str(resource.pk),
        title=resource.title,
        description=" ".join(p for p in (resource.description, resource.availability) if p),
        category=_category_path(resource),
        tags=tuple(t.name for t in resource.tags.all()),
        provider_id=provider_key(resource),
        provider_kind=resource.provider_kind,
        service_area=tuple(region_key(pk) for pk in area.ancestor_ids),
        community_id=community,
        subdistrict_id=subdistrict,
        capacity_remaining=capacity,
        capacity_unit=resource.capacity_unit or "人次",
        availability=_availability(resource),
    )


def resources_for(community: Region) -> QuerySet[Resource]:
    """The active resources that may serve a community: listed in it, or serving an area
    that contains it."""
    return (
        Resource.objects.filter(status=Resource.Status.ACTIVE)
        .filter(Q(community=community) | Q(service_area_id__in=community.ancestor_ids[:-1]))
        .select_related(*RESOURCE_RELATED)
        .prefetch_related("tags")
        .order_by("id")
    )


def resource_records(
    resources: Sequence[Resource], now: datetime.datetime | None = None
) -> tuple[list[ResourceRecord], list[ProviderRecord]]:
    """Records for the resources and their providers, in three queries in all."""
    now = now or timezone.now()
    claims = _claims_by_provider(resources, now)
    records = [
        resource_record(r, capacity_left(r, claims.get(provider_key(r), []), now))
        for r in resources
    ]
    return records, provider_records(resources)


# ---------------------------------------------------------------- the engine cache


@dataclass
class CommunityEngine:
    engine: Engine
    resources: dict[str, Resource]


_cache: OrderedDict[tuple[int, tuple[Any, ...]], CommunityEngine] = OrderedDict()
_lock = threading.Lock()


def _cache_key(community: Region) -> tuple[Any, ...]:
    scope = Resource.objects.filter(
        Q(community=community) | Q(service_area_id__in=community.ancestor_ids[:-1])
    ).aggregate(n=Count("id"), changed=Max("updated_at"))
    claims = Claim.objects.aggregate(
        n=Count("id"), last=Max("created_at"), cancelled=Max("cancelled_at")
    )
    record = Project.objects.aggregate(done=Max("completed_at"), rated=Max("ratings__id"))
    return (
        timezone.localdate(),
        scope["n"],
        scope["changed"],
        claims["n"],
        claims["last"],
        claims["cancelled"],
        record["done"],
        record["rated"],
    )


def engine_for(community: Region) -> CommunityEngine:
    """The community's engine, rebuilt when its resources, claims or records change."""
    key = (community.pk, _cache_key(community))
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    rows = list(resources_for(community))
    records, providers = resource_records(rows)
    built = CommunityEngine(
        engine=Engine(records, providers=providers, today=timezone.localdate()),
        resources={str(r.pk): r for r in rows},
    )
    with _lock:
        for stale in [k for k in _cache if k[0] == community.pk]:
            del _cache[stale]
        _cache[key] = built
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def clear_cache() -> None:
    with _lock:
        _cache.clear()


# ---------------------------------------------------------------- results for pages


@dataclass(frozen=True)
class Recommendation:
    """A resource proposed for a need, ready to show."""

    resource: Resource
    score: float
    reasons: tuple[str, ...]
    invited: bool = False

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def organization(self) -> Organization | None:
        return self.resource.provider_org if self.resource.provider_org_id else None

    @property
    def provider(self) -> str:
        return self.resource.provider_display


@dataclass(frozen=True)
class Opportunity:
    """A need a unit is well placed to claim, ready to show; invitations come first."""

    need: Need
    score: float | None
    reasons: tuple[str, ...]
    resource: Resource | None = None
    invitation: Invitation | None = None

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)


def render_reasons(candidate: Candidate, lang: str | None = None) -> tuple[str, ...]:
    language = engine_lang(lang)
    return tuple(render_reason(reason, language) for reason in candidate.reasons)


def recommend_for_need(need: Need, k: int = 5, lang: str | None = None) -> list[Recommendation]:
    """The ``k`` best resources for a need, best first; [] when none is suitable."""
    built = engine_for(need.community)
    record = need_record(need)
    candidates = built.engine.recommend(record, k=k)
    invited = set(Invitation.objects.filter(need=need).values_list("organization_id", flat=True))
    out = []
    for candidate in candidates:
        resource = built.resources[candidate.resource_id]
        out.append(
            Recommendation(
                resource=resource,
                score=candidate.score,
                reasons=render_reasons(candidate, lang),
                invited=resource.provider_org_id in invited,
            )
        )
    return out


def open_needs(community_ids: Iterable[int]) -> QuerySet[Need]:
    """Needs that can still be claimed in these communities."""
    return Need.objects.filter(
        community_id__in=list(community_ids),
        state=Need.State.PUBLISHED,
        claimed_slots__lt=F("slots"),
    )


def opportunities_for(org: Organization, k: int = 10, lang: str | None = None) -> list[Opportunity]:
    """Needs the unit is best placed to claim: the needs it was invited to first (newest
    first), then the engine's proposals through its active resources, best first. Needs the
    unit has already claimed are left out."""
    claimed = Claim.objects.filter(organization=org, state=Claim.State.ACTIVE).values("need_id")
    invitations = list(
        Invitation.objects.filter(
            organization=org,
            need__state=Need.State.PUBLISHED,
            need__claimed_slots__lt=F("need__slots"),
        )
        .exclude(need_id__in=claimed)
        .select_related("need__community", "need__category__parent", "need__compound", "resource")
        .order_by("-created_at", "-id")
    )
    out = [
        Opportunity(need=i.need, score=None, reasons=(), resource=i.resource, invitation=i)
        for i in invitations[:k]
    ]
    seen = {i.need_id for i in invitations}
    if len(out) >= k:
        return out
    communities = list(
        Region.objects.filter(
            pk__in=Resource.objects.filter(provider_org=org, status=Resource.Status.ACTIVE).values(
                "community_id"
            )
        ).order_by("id")
    )
    proposals: list[tuple[float, Opportunity]] = []
    for community in communities:
        built = engine_for(community)
        needs = list(
            need_rows(open_needs([community.pk]).exclude(pk__in=claimed).exclude(pk__in=seen))
            .select_related("compound")
            .order_by("id")
        )
        by_id = {str(n.pk): n for n in needs}
        for candidate in built.engine.recommend_for_provider(
            org_key(org), need_records(needs), k=k
        ):
            proposals.append(
                (
                    candidate.score,
                    Opportunity(
                        need=by_id[candidate.need_id],
                        score=candidate.score,
                        reasons=render_reasons(candidate, lang),
                        resource=built.resources[candidate.resource_id],
                    ),
                )
            )
    proposals.sort(key=lambda p: (-p[0], p[1].need.pk))
    out += [opportunity for _, opportunity in proposals[: k - len(out)]]
    return out


@dataclass(frozen=True)
class ProposalRow:
    """One proposed (need, resource) pair, with the need's best candidates to change it to."""

    need: Need
    chosen: Recommendation
    choices: tuple[Recommendation, ...]


@dataclass(frozen=True)
class Proposal:
    rows: tuple[ProposalRow, ...]
    unassigned: tuple[Need, ...]
    total_score: float
    fair: bool


MAX_PROPOSAL_NEEDS = 300


def propose_assignment(
    community: Region, needs: Sequence[Need], fair: bool = False, lang: str | None = None
) -> Proposal:
    """The engine's whole-list proposal for these needs of a community (at most
    ``MAX_PROPOSAL_NEEDS``), each row with the need's best candidates for staff to adjust."""
    built = engine_for(community)
    needs = list(needs)[:MAX_PROPOSAL_NEEDS]
    records = need_records(needs)
    result = built.engine.assign(records, fair=fair)
    by_id = {str(n.pk): n for n in needs}
    choices: dict[str, tuple[Recommendation, ...]] = {}
    for record in records:
        choices[record.id] = tuple(
            Recommendation(
                resource=built.resources[c.resource_id],
                score=c.score,
                reasons=render_reasons(c, lang),
            )
            for c in built.engine.recommend(record, k=built.engine.weights.candidates_per_need)
        )
    rows = []
    for assigned in result.assignments:
        options = choices[assigned.need_id]
        chosen = next((c for c in options if str(c.resource.pk) == assigned.resource_id), None)
        if chosen is None:  # not among the need's own top candidates: show it all the same
            chosen = Recommendation(built.resources[assigned.resource_id], assigned.score, ())
            options = (chosen, *options)
        top = options[:5] if chosen in options[:5] else (*options[:5], chosen)
        rows.append(ProposalRow(need=by_id[assigned.need_id], chosen=chosen, choices=top))
    return Proposal(
        rows=tuple(rows),
        unassigned=tuple(by_id[i] for i in result.unassigned),
        total_score=result.total_score,
        fair=fair,
    )
