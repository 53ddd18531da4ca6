"""Who may do what with venues, activities and convenience services.

- A venue is managed by its owner's members and by the staff of its community (and above).
  Who may book it is the venue's choice: the community's units and teams, those and residents,
  or only the owner.
- An activity is managed by the members of its co-hosts and by the community's staff; anyone
  may see a published activity; residents sign up.
- A service is run by its provider's members and the community's staff; residents book.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import QuerySet

from wulian.activities.models import Activity, Booking, Service, ServiceBooking, SignUp, Venue
from wulian.core.access import Finder, get_for
from wulian.orgs.models import Organization
from wulian.orgs.rules import membership_roles
from wulian.places.rules import covers


def unit_ids(user: Any) -> set[int]:
    return set(membership_roles(user))


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def community_unit_ids(user: Any, community: Any) -> list[int]:
    """The person's units based in the community or in a region above it."""
    mine = unit_ids(user)
    if not mine:
        return []
    return list(
        Organization.objects.filter(
            pk__in=mine, is_active=True, region_id__in=community.ancestor_ids
        ).values_list("pk", flat=True)
    )


@rules.predicate
def is_venue_manager(user: Any, venue: Venue | None) -> bool:
    return venue is not None and (venue.owner_id in unit_ids(user) or covers(user, venue.community))


@rules.predicate
def may_book_venue(user: Any, venue: Venue | None) -> bool:
    if venue is None or not _authenticated(user) or not venue.is_active:
        return False
    if is_venue_manager(user, venue):
        return True
    if venue.bookers == Venue.Bookers.OWNER:
        return False
    if community_unit_ids(user, venue.community):
        return True
    return venue.bookers == Venue.Bookers.EVERYONE and user.community_id == venue.community_id


@rules.predicate
def is_booking_party(user: Any, booking: Booking | None) -> bool:
    if booking is None or not _authenticated(user):
        return False
    return booking.booked_by_id == user.pk or booking.organization_id in unit_ids(user)


@rules.predicate
def is_booking_manager(user: Any, booking: Booking | None) -> bool:
    return booking is not None and is_venue_manager(user, booking.venue)


def _admin_of(user: Any, org_id: int | None) -> bool:
    return org_id is not None and membership_roles(user).get(org_id) == "admin"


@rules.predicate
def is_venue_admin(user: Any, venue: Venue | None) -> bool:
    """The owner's administrators and the community's staff set the venue up."""
    return venue is not None and (_admin_of(user, venue.owner_id) or covers(user, venue.community))


@rules.predicate
def may_set_up_in(user: Any, community: Any) -> bool:
    """The community's staff, or an administrator of one of its units."""
    if community is None or not _authenticated(user):
        return False
    if covers(user, community):
        return True
    roles = membership_roles(user)
    return any(roles.get(pk) == "admin" for pk in community_unit_ids(user, community))


rules.add_perm("activities.view_venue", rules.always_allow)
rules.add_perm("activities.add_venue", may_set_up_in)
rules.add_perm("activities.edit_venue", is_venue_admin)
rules.add_perm("activities.manage_venue", is_venue_manager)
rules.add_perm("activities.book_venue", may_book_venue)
rules.add_perm("activities.view_booking", is_booking_party | is_booking_manager)
rules.add_perm("activities.decide_booking", is_booking_manager)
rules.add_perm("activities.cancel_booking", is_booking_party | is_booking_manager)
rules.add_perm("activities.view_venue_photo", rules.always_allow)


@rules.predicate
def is_activity_host(user: Any, activity: Activity | None) -> bool:
    if activity is None or not _authenticated(user):
        return False
    if covers(user, activity.community):
        return True
    mine = unit_ids(user)
    return bool(mine) and activity.hosts.filter(pk__in=mine).exists()


@rules.predicate
def may_host_in(user: Any, community: Any) -> bool:
    """Staff of the community, or a member of one of its units, may put on an activity."""
    if community is None or not _authenticated(user):
        return False
    return covers(user, community) or bool(community_unit_ids(user, community))


@rules.predicate
def is_signup_person(user: Any, signup: SignUp | None) -> bool:
    return signup is not None and _authenticated(user) and signup.person_id == user.pk


@rules.predicate
def is_signup_host(user: Any, signup: SignUp | None) -> bool:
    return signup is not None and is_activity_host(user, signup.activity)


rules.add_perm("activities.view_activity", rules.always_allow)
rules.add_perm("activities.add_activity", may_host_in)
rules.add_perm("activities.manage_activity", is_activity_host)
rules.add_perm("activities.export_numbers", is_activity_host)
rules.add_perm("activities.sign_up", rules.is_authenticated)
rules.add_perm("activities.view_signup", is_signup_person | is_signup_host)
rules.add_perm("activities.change_signup", is_signup_person)
rules.add_perm("activities.view_activity_photo", rules.always_allow)


@rules.predicate
def is_service_provider(user: Any, service: Service | None) -> bool:
    return service is not None and (
        service.provider_id in unit_ids(user) or covers(user, service.community)
    )


@rules.predicate
def is_slot_person(user: Any, booking: ServiceBooking | None) -> bool:
    return (
        booking is not None
        and _authenticated(user)
        and user.pk in {booking.person_id, booking.booked_by_id}
    )


@rules.predicate
def is_slot_provider(user: Any, booking: ServiceBooking | None) -> bool:
    return booking is not None and is_service_provider(user, booking.service)


rules.add_perm("activities.view_service", rules.always_allow)


@rules.predicate
def is_service_admin(user: Any, service: Service | None) -> bool:
    return service is not None and (
        _admin_of(user, service.provider_id) or covers(user, service.community)
    )


rules.add_perm("activities.manage_service", is_service_provider)
rules.add_perm("activities.add_service", may_set_up_in)


@rules.predicate
def is_community_staff(user: Any, community: Any) -> bool:
    return community is not None and _authenticated(user) and covers(user, community)


rules.add_perm("activities.manage_helpers", is_community_staff)
rules.add_perm("activities.edit_service", is_service_admin)
rules.add_perm("activities.book_service", rules.is_authenticated)
rules.add_perm("activities.view_slot_booking", is_slot_person | is_slot_provider)
rules.add_perm("activities.cancel_slot_booking", is_slot_person | is_slot_provider)
rules.add_perm("activities.check_in_slot", is_slot_provider)


get_venue_for: Finder[Venue] = Finder(
    Venue.objects.select_related("owner", "community", "compound"), "activities.view_venue"
)


get_booking_for: Finder[Booking] = Finder(
    Booking.objects.select_related("venue__owner", "venue__community", "organization"),
    "activities.view_booking",
)


def visible_activities(user: Any) -> QuerySet[Activity]:
    return Activity.objects.all()


get_activity_for: Finder[Activity] = Finder(
    Activity.objects.select_related("community", "booking__venue", "compound"),
    "activities.view_activity",
)


get_signup_for: Finder[SignUp] = Finder(
    SignUp.objects.select_related("activity__community", "person"), "activities.view_signup"
)


get_service_for: Finder[Service] = Finder(
    Service.objects.select_related("provider", "community", "venue"), "activities.view_service"
)


def get_slot_booking_for(
    user: Any, pk: Any, perm: str = "activities.view_slot_booking"
) -> ServiceBooking:
    return get_for(
        user,
        ServiceBooking.objects.select_related("service__provider", "service__community", "person"),
        pk,
        perm,
        view_perm="activities.view_slot_booking",
    )
