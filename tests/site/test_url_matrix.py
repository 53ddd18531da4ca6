"""Every page and API read of the site, for every role, in a world of two communities.

The URL resolver gives every pattern; ids are filled with an object of each community. Each
answer must not be a 5xx, must hold nothing private of a community the viewer has no part
in, and no resident's full name or phone number for those who may not see them.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import World, fresh
from tests.lists.conftest import signature_png
from wulian.accounts.models import User
from wulian.events import services as events
from wulian.lists import services as lists
from wulian.lists.models import Category
from wulian.notifications.models import Notification
from wulian.whistle import services as whistles

pytestmark = pytest.mark.django_db

# A resident of each community: their names and numbers are personal data.
A_RESIDENT = ("甲区居民张秀英", "13911110001")
B_RESIDENT = ("乙区居民李桂兰", "13922220002")
# A resident whose need a unit of A claimed: that unit's people may see them.
A_PARTY = ("甲区居民王建国", "13911110003")
# Text only the staff of that community (and the subdistrict) may see.
A_PRIVATE = "甲社区待审核需求"
B_PRIVATE = "乙社区待审核需求"

ROLES = [
    "resident",
    "unit_contact",
    "unit_admin",
    "community_staff",
    "subdistrict_staff",
    "outsider",
    "anonymous",
    "admin",
]
# Who belongs to which community: they must never see the other's private text.
OF_A = {"resident", "unit_contact", "unit_admin", "community_staff"}
OF_B = {"outsider"}
# Who may see residents' full names and numbers of a community (besides the person and parties).
SEES_A = {"community_staff", "subdistrict_staff", "admin"}
SEES_B = {"outsider", "subdistrict_staff", "admin"}
PARTIES_A = {"unit_contact", "unit_admin"}  # their unit claimed A_PARTY's need

# readyz answers 503 by design while no worker has run (tests/core/test_home.py checks it).
SKIP = re.compile(
    r"^(admin/.*(delete|add|password|logout)|accounts/logout/|inbox/read-all/|media/"
    r"|api/docs$|i18n/setlang/|admin/\(\?P<url>|readyz$)"
)
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@dataclass
class Ids:
    need: int
    private_need: int
    project: int
    resource: int
    community: int
    compound: int
    region: int
    organization: int
    partnership: int
    person: int
    whistle: int
    call: int
    event: int
    notification: int


def _build(world: World) -> dict[str, Ids]:
    staff, outsider = world["community_staff"], world["outsider"]
    haircut = Category.objects.get_or_create(name="理发", parent=None)[0]
    a_resident = User.objects.create_user(
        A_RESIDENT[1], "secret-pass-1", real_name=A_RESIDENT[0], community=world.community,
        compound=world.compound,
    )  # fmt: skip
    b_resident = User.objects.create_user(
        B_RESIDENT[1], "secret-pass-1", real_name=B_RESIDENT[0],
        community=world.other_community, compound=world.other_compound,
    )  # fmt: skip
    a_party = User.objects.create_user(
        A_PARTY[1], "secret-pass-1", real_name=A_PARTY[0], community=world.community,
        compound=world.compound,
    )  # fmt: skip
    other_unit = world.other_unit
    from wulian.orgs.models import Membership, Organization

    b_committee = Organization.objects.create(
        name="西马路社区党委", kind=Organization.Kind.COMMUNITY, region=world.other_community
    )
    Membership.objects.create(organization=other_unit, user=b_resident)
    from wulian.orgs import services as orgs

    b_partnership = orgs.create_partnership(
        outsider, world.other_community, b_committee, other_unit,
        started_on=datetime.date(2022, 1, 1), content="共建",
    )  # fmt: skip
    ids: dict[str, Ids] = {}
    for key, community, resident, staffer, unit, partnership, private in (
        ("a", world.community, a_resident, staff, world.unit, world.partnership, A_PRIVATE),
        ("b", world.other_community, b_resident, outsider, other_unit, b_partnership, B_PRIVATE),
    ):
        need = lists.publish_need(
            staffer,
            lists.raise_need(
                resident,
                community,
                lists.NeedInput(title=f"{community.name}老人理发", category=haircut),
            ),
        )
        private_need = lists.raise_need(resident, community, lists.NeedInput(title=private))
        raiser = a_party if key == "a" else resident
        claimed = lists.publish_need(
            staffer,
            lists.raise_need(raiser, community, lists.NeedInput(title=f"{community.name}修灯")),
        )
        claim = lists.claim_need(
            world["unit_admin"] if key == "a" else outsider,
            claimed,
            organization=unit if key == "a" else None,
        )
        project = claim.project
        lists.sign_agreement(
            raiser, project.agreement, side="need", typed_name=raiser.real_name,
            drawn_png=signature_png(),
        )  # fmt: skip
        resource = lists.create_resource(
            staffer, community, lists.ResourceInput(title=f"{community.name}修伞"),
            provider_user=resident,
        )  # fmt: skip
        whistle = whistles.blow_whistle(
            staffer,
            community,
            whistles.WhistleInput(
                type="everyday", title=f"{private}：井盖缺失", units=[unit], raised_by=resident,
                need=need,
            ),
        )  # fmt: skip
        event = events.create_event(
            staffer, title=f"{community.name}发布会",
            starts_at=timezone.now() + datetime.timedelta(days=3), place="活动室",
            communities=[community],
        )  # fmt: skip
        events.add_needs(staffer, event, [need])
        events.announce_event(staffer, event)
        notification = Notification.objects.filter(recipient=resident).first() or (
            Notification.objects.first()
        )
        ids[key] = Ids(
            need=need.pk,
            private_need=private_need.pk,
            project=project.pk,
            resource=resource.pk,
            community=community.pk,
            compound=(world.compound if key == "a" else world.other_compound).pk,
            region=community.pk,
            organization=unit.pk,
            partnership=partnership.pk,
            person=resident.pk,
            whistle=whistle.pk,
            call=whistle.calls.get().pk,
            event=event.pk,
            notification=notification.pk if notification else 0,
        )
    return ids


# The literal just before a parameter names what it is.
BY_SEGMENT = {
    "needs": "need",
    "projects": "project",
    "resources": "resource",
    "communities": "community",
    "compounds": "compound",
    "regions": "region",
    "orgs": "organization",
    "organizations": "organization",
    "unit": "organization",
    "partnerships": "partnership",
    "people": "person",
    "whistles": "whistle",
    "calls": "call",
    "whistle-calls": "call",
    "events": "event",
    "new": "community",
    "scorecard": "community",
    "inbox": "notification",
    "user": "person",
}
STRINGS = {"action": "publish", "kind": "needs", "fmt": "xlsx", "token": "missing"}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _fill(route: str, ids: Ids) -> str | None:
    route = route.lstrip("^").rstrip("$")
    out, last = [], 0
    for match in PARAM.finditer(route):
        literal = route[last : match.start()]
        out.append(literal)
        name = match.group(2) or match.group(3)
        segment = literal.strip("/").split("/")[-1] if literal.strip("/") else ""
        if name in STRINGS:
            value: Any = STRINGS[name]
            if name == "kind" and literal.endswith("print/"):
                value = "posters"
        elif name == "app_label":
            value = "accounts"
        elif name in {"object_id", "content_type_id"}:
            value = ids.person
        elif segment in BY_SEGMENT:
            value = getattr(ids, BY_SEGMENT[segment])
        elif name == "mapping_id":
            value = 999999
        else:
            return None
        out.append(str(value))
        last = match.end()
    out.append(route[last:])
    return "/" + "".join(out)


def _urls(ids: dict[str, Ids]) -> list[tuple[str, str]]:
    urls: set[tuple[str, str]] = set()
    for route in _routes(get_resolver().url_patterns):
        if SKIP.match(route):
            continue
        for key in ("a", "b"):
            url = _fill(route, ids[key])
            if url is not None:
                urls.add((key, url))
        if "needs/<" in route:  # the needs nobody has reviewed yet, too
            for key in ("a", "b"):
                private = Ids(**{**ids[key].__dict__, "need": ids[key].private_need})
                urls.add((key, _fill(route, private) or ""))
    seen: dict[str, str] = {}
    for key, url in sorted(urls):
        if url:
            seen.setdefault(url, key)  # a page without an id is asked for once
    return sorted((key, url) for url, key in seen.items())


def _forbidden(role: str, viewer: Any) -> list[str]:
    """What this viewer must not read anywhere."""
    own = {getattr(viewer, "real_name", None), getattr(viewer, "mobile", None)}
    words: list[str] = []
    if role in OF_A:
        words.append(B_PRIVATE)
    if role in OF_B or role == "anonymous":
        words.append(A_PRIVATE)
    if role == "anonymous":
        words.append(B_PRIVATE)
    if role not in SEES_A:
        words += [w for w in A_RESIDENT if w not in own]
        if role not in PARTIES_A:
            words += [w for w in A_PARTY if w not in own]
    if role not in SEES_B:
        words += [w for w in B_RESIDENT if w not in own]
    return words


@pytest.fixture
def quiet_requests() -> Iterator[None]:
    """Thousands of expected 403/404/405 answers: their log lines are not the test's output."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    before = [logger.disabled for logger in loggers]
    for logger in loggers:
        logger.disabled = True
    yield
    for logger, was in zip(loggers, before, strict=True):
        logger.disabled = was


def test_every_url_for_every_role(world: World, quiet_requests: None) -> None:
    admin = User.objects.create_superuser("13900000099", "secret-pass-1", real_name="管理员")
    ids = _build(world)
    urls = _urls(ids)
    assert len(urls) > 150, len(urls)
    problems: list[str] = []
    requests = 0
    for role in ROLES:
        viewer = admin if role == "admin" else fresh(world[role])
        client = Client()
        if getattr(viewer, "pk", None) is not None:
            client.force_login(viewer)
        forbidden = _forbidden(role, viewer)
        for _key, url in urls:
            if url.startswith("/admin/") and role not in {"admin", "anonymous"}:
                continue  # the admin sends everyone else to its sign-in, as for anonymous
            response = client.get(url)
            requests += 1
            if response.status_code >= 500:
                problems.append(f"{role} {url}: {response.status_code}")
                continue
            if response.get("Content-Type", "").split(";")[0] not in {
                "text/html",
                "application/json",
            }:
                continue
            text = response.content.decode("utf-8", "replace")
            if response.get("Content-Type", "").startswith("application/json"):
                text = json.dumps(response.json(), ensure_ascii=False)
            for word in forbidden:
                if word in text:
                    problems.append(f"{role} {url}: shows {word}")
            if role in {"anonymous", "resident", "unit_contact", "unit_admin"}:
                allowed = {getattr(viewer, "mobile", "")} | CONTACT_NUMBERS
                if role in PARTIES_A:  # the project's parties: the raiser and the unit's people
                    allowed |= {A_PARTY[1], *UNIT_NUMBERS}
                shown = set(PHONE.findall(text)) - allowed
                if shown:
                    problems.append(f"{role} {url}: shows phone {sorted(shown)}")
    assert requests > 800
    assert not problems, "\n".join(problems)


# Units' published contact numbers are theirs to show (a unit's page lists its contact).
CONTACT_NUMBERS = {"13900000002"}
UNIT_NUMBERS = {"13900000002", "13900000003"}  # the school's contact and admin
