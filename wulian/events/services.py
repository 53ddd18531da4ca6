"""Release events: every change to an event or its list is one function here.

Each is transactional, writes an audit entry, and refuses with a `DomainError` carrying a stable
code. Claims themselves go through `wulian.lists.services` (`claim_need`, `cancel_claim`), so an
event adds no second path to the scarce slots.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core import versions
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.workflow import Workflow, transition
from wulian.events.models import EventNeed, ReleaseEvent
from wulian.events.rules import covers_all, event_communities
from wulian.lists import services as lists
from wulian.lists.models import Category, Claim, Need
from wulian.orgs.models import Membership, Organization
from wulian.places.models import Region

audit.register_actions(
    {
        "events.created": gettext_lazy("created the release event"),
        "events.updated": gettext_lazy("edited the release event"),
        "events.needs_added": gettext_lazy("added needs to the release event"),
        "events.need_removed": gettext_lazy("removed a need from the release event"),
        "events.state_changed": gettext_lazy("changed the release event's state"),
        "events.carried_over": gettext_lazy("carried unclaimed needs over to the next event"),
        "events.paper_claim": gettext_lazy("recorded a claim made on paper"),
        "events.claim_corrected": gettext_lazy("corrected a mistaken claim"),
    }
)

EVENT_FIELDS = ("title", "starts_at", "place", "description", "state")
State = ReleaseEvent.State


def _check_manager(actor: User, event: ReleaseEvent) -> None:
    if not actor.has_perm("events.manage_event", event):
        raise NotAllowed(
            "event.not_staff", _("Only staff of the event's communities can run this event.")
        )


def _first_community(event: ReleaseEvent) -> Region | None:
    communities = event_communities(event)
    return communities[0] if communities else None


def _locked(event: ReleaseEvent) -> ReleaseEvent:
    locked = ReleaseEvent.objects.select_for_update().get(pk=event.pk)
    locked._wulian_communities = event_communities(event)  # type: ignore[attr-defined]
    return locked


def _check_fields(title: str, communities: Sequence[Region]) -> None:
    if not title.strip():
        raise DomainError("event.no_title", _("Give the event a title."))
    if len(title.strip()) > 120:
        raise DomainError("event.title_too_long", _("Keep the title under 120 characters."))
    if not communities:
        raise DomainError("event.no_communities", _("Choose the communities the event covers."))
    if any(not region.is_community for region in communities):
        raise DomainError(
            "event.not_community", _("An event covers communities, not larger regions.")
        )


def create_event(
    actor: User,
    *,
    title: str,
    starts_at: datetime.datetime,
    communities: Sequence[Region],
    place: str = "",
    description: str = "",
) -> ReleaseEvent:
    """A draft event; staff of every community it covers may create it."""
    _check_fields(title, communities)
    if not covers_all(actor, list(communities)):
        raise NotAllowed(
            "event.not_staff", _("You can only create events for communities you work for.")
        )
    with transaction.atomic():
        event = ReleaseEvent.objects.create(
            title=title.strip(),
            starts_at=starts_at,
            place=place.strip(),
            description=description.strip(),
            created_by=actor,
        )
        event.communities.set(communities)
        audit.record(
            actor,
            "events.created",
            event,
            after={
                **audit.snapshot(event, EVENT_FIELDS),
                "communities": [c.pk for c in communities],
            },
            community=communities[0],
        )
    return event


def update_event(
    actor: User,
    event: ReleaseEvent,
    *,
    title: str,
    starts_at: datetime.datetime,
    place: str = "",
    description: str = "",
) -> ReleaseEvent:
    _check_manager(actor, event)
    _check_fields(title, event_communities(event))
    with transaction.atomic():
        locked = _locked(event)
        if locked.state == State.CLOSED:
            raise Conflict("event.closed", _("The event is over and can no longer be changed."))
        before = audit.snapshot(locked, EVENT_FIELDS)
        locked.title = title.strip()
        locked.starts_at = starts_at
        locked.place = place.strip()
        locked.description = description.strip()
        locked.save()
        audit.record(
            actor,
            "events.updated",
            locked,
            before=before,
            after=audit.snapshot(locked, EVENT_FIELDS),
            community=_first_community(locked),
        )
    return locked


# ---------------------------------------------------------------- the list


def _check_open_list(event: ReleaseEvent) -> None:
    if event.state == State.CLOSED:
        raise Conflict("event.closed", _("The event is over; its list can no longer change."))


def _check_need(event: ReleaseEvent, need: Need) -> None:
    if need.state != Need.State.PUBLISHED or need.slots_left == 0:
        raise DomainError(
            "event.need_not_published",
            _("“%(title)s” is not open to claim; only published needs can be released.")
            % {"title": need.title},
        )
    if need.community_id not in {c.pk for c in event_communities(event)}:
        raise DomainError(
            "event.need_outside",
            _("“%(title)s” belongs to a community this event does not cover.")
            % {"title": need.title},
        )
    elsewhere = (
        EventNeed.objects.filter(need=need)
        .exclude(event=event)
        .exclude(event__state=State.CLOSED)
        .select_related("event")
        .first()
    )
    if elsewhere is not None:
        raise Conflict(
            "event.need_elsewhere",
            _("“%(title)s” is already on the list of “%(event)s”.")
            % {"title": need.title, "event": elsewhere.event.title},
        )


def _append(
    actor: User, event: ReleaseEvent, needs: Sequence[Need], note: str = ""
) -> list[EventNeed]:
    listed = set(EventNeed.objects.filter(event=event).values_list("need_id", flat=True))
    fresh = [need for need in dict.fromkeys(needs) if need.pk not in listed]
    if not fresh:
        return []
    start = (EventNeed.objects.filter(event=event).aggregate(top=Max("position"))["top"] or 0) + 1
    entries = EventNeed.objects.bulk_create(
        [EventNeed(event=event, need=need, position=start + i) for i, need in enumerate(fresh)]
    )
    # Written in bulk, past the watches: the board's version and the needs' pages.
    versions.bump("events", event.pk, everywhere=False)
    versions.bump("lists", *{need.community_id for need in fresh})
    audit.record(
        actor,
        "events.needs_added",
        event,
        after={"needs": [need.pk for need in fresh]},
        community=_first_community(event),
        note=note,
    )
    return entries


def add_needs(actor: User, event: ReleaseEvent, needs: Iterable[Need]) -> list[EventNeed]:
    """Put published needs of the event's communities on its list; needs already there stay."""
    _check_manager(actor, event)
    with transaction.atomic():
        locked = _locked(event)
        _check_open_list(locked)
        order = [need.pk for need in needs]
        found = Need.objects.select_for_update().in_bulk(order)
        chosen = [found[pk] for pk in dict.fromkeys(order) if pk in found]
        for need in chosen:
            _check_need(locked, need)
        return _append(actor, locked, chosen)


def addable_needs(event: ReleaseEvent) -> Any:
    """Published needs with a free slot in the event's communities, on no other open event."""
    busy = EventNeed.objects.exclude(event__state=State.CLOSED).values("need_id")
    return (
        Need.objects.filter(community__in=event_communities(event), state=Need.State.PUBLISHED)
        .exclude(pk__in=busy)
        .select_related("community", "category__parent", "raised_by", "raised_for")
        .order_by("community_id", "category_id", "created_at", "id")
    )


def add_category_needs(actor: User, event: ReleaseEvent, category: Category) -> list[EventNeed]:
    """ "Add all published needs of category X" (and of its sub-categories)."""
    _check_manager(actor, event)
    with transaction.atomic():
        locked = _locked(event)
        _check_open_list(locked)
        needs = [
            need
            for need in addable_needs(locked).filter(
                category__in=[category, *category.children.all()]
            )
            if need.slots_left > 0
        ]
        return _append(
            actor, locked, needs, note=_("Category: %(category)s") % {"category": category}
        )


def remove_need(actor: User, event: ReleaseEvent, need: Need) -> None:
    _check_manager(actor, event)
    with transaction.atomic():
        locked = _locked(event)
        _check_open_list(locked)
        entry = EventNeed.objects.filter(event=locked, need=need).first()
        if entry is None:
            raise DomainError("event.need_not_listed", _("That need is not on this event's list."))
        entry.delete()
        audit.record(
            actor,
            "events.need_removed",
            locked,
            before={"need": need.pk},
            community=_first_community(locked),
        )


# ---------------------------------------------------------------- states

EVENT_FLOW = Workflow(
    ReleaseEvent,
    moves={
        State.DRAFT: {State.UPCOMING, State.LIVE},
        State.UPCOMING: {State.LIVE, State.CLOSED},
        State.LIVE: {State.CLOSED},
    },
    code="event.bad_state",
    refusal=gettext_lazy("The event is %(state)s and cannot be moved that way."),
    community=lambda event: _first_community(event),
)


def set_state(actor: User, event: ReleaseEvent, to: str) -> ReleaseEvent:
    """Announce (draft → upcoming), open (→ live) or close (→ closed) an event."""
    _check_manager(actor, event)
    if to not in State.values:
        raise DomainError("event.bad_state", _("Unknown state."))

    def has_needs(locked: ReleaseEvent) -> None:
        if to == State.LIVE and not EventNeed.objects.filter(event=locked).exists():
            raise DomainError("event.no_needs", _("Add needs to the list before opening it."))

    stamps: dict[str, Any] = {"opened_at": timezone.now()} if to == State.LIVE else {}
    if to == State.CLOSED:
        stamps = {"closed_at": timezone.now()}
    return transition(
        EVENT_FLOW, event, to, actor, action="events.state_changed", guard=has_needs, **stamps
    )


def announce_event(actor: User, event: ReleaseEvent) -> ReleaseEvent:
    return set_state(actor, event, State.UPCOMING)


def open_event(actor: User, event: ReleaseEvent) -> ReleaseEvent:
    return set_state(actor, event, State.LIVE)


def close_event(actor: User, event: ReleaseEvent) -> ReleaseEvent:
    return set_state(actor, event, State.CLOSED)


def carry_over_unclaimed(
    actor: User, event: ReleaseEvent, next_event: ReleaseEvent
) -> list[EventNeed]:
    """After an event, put its needs that are still open on the next event's list."""
    _check_manager(actor, event)
    _check_manager(actor, next_event)
    if next_event.pk == event.pk:
        raise DomainError("event.same_event", _("Choose another event to carry the needs to."))
    with transaction.atomic():
        locked = _locked(event)
        target = _locked(next_event)
        if locked.state != State.CLOSED:
            raise Conflict(
                "event.not_closed", _("Unclaimed needs are carried over once the event is over.")
            )
        _check_open_list(target)
        covered = {c.pk for c in event_communities(target)}
        needs = [
            entry.need
            for entry in EventNeed.objects.filter(
                event=locked, need__state=Need.State.PUBLISHED
            ).select_related("need")
            if entry.need.slots_left > 0 and entry.need.community_id in covered
        ]
        entries = _append(
            actor, target, needs, note=_("Carried over from “%(title)s”.") % {"title": locked.title}
        )
        audit.record(
            actor,
            "events.carried_over",
            locked,
            after={"to": target.pk, "needs": [entry.need_id for entry in entries]},
            community=_first_community(locked),
        )
    return entries


# ---------------------------------------------------------------- claims at the event


def _listed(event: ReleaseEvent, need: Need) -> None:
    if not EventNeed.objects.filter(event=event, need=need).exists():
        raise DomainError("event.need_not_listed", _("That need is not on this event's list."))


def organization_contact(organization: Organization) -> User | None:
    """Who stands for an organisation in a claim recorded on paper: its administrator first."""
    membership = (
        Membership.objects.filter(organization=organization, user__is_active=True)
        .select_related("user")
        .order_by("role", "id")  # "admin" sorts before "member"
        .first()
    )
    return membership.user if membership else None


def record_paper_claim(
    actor: User,
    event: ReleaseEvent,
    need: Need,
    *,
    organization: Organization | None = None,
    person: User | None = None,
    note: str = "",
) -> Claim:
    """Staff enter a claim made on paper at the event, for an organisation or a resident."""
    _check_manager(actor, event)
    if event.state != State.LIVE:
        raise Conflict("event.not_live", _("Claims are taken while the event is live."))
    _listed(event, need)
    if organization is None and person is None:
        raise DomainError(
            "event.no_claimant", _("Say who claimed it: an organisation or a resident.")
        )
    if organization is not None:
        if person is not None and organization.pk not in _member_ids(person):
            raise DomainError("event.not_member", _("That person does not belong to it."))
        claimant = person or organization_contact(organization)
        if claimant is None:
            raise DomainError(
                "event.org_without_members",
                _("%(org)s has no member on the platform to stand for it.")
                % {"org": organization.name},
            )
    else:
        assert person is not None
        claimant = person
    with transaction.atomic():
        claim = lists.claim_need(
            actor,
            need,
            organization=organization,
            claimant=claimant,
            source=Claim.Source.PAPER,
            note=note.strip()[:300],
        )
        audit.record(
            actor,
            "events.paper_claim",
            event,
            after={"need": need.pk, "claim": claim.pk, "by": claim.party_display},
            community=need.community,
        )
    return claim


def _member_ids(person: User) -> set[int]:
    return set(Membership.objects.filter(user=person).values_list("organization_id", flat=True))


def correct_claim(actor: User, event: ReleaseEvent, claim: Claim, reason: str) -> Claim:
    """Staff undo a mistaken claim on the event's list: the slot opens again."""
    _check_manager(actor, event)
    _listed(event, claim.need)
    with transaction.atomic():
        cancelled = lists.cancel_claim(actor, claim, reason)
        audit.record(
            actor,
            "events.claim_corrected",
            event,
            after={"need": claim.need_id, "claim": claim.pk},
            community=claim.need.community,
            note=reason.strip(),
        )
    return cancelled
