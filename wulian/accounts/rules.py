"""Who may see and act on a person's account."""

from __future__ import annotations

from typing import Any

import rules

from wulian.accounts.models import User
from wulian.core.access import Finder
from wulian.orgs.rules import is_org_admin
from wulian.places.rules import covers


@rules.predicate
def is_self(user: Any, person: User | None) -> bool:
    return person is not None and getattr(user, "pk", None) == person.pk


@rules.predicate
def is_staff_of_person(user: Any, person: User | None) -> bool:
    return person is not None and covers(user, person.community)


rules.add_perm("accounts.view_person", is_self | is_staff_of_person)
rules.add_perm("accounts.view_mobile", is_self | is_staff_of_person)
rules.add_perm("accounts.verify_resident", is_staff_of_person)
# A unit's administrators issue, list and revoke the unit's API tokens.
rules.add_perm("accounts.manage_tokens", is_org_admin)


get_person_for: Finder[User] = Finder(
    User.objects.select_related("community", "compound"), "accounts.view_person"
)
