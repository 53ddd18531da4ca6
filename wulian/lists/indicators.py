"""The three lists' figures: needs from raised to done, resources, projects and ratings."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Min, Q, Sum
from django.utils.translation import gettext_lazy as _

from wulian.core.indicators import MEDIAN, RATIO, Fact, Indicator, Scope, durations, grouped
from wulian.lists.models import Category, Claim, Need, PartyKind, Project, Rating, Resource

DAY = 86400
NEEDS = ("lists:needs", "community={community}&state=all&since={start}&until={end}")


def _raised(scope: Scope) -> Iterable[Fact]:
    return grouped(scope, Need.objects.all(), "created_at", compound="compound_id")


def _raised_by(field: str) -> object:
    def formula(scope: Scope) -> Iterable[Fact]:
        return grouped(scope, Need.objects.all(), "created_at", breakdown=field)

    return formula


def _published(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        Need.objects.filter(published_at__isnull=False),
        "published_at",
        compound="compound_id",
    )


def _claims(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        Claim.objects.filter(state=Claim.State.ACTIVE),
        "created_at",
        community="need__community_id",
        compound="need__compound_id",
        unit="organization_id",
    )


def _done(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        Need.objects.filter(state=Need.State.DONE, closed_at__isnull=False),
        "closed_at",
        compound="compound_id",
    )


def _days_to_claim(scope: Scope) -> Iterable[Fact]:
    needs = scope.filter(
        Need.objects.annotate(
            first_claim=Min("claims__created_at", filter=Q(claims__state=Claim.State.ACTIVE))
        ).filter(first_claim__isnull=False),
        "first_claim",
    )
    return durations(needs.values_list("community_id", "created_at", "first_claim"), DAY)


def _days_to_done(scope: Scope) -> Iterable[Fact]:
    needs = scope.filter(
        Need.objects.filter(state=Need.State.DONE, closed_at__isnull=False), "closed_at"
    )
    return durations(needs.values_list("community_id", "created_at", "closed_at"), DAY)


def _resources(scope: Scope) -> Iterable[Fact]:
    return grouped(scope, Resource.objects.all(), "created_at", unit="provider_org_id")


def _resources_used(scope: Scope) -> Iterable[Fact]:
    """Invitations of a listed resource to a need: a resource put to use."""
    return grouped(
        scope,
        Resource.objects.filter(invitations__isnull=False),
        "invitations__created_at",
        unit="provider_org_id",
    )


def _completed() -> object:
    return Project.objects.filter(state=Project.State.COMPLETED, completed_at__isnull=False)


def _projects_done(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        _completed(),  # type: ignore[arg-type]
        "completed_at",
        compound="need__compound_id",
        unit="claim__organization_id",
    )


def _people_served(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        _completed(),  # type: ignore[arg-type]
        "completed_at",
        unit="claim__organization_id",
        value=Sum("people_served"),
    )


def _ratings(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        Rating.objects.all(),
        "created_at",
        community="project__community_id",
        unit="project__claim__organization_id",
    )


def _rating_points(scope: Scope) -> Iterable[Fact]:
    return grouped(
        scope,
        Rating.objects.all(),
        "created_at",
        community="project__community_id",
        unit="project__claim__organization_id",
        value=Sum("score"),
    )


def _category_names() -> dict[str, str]:
    names = {str(pk): name for pk, name in Category.objects.values_list("pk", "name")}
    return {**names, "": str(_("No category yet"))}


def _kind_names() -> dict[str, str]:
    return {value: str(label) for value, label in PartyKind.choices}


def _channel_names() -> dict[str, str]:
    return {value: str(label) for value, label in Need.Channel.choices}


INDICATORS = [
    Indicator(
        "lists.needs_raised",
        "development",
        _("Needs raised"),
        _("Needs entered on the community's list, by the day they were raised."),
        _raised,
        list_url=NEEDS,
        public=True,
        headline=True,
        order=10,
    ),
    Indicator(
        "lists.needs_by_category",
        "development",
        _("Needs raised by category"),
        _("Needs raised, counted under their category."),
        _raised_by("category_id"),  # type: ignore[arg-type]
        breakdown_labels=_category_names,
        order=11,
    ),
    Indicator(
        "lists.needs_by_raiser",
        "development",
        _("Needs raised by who raised them"),
        _("Needs raised, counted by the kind of party that raised them."),
        _raised_by("raiser_kind"),  # type: ignore[arg-type]
        breakdown_labels=_kind_names,
        order=12,
    ),
    Indicator(
        "lists.needs_by_channel",
        "development",
        _("Needs raised by channel"),
        _("Needs raised, counted by how they reached the community."),
        _raised_by("channel"),  # type: ignore[arg-type]
        breakdown_labels=_channel_names,
        order=13,
    ),
    Indicator(
        "lists.needs_published",
        "development",
        _("Needs published"),
        _("Needs reviewed and opened to claim, by the day they were published."),
        _published,
        # No link: the needs list filters by the day raised, not the day published, and a
        # number must not open a list that does not add up to it.
        order=14,
    ),
    Indicator(
        "lists.claims",
        "development",
        _("Needs claimed"),
        _("Claims (揭榜) in force, by the day they were made, for the unit that claimed."),
        _claims,
        per_unit=True,
        headline=True,
        public=True,
        order=15,
    ),
    Indicator(
        "lists.needs_done",
        "development",
        _("Needs met"),
        _("Needs closed as done, by the day they were closed."),
        _done,
        list_url=("lists:needs", "community={community}&state=done"),
        headline=True,
        public=True,
        order=16,
    ),
    Indicator(
        "lists.days_to_claim",
        "development",
        _("Median days from raised to claimed"),
        _("Half the needs were first claimed sooner than this, counted on the day of the claim."),
        _days_to_claim,
        kind=MEDIAN,
        unit_of_measure=_("days"),
        order=17,
    ),
    Indicator(
        "lists.days_to_done",
        "development",
        _("Median days from raised to done"),
        _("Half the needs met were done sooner than this, counted on the day they were done."),
        _days_to_done,
        kind=MEDIAN,
        unit_of_measure=_("days"),
        order=18,
    ),
    Indicator(
        "lists.resources_listed",
        "development",
        _("Resources listed"),
        _("Resources units, teams and people added to the resource list."),
        _resources,
        list_url=("lists:resources", "community={community}"),
        per_unit=True,
        order=20,
    ),
    Indicator(
        "lists.resources_used",
        "development",
        _("Resources put to use"),
        _("Times a listed resource was invited to meet a need."),
        _resources_used,
        per_unit=True,
        order=21,
    ),
    Indicator(
        "lists.projects_done",
        "development",
        _("Projects completed"),
        _("Co-building projects completed, by the day of completion, for the unit that did them."),
        _projects_done,
        list_url=("lists:built", "community={community}"),
        per_unit=True,
        headline=True,
        public=True,
        order=22,
    ),
    Indicator(
        "lists.people_served",
        "development",
        _("People served by projects"),
        _("People the completed projects served, as their reports say."),
        _people_served,
        per_unit=True,
        order=23,
    ),
    Indicator(
        "lists.ratings",
        "development",
        _("Project ratings"),
        _("Ratings residents gave finished projects."),
        _ratings,
        per_unit=True,
        order=24,
    ),
    Indicator(
        "lists.rating_points",
        "development",
        _("Project rating points"),
        _("The stars of every rating, added up."),
        _rating_points,
        per_unit=True,
        order=25,
    ),
    Indicator(
        "lists.average_rating",
        "development",
        _("Average project rating"),
        _("Stars per rating, out of 5."),
        kind=RATIO,
        numerator="lists.rating_points",
        denominator="lists.ratings",
        per_unit=True,
        as_percent=False,
        order=26,
    ),
]
