"""Who raised, claimed or offers something, as a given person may see it.

A unit, a team or the community is named in full. A resident is named in full only to staff of
the community and to the parties of the need or claim; everyone else (visitors, neighbours,
other units) sees 张** (see wulian.core.text.mask_name), as on the event's posters.
"""

from __future__ import annotations

from typing import Any

from wulian.core.text import mask_mobile, mask_name
from wulian.lists.models import Claim, Need, PartyKind, Resource


def raiser_name(viewer: Any, need: Need) -> str:
    if need.raised_for_id and need.raised_for is not None:
        return need.raised_for.name
    shown = need.raiser_display or str(need.get_raiser_kind_display())
    if need.raiser_kind != PartyKind.RESIDENT or viewer.has_perm("lists.view_raiser_name", need):
        return shown
    return mask_name(shown)


def claimant_name(viewer: Any, claim: Claim) -> str:
    if claim.organization_id and claim.organization is not None:
        return claim.organization.name
    shown = claim.party_display
    return shown if viewer.has_perm("lists.view_claimant_name", claim) else mask_name(shown)


def provider_name(viewer: Any, resource: Resource) -> str:
    shown = resource.provider_display
    if resource.provider_org_id or resource.provider_kind != PartyKind.RESIDENT:
        return shown
    return shown if viewer.has_perm("lists.view_provider_name", resource) else mask_name(shown)


def provider_contact(viewer: Any, resource: Resource) -> dict[str, str]:
    """How to reach a unit that offers a resource: its address, and its contact person and
    mobile, masked for all but those who may see the provider's name in full (staff). A person
    offering a resource shows no contact: they are reached by asking through the site."""
    org = resource.provider_org
    if org is None:
        return {}
    full = viewer.has_perm("lists.view_provider_name", resource)
    contact = {"address": org.address}
    if org.contact_name:
        contact["person"] = org.contact_name if full else mask_name(org.contact_name)
    if org.contact_mobile:
        contact["mobile"] = org.contact_mobile if full else mask_mobile(org.contact_mobile)
    return {key: value for key, value in contact.items() if value}
