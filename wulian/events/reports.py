"""What an event shows: the board's state, and the report after the event.

Everything here is public by design (the board hangs on a projector, the report is published):
organisations appear by name, residents only in a masked form such as 张**.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from wulian.core import versions
from wulian.core.text import mask_name
from wulian.events.models import EventNeed, ReleaseEvent
from wulian.lists.models import Agreement, Claim, Need, PartyKind

KINDS: tuple[str, ...] = (
    PartyKind.COMMUNITY,
    PartyKind.ENTERPRISE,
    PartyKind.SCHOOL,
    PartyKind.AGENCY,
    PartyKind.SOCIAL_ORGANIZATION,
    PartyKind.VOLUNTEER_TEAM,
    PartyKind.RESIDENT,
)
CLAIMANT_KINDS = tuple(kind for kind in KINDS if kind != PartyKind.COMMUNITY)
TICKER_LENGTH = 12


def raiser_label(need: Need) -> str:
    """Who raised a need, fit for a wall poster."""
    if need.raiser_kind == PartyKind.RESIDENT:
        person = need.raised_by.real_name if need.raised_by else need.raiser_name
        return _("Resident %(name)s") % {"name": mask_name(person)}
    if need.raised_for_id and need.raised_for:
        return need.raised_for.name
    if need.raiser_kind == PartyKind.COMMUNITY:
        return need.community.name
    return need.raiser_name or need.get_raiser_kind_display()


def raiser_key(need: Need) -> tuple[str, Any]:
    """One raiser per organisation or person; a community is one raiser, however it raised."""
    if need.raiser_kind == PartyKind.COMMUNITY:
        return ("community", need.community_id)
    if need.raised_for_id:
        return ("org", need.raised_for_id)
    if need.raised_by_id:
        return ("person", need.raised_by_id)
    return ("name", need.raiser_name or need.pk)


def claimant_label(claim: Claim) -> str:
    if claim.organization_id and claim.organization:
        return claim.organization.name
    return mask_name(claim.claimant.real_name)


def claimant_key(claim: Claim) -> tuple[str, Any]:
    if claim.organization_id:
        return ("org", claim.organization_id)
    return ("person", claim.claimant_id)


def event_needs(event: ReleaseEvent) -> list[Need]:
    return [
        entry.need
        for entry in EventNeed.objects.filter(event=event).select_related(
            "need__community", "need__raised_by", "need__raised_for", "need__category__parent"
        )
    ]


def active_claims(event: ReleaseEvent) -> list[Claim]:
    return list(
        Claim.objects.filter(need__event_entries__event=event, state=Claim.State.ACTIVE)
        .select_related("claimant", "organization", "need")
        .order_by("created_at", "id")
    )


def _by_kind(keys: set[tuple[str, tuple[str, Any]]], kinds: tuple[str, ...]) -> dict[str, int]:
    counts = Counter(kind for kind, _key in keys)
    return {kind: counts.get(kind, 0) for kind in kinds}


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class Report:
    event: ReleaseEvent
    needs: list[Need]
    claims: list[Claim]
    claimed_ids: set[int]
    agreements_signed: int
    raisers_by_kind: dict[str, int]
    claimants_by_kind: dict[str, int]

    @property
    def claimed(self) -> int:
        return len(self.claimed_ids)

    @property
    def unclaimed(self) -> int:
        return len(self.needs) - self.claimed

    def as_json(self) -> dict[str, Any]:
        return {
            "event": {
                "id": self.event.pk,
                "title": self.event.title,
                "starts_at": timezone.localtime(self.event.starts_at).isoformat(),
                "place": self.event.place,
                "state": self.event.state,
                "communities": [c.name for c in self.event.communities.all()],
            },
            "needs": len(self.needs),
            "claimed": self.claimed,
            "unclaimed": self.unclaimed,
            "claims": len(self.claims),
            "agreements_signed": self.agreements_signed,
            "raisers_by_kind": self.raisers_by_kind,
            "claimants_by_kind": self.claimants_by_kind,
            "sentence": sentence(self),
        }

    def kinds(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": kind,
                "label": str(PartyKind(kind).label),
                "raisers": self.raisers_by_kind[kind],
                "claimants": self.claimants_by_kind[kind],
            }
            for kind in KINDS
        ]

    def rows(self) -> list[dict[str, Any]]:
        """One row per need: what it was, who raised it, who claimed it."""
        claims_of: dict[int, list[Claim]] = {}
        for claim in self.claims:
            claims_of.setdefault(claim.need_id, []).append(claim)
        return [
            {
                "need": need,
                "raiser": raiser_label(need),
                "raiser_kind": need.get_raiser_kind_display(),
                "claimants": [claimant_label(c) for c in claims_of.get(need.pk, [])],
                "claimed": need.pk in self.claimed_ids,
            }
            for need in self.needs
        ]


def build_report(event: ReleaseEvent) -> Report:
    needs = event_needs(event)
    claims = active_claims(event)
    signed = Agreement.objects.filter(
        project__claim__in=[c.pk for c in claims], frozen_at__isnull=False
    ).count()
    raisers = {(need.raiser_kind, raiser_key(need)) for need in needs}
    claimants = {(claim.claimant_kind, claimant_key(claim)) for claim in claims}
    return Report(
        event=event,
        needs=needs,
        claims=claims,
        claimed_ids={claim.need_id for claim in claims},
        agreements_signed=signed,
        raisers_by_kind=_by_kind(raisers, KINDS),
        claimants_by_kind=_by_kind(claimants, KINDS),
    )


def _party_phrase(kind: str, n: int, communities: int) -> str:
    if kind == PartyKind.COMMUNITY:
        if n == 1 and communities == 1:
            return _("the community")
        return ngettext("%(n)d community", "%(n)d communities", n) % {"n": n}
    phrases: dict[str, str] = {
        PartyKind.ENTERPRISE: ngettext("%(n)d enterprise", "%(n)d enterprises", n),
        PartyKind.SCHOOL: ngettext("%(n)d school", "%(n)d schools", n),
        PartyKind.AGENCY: ngettext("%(n)d government agency", "%(n)d government agencies", n),
        PartyKind.SOCIAL_ORGANIZATION: ngettext(
            "%(n)d social organisation", "%(n)d social organisations", n
        ),
        PartyKind.VOLUNTEER_TEAM: ngettext("%(n)d volunteer team", "%(n)d volunteer teams", n),
        PartyKind.RESIDENT: ngettext("%(n)d resident", "%(n)d residents", n),
    }
    return phrases[kind] % {"n": n}


def join_parties(parts: list[str]) -> str:
    """'A, B and C' in English; 'A和B、C以及D' in Chinese: the separators are translated."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return _("%(first)s and %(last)s") % {"first": parts[0], "last": parts[1]}
    middle = pgettext("list separator", ", ").join(parts[1:-1])
    return _("%(first)s, %(middle)s and %(last)s") % {
        "first": parts[0],
        "middle": middle,
        "last": parts[-1],
    }


def raisers_phrase(report: Report) -> str:
    communities = report.event.communities.count()
    return join_parties(
        [_party_phrase(kind, n, communities) for kind, n in report.raisers_by_kind.items() if n]
    )


def sentence(report: Report) -> str:
    """The article's sentence, from the data: translated in one piece with blocktranslate."""
    text = render_to_string(
        "events/_sentence.txt",
        {
            "event": report.event.title,
            "raisers": raisers_phrase(report),
            "needs": len(report.needs),
            "claimed": report.claimed,
            "unclaimed": report.unclaimed,
            "all_claimed": report.needs and report.unclaimed == 0,
        },
    )
    return " ".join(text.split())


# ---------------------------------------------------------------- the board


def board_version(event: ReleaseEvent) -> str:
    """A short fingerprint of everything the board shows, in one query: the event's own
    version (its state, title, communities, needs on its list) and its communities' lists
    (the needs' titles and slots, every claim). See `core.versions` and the apps' WATCHES."""
    communities = ReleaseEvent.communities.through.objects.filter(releaseevent=event)
    shown = versions.current(
        ("events", event.pk), each_of=("lists", communities.values("region_id"))
    )
    return hashlib.sha256(f"{event.pk}:{shown}".encode()).hexdigest()[:16]


# How long a drawn board is kept at most: its version moves with the event, its needs and their
# claims, so a claim shows at once; the limit bounds what no watch follows (a unit's new name).
BOARD_SECONDS = 60


def board_state_at(event: ReleaseEvent, version: str) -> dict[str, Any]:
    """The board as of `version`, drawn once per app process for every screen and phone that
    polls it (the same for everyone allowed to see the event)."""
    key = f"events:board:{event.pk}:{version}:{get_language()}"
    state: dict[str, Any] | None = cache.get(key)
    if state is None:
        state = board_state(event)
        cache.set(key, state, BOARD_SECONDS)
    return state


def board_state(event: ReleaseEvent) -> dict[str, Any]:
    needs = event_needs(event)
    claims = active_claims(event)
    claimed_slots: Counter[int] = Counter(claim.need_id for claim in claims)
    tiles = []
    for need in needs:
        taken = claimed_slots.get(need.pk, 0)
        tiles.append(
            {
                "id": need.pk,
                "title": need.title,
                "raiser": raiser_label(need),
                "slots": need.slots,
                "claimed": taken,
                "state": "claimed" if taken >= need.slots else "partial" if taken else "open",
            }
        )
    claimants = {(claim.claimant_kind, claimant_key(claim)) for claim in claims}
    by_kind = _by_kind(claimants, CLAIMANT_KINDS)
    claims_by_kind = Counter(claim.claimant_kind for claim in claims)
    return {
        "event": {"id": event.pk, "title": event.title, "state": event.state},
        "total": len(needs),
        "claimed": sum(1 for tile in tiles if tile["claimed"]),
        "tiles": tiles,
        "ticker": [
            {
                "claimant": claimant_label(claim),
                "kind": claim.claimant_kind,
                "need": claim.need.title,
                "at": claim.created_at.isoformat(),
            }
            for claim in reversed(claims[-TICKER_LENGTH:])
        ],
        "kinds": [
            {
                "kind": kind,
                "label": str(PartyKind(kind).label),
                "claimants": by_kind[kind],
                "claims": claims_by_kind.get(kind, 0),
            }
            for kind in CLAIMANT_KINDS
        ],
    }
