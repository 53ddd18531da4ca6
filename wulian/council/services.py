"""The council's every change: one function each, transactional, audited, refusing with a
coded `DomainError`. State machines (topics, meetings, motions, resolutions) go through
`core.workflow`; people are told after commit through the notifications' `tell`.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wulian.accounts.models import User
from wulian.audit import services as audit
from wulian.core import deadlines
from wulian.core.deadlines import Step
from wulian.core.errors import Conflict, DomainError, NotAllowed
from wulian.core.workflow import Workflow, transition
from wulian.council import quorum
from wulian.council.models import (
    AgendaItem,
    Ballot,
    CheckIn,
    Comment,
    Council,
    CouncilMember,
    Household,
    HouseholdMember,
    Meeting,
    MinutesSignature,
    Motion,
    Objection,
    Proxy,
    Resolution,
    Second,
    Topic,
    TopicPhoto,
    VoteMark,
)
from wulian.council.rules import current_roles, is_resident_of
from wulian.notifications.services import tell
from wulian.places.models import Compound, Region

audit.register_actions(
    {
        "council.created": gettext_lazy("set up the council"),
        "council.member_appointed": gettext_lazy("appointed a council member"),
        "council.member_term_ended": gettext_lazy("ended a council member's term"),
        "council.household_added": gettext_lazy("added a household"),
        "council.household_joined": gettext_lazy("asked to join a household"),
        "council.household_confirmed": gettext_lazy("confirmed a household member"),
        "council.topic_raised": gettext_lazy("raised a topic"),
        "council.topic_edited": gettext_lazy("edited the topic"),
        "council.topic_seconded": gettext_lazy("the topic reached its seconds"),
        "council.topic_on_agenda": gettext_lazy("put the topic on the agenda"),
        "council.topic_decided": gettext_lazy("the topic was decided"),
        "council.topic_dismissed": gettext_lazy("dismissed the topic"),
        "council.comment_hidden": gettext_lazy("hid a comment"),
        "council.meeting_planned": gettext_lazy("planned a meeting"),
        "council.meeting_noticed": gettext_lazy("published the meeting notice"),
        "council.meeting_opened": gettext_lazy("opened the meeting"),
        "council.meeting_closed": gettext_lazy("closed the meeting"),
        "council.proxy_recorded": gettext_lazy("recorded a proxy"),
        "council.motion_added": gettext_lazy("added a motion"),
        "council.ballot_opened": gettext_lazy("opened the ballot"),
        "council.ballot_closed": gettext_lazy("closed the ballot"),
        "council.tally_entered": gettext_lazy("entered the show of hands"),
        "council.tally_confirmed": gettext_lazy("confirmed the show of hands"),
        "council.resolution_adopted": gettext_lazy("recorded the resolution"),
        "council.resolution_published": gettext_lazy("published the resolution for notice"),
        "council.resolution_effective": gettext_lazy("the notice period ended: in effect"),
        "council.resolution_suspended": gettext_lazy("an objection was upheld: suspended"),
        "council.resolution_done": gettext_lazy("the resolution was carried out"),
        "council.objection_answered": gettext_lazy("answered an objection"),
        "council.resolution_linked": gettext_lazy("followed the resolution up"),
        "council.minutes_signed": gettext_lazy("signed the minutes"),
    }
)

OPEN_EARLY = datetime.timedelta(hours=1)
"""How long before its time a meeting may be opened."""

_T = Topic.State
TOPIC_FLOW = Workflow(
    Topic,
    moves={
        _T.RAISED: {_T.SECONDED, _T.AGENDA, _T.DISMISSED},
        _T.SECONDED: {_T.AGENDA, _T.DISMISSED},
        _T.AGENDA: {_T.DECIDED, _T.DISMISSED, _T.SECONDED},
    },
    code="topic.bad_state",
    refusal=gettext_lazy("This topic is %(state)s; it cannot be moved to %(to)s."),
    community=lambda topic: topic.council.community,
)
_M = Meeting.State
MEETING_FLOW = Workflow(
    Meeting,
    moves={_M.PLANNED: {_M.NOTICED}, _M.NOTICED: {_M.OPEN}, _M.OPEN: {_M.CLOSED}},
    code="meeting.bad_state",
    refusal=gettext_lazy("This meeting is %(state)s; it cannot be moved to %(to)s."),
    community=lambda meeting: meeting.council.community,
)
_V = Motion.State
MOTION_FLOW = Workflow(
    Motion,
    moves={_V.DRAFT: {_V.OPEN, _V.CLOSED}, _V.OPEN: {_V.CLOSED}},
    code="motion.bad_state",
    refusal=gettext_lazy("Voting on this motion is %(state)s."),
    community=lambda motion: motion.meeting.council.community,
    subject=lambda motion: motion.meeting,
    describe=lambda motion: {"motion": motion.text},
)
_R = Resolution.State
RESOLUTION_FLOW = Workflow(
    Resolution,
    moves={
        _R.DRAFT: {_R.NOTICE},
        _R.NOTICE: {_R.EFFECTIVE, _R.SUSPENDED},
        _R.SUSPENDED: {_R.NOTICE},
        _R.EFFECTIVE: {_R.DONE},
    },
    code="resolution.bad_state",
    refusal=gettext_lazy("This resolution is %(state)s; it cannot be moved to %(to)s."),
    community=lambda resolution: resolution.council.community,
)

DEFAULT_NOTICE_DAYS = 7
ESCALATE_AFTER = datetime.timedelta(days=3)


# ------------------------------------------------------------------ helpers


def _need(actor: User, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise NotAllowed("council.not_allowed", message)


def _text(value: str, code: str, message: str, limit: int = 5000) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code, message)
    if len(value) > limit:
        raise DomainError(code, _("Keep it under %(n)d characters.") % {"n": limit})
    return value


def council_url(council: Council) -> str:
    return reverse("council:council", args=[council.pk])


def meeting_url(meeting: Meeting) -> str:
    return reverse("council:meeting", args=[meeting.pk])


def resolution_url(resolution: Resolution) -> str:
    return reverse("council:resolution", args=[resolution.pk])


def _staff_of(community: Region) -> QuerySet[User]:
    return User.objects.filter(staff_assignments__region=community, is_active=True).distinct()


def _runners(council: Council) -> list[User]:
    today = timezone.localdate()
    return list(
        User.objects.filter(
            council_roles__council=council,
            council_roles__role__in=["chair", "secretary"],
            council_roles__starts_on__lte=today,
        )
        .filter(Q(council_roles__ends_on__isnull=True) | Q(council_roles__ends_on__gte=today))
        .distinct()
    )


def representatives(council: Council) -> QuerySet[User]:
    today = timezone.localdate()
    return (
        User.objects.filter(
            council_roles__council=council,
            council_roles__role=CouncilMember.Role.REPRESENTATIVE,
            council_roles__starts_on__lte=today,
        )
        .filter(Q(council_roles__ends_on__isnull=True) | Q(council_roles__ends_on__gte=today))
        .distinct()
    )


def residents(council: Council) -> QuerySet[User]:
    if council.compound_id is not None:
        return User.objects.filter(compound_id=council.compound_id, is_active=True)
    return User.objects.filter(community_id=council.community_id, is_active=True)


def households(council: Council) -> QuerySet[Household]:
    if council.compound_id is not None:
        return Household.objects.filter(compound_id=council.compound_id)
    return Household.objects.filter(compound__community_id=council.community_id)


def household_of(user: User, council: Council) -> Household | None:
    """The person's household in the council's compound: as its representative or member."""
    mine = households(council).filter(
        Q(representative=user) | Q(members__user=user, members__confirmed=True)
    )
    return mine.first()


# ------------------------------------------------------------------ councils and people


def create_council(
    actor: User,
    community: Region,
    name: str,
    *,
    compound: Compound | None = None,
    second_threshold: int = 5,
) -> Council:
    _need(actor, "council.create_council", community, _("Only the community's staff can do this."))
    name = _text(name, "council.no_name", _("Give the council a name."), 100)
    if compound is not None and compound.community_id != community.pk:
        raise DomainError("council.bad_compound", _("This compound is not in the community."))
    if second_threshold < 1:
        raise DomainError("council.bad_threshold", _("At least one second is needed."))
    with transaction.atomic():
        taken = Council.objects.filter(community=community)
        taken = taken.filter(compound=compound) if compound else taken.filter(compound=None)
        if taken.exists():
            raise Conflict("council.exists", _("This compound already has a council."))
        council = Council.objects.create(
            community=community, compound=compound, name=name, second_threshold=second_threshold
        )
        audit.record(actor, "council.created", council, after={"name": name}, community=community)
    return council


def appoint_member(
    actor: User,
    council: Council,
    user: User,
    role: str,
    *,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    represents: str = "",
) -> CouncilMember:
    _need(actor, "council.manage_council", council, _("Only the community's staff can do this."))
    if role not in CouncilMember.Role.values:
        raise DomainError(
            "council.bad_role", _("Choose chair, adviser, representative or secretary.")
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("council.bad_term", _("The term must end after it starts."))
    if role == CouncilMember.Role.REPRESENTATIVE and not represents.strip():
        raise DomainError(
            "council.no_represents",
            _("Name the buildings or households the representative speaks for."),
        )
    with transaction.atomic():
        if role == CouncilMember.Role.CHAIR:
            Council.objects.select_for_update().get(pk=council.pk)
            others = CouncilMember.objects.filter(council=council, role=role).exclude(user=user)
            overlapping = others.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
            if ends_on is not None:
                overlapping = overlapping.filter(starts_on__lte=ends_on)
            if overlapping.exists():
                raise Conflict(
                    "council.chair_taken", _("The council already has a chair for this term.")
                )
        try:
            with transaction.atomic():
                member = CouncilMember.objects.create(
                    council=council,
                    user=user,
                    role=role,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    represents=represents.strip()[:200],
                )
        except IntegrityError as exc:
            raise Conflict(
                "council.member_exists", _("This person already holds that role.")
            ) from exc
        audit.record(
            actor,
            "council.member_appointed",
            council,
            after=audit.snapshot_of({"person": str(user), "role": role, "starts_on": starts_on}),
            community=council.community,
        )
    user.__dict__.pop("_council_roles", None)
    return member


def end_term(actor: User, member: CouncilMember, on: datetime.date | None = None) -> CouncilMember:
    _need(
        actor,
        "council.manage_council",
        member.council,
        _("Only the community's staff can do this."),
    )
    on = on or timezone.localdate()
    if on < member.starts_on:
        raise DomainError("council.bad_term", _("The term must end after it starts."))
    with transaction.atomic():
        member = CouncilMember.objects.select_for_update().get(pk=member.pk)
        member.ends_on = on
        member.save(update_fields=["ends_on"])
        audit.record(
            actor,
            "council.member_term_ended",
            member.council,
            after=audit.snapshot_of(
                {"person": str(member.user), "role": member.role, "ends_on": on}
            ),
            community=member.council.community,
        )
    return member


def add_household(
    actor: User,
    compound: Compound,
    *,
    building: str,
    unit: str = "",
    room: str,
    floor_area: Any,
    representative: User | None = None,
) -> Household:
    if not actor.has_perm("places.change_compound", compound):
        raise NotAllowed("council.not_allowed", _("Only the community's staff can do this."))
    building = _text(building, "household.no_building", _("Enter the building."), 20)
    room = _text(room, "household.no_room", _("Enter the room."), 20)
    try:
        area = Decimal(str(floor_area)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            "household.bad_area", _("Enter the floor area in m², e.g. 68.5.")
        ) from exc
    if area <= 0 or area >= Decimal("100000"):
        raise DomainError("household.bad_area", _("Enter the floor area in m², e.g. 68.5."))
    with transaction.atomic():
        if Household.objects.filter(
            compound=compound, building=building, unit=unit.strip(), room=room
        ).exists():
            raise Conflict("household.exists", _("This flat is already registered."))
        household = Household.objects.create(
            compound=compound,
            building=building,
            unit=unit.strip(),
            room=room,
            floor_area=area,
            representative=representative,
        )
        if representative is not None:
            HouseholdMember.objects.update_or_create(
                user=representative, defaults={"household": household, "confirmed": True}
            )
        audit.record(
            actor,
            "council.household_added",
            household,
            after=audit.snapshot_of({"flat": str(household), "area": area}),
            community=compound.community,
        )
    return household


def request_join_household(actor: User, household: Household) -> HouseholdMember:
    """A resident asks to belong to their household; staff confirm it."""
    if actor.compound_id != household.compound_id:
        raise NotAllowed(
            "household.other_compound", _("You can only join a household of your own compound.")
        )
    with transaction.atomic():
        if HouseholdMember.objects.filter(user=actor).exists():
            raise Conflict("household.already_member", _("You already belong to a household."))
        member = HouseholdMember.objects.create(household=household, user=actor)
        audit.record(
            actor,
            "council.household_joined",
            household,
            after={"flat": str(household)},
            community=household.compound.community,
        )
    for staff in [_staff_of(household.compound.community)]:
        tell(
            staff,
            "council.household_request",
            gettext_lazy("A resident asks to join household %(flat)s."),
            flat=str(household),
        )
    return member


def confirm_household_member(actor: User, member: HouseholdMember) -> HouseholdMember:
    if not actor.has_perm("places.change_compound", member.household.compound):
        raise NotAllowed("council.not_allowed", _("Only the community's staff can do this."))
    with transaction.atomic():
        member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
        member.confirmed = True
        member.save(update_fields=["confirmed"])
        audit.record(
            actor,
            "council.household_confirmed",
            member.household,
            after={"person": str(member.user)},
            community=member.household.compound.community,
        )
    return member


# ------------------------------------------------------------------ topics


@dataclass(frozen=True)
class TopicInput:
    title: str
    text: str
    why: str = ""
    need: Any = None  # a need of the community, or its number
    whistle: Any = None  # a whistle of the community, or its number
    photos: Sequence[Any] = field(default_factory=tuple)  # uploads or `CleanFile`s

    @classmethod
    def from_topic(cls, topic: Topic) -> TopicInput:
        """The topic as it stands, for a form or a partial update to start from (photos
        already attached stay; `photos` are only the ones to add)."""
        return cls(
            title=topic.title,
            text=topic.text,
            why=topic.why,
            need=topic.need_id,
            whistle=topic.whistle_id,
        )


def _linked(actor: User, council: Council, value: Any, model: Any, perm: str) -> Any:
    """The need or whistle a topic links to: of the council's community and one the person
    raising the topic may see; anything else is refused as unknown."""
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, model) else value
    found = model.objects.filter(pk=pk, community=council.community).first()
    if found is None or not actor.has_perm(perm, found):
        if model._meta.label == "lists.Need":
            raise DomainError(
                "topic.unknown_need",
                _("There is no need number %(n)s in this community that you can see.") % {"n": pk},
            )
        raise DomainError(
            "topic.unknown_whistle",
            _("There is no whistle number %(n)s in this community that you can see.") % {"n": pk},
        )
    return found


def _attach_photo(actor: User, topic: Topic, upload: Any) -> TopicPhoto:
    from wulian.core.uploads import CleanFile, clean_upload

    clean = upload if isinstance(upload, CleanFile) else clean_upload(upload, allow=("image",))
    photo = TopicPhoto.store(clean, actor, topic=topic)
    assert isinstance(photo, TopicPhoto)
    return photo


def raise_topic(actor: User, council: Council, data: TopicInput) -> Topic:
    _need(
        actor, "council.take_part", council, _("Only residents of the compound can raise topics.")
    )
    title = _text(data.title, "topic.no_title", _("Give the topic a title."), 120)
    text = _text(data.text, "topic.no_text", _("Say what the topic is about."))
    from wulian.lists.models import Need
    from wulian.whistle.models import Whistle

    need = _linked(actor, council, data.need, Need, "lists.view_need")
    whistle = _linked(actor, council, data.whistle, Whistle, "whistle.view_whistle")
    with transaction.atomic():
        topic = Topic.objects.create(
            council=council,
            title=title,
            text=text,
            why=(data.why or "").strip()[:5000],
            raised_by=actor,
            need=need,
            whistle=whistle,
        )
        for photo in data.photos:
            _attach_photo(actor, topic, photo)
        audit.record(
            actor,
            "council.topic_raised",
            topic,
            after={
                "title": title,
                **({"need": need.pk} if need else {}),
                **({"whistle": whistle.pk} if whistle else {}),
                **({"photos": len(data.photos)} if data.photos else {}),
            },
            community=council.community,
        )
    tell(
        _runners(council),
        "council.topic_raised",
        gettext_lazy("New topic for the council: %(title)s"),
        url=reverse("council:topic", args=[topic.pk]),
        obj=topic,
        title=title,
    )
    return topic


TOPIC_NOT_EDITABLE = gettext_lazy(
    "This topic can no longer be edited: neighbours have seconded it, or it is closed."
)


def may_edit_topic(user: User, topic: Topic) -> bool:
    """Who raised it may put it better until a neighbour has seconded it (they seconded
    those words); the council's moderators may correct it while it is still open."""
    if not user.is_authenticated:
        return False
    if topic.state in {Topic.State.DECIDED, Topic.State.DISMISSED}:
        return False
    if user.has_perm("council.moderate", topic.council):
        return True
    return topic.raised_by_id == user.pk and not topic.seconds.exists()


def edit_topic(actor: User, topic: Topic, data: TopicInput) -> Topic:
    from wulian.lists.models import Need
    from wulian.whistle.models import Whistle

    council = topic.council
    title = _text(data.title, "topic.no_title", _("Give the topic a title."), 120)
    text = _text(data.text, "topic.no_text", _("Say what the topic is about."))

    def pk(value: Any) -> Any:
        return getattr(value, "pk", value)

    # A link left as it was stays, even for a moderator who may not see what it links to.
    need = (
        topic.need
        if pk(data.need) == topic.need_id and topic.need_id
        else _linked(actor, council, data.need, Need, "lists.view_need")
    )
    whistle = (
        topic.whistle
        if pk(data.whistle) == topic.whistle_id and topic.whistle_id
        else _linked(actor, council, data.whistle, Whistle, "whistle.view_whistle")
    )
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if not may_edit_topic(actor, locked):
            raise NotAllowed("topic.not_editable", str(TOPIC_NOT_EDITABLE))
        before = {f: getattr(locked, f) for f in ("title", "text", "why", "need_id", "whistle_id")}
        locked.title, locked.text, locked.why = title, text, (data.why or "").strip()[:5000]
        locked.need, locked.whistle = need, whistle
        after = {f: getattr(locked, f) for f in before}
        changed = [f for f in before if before[f] != after[f]]
        locked.save(update_fields=["title", "text", "why", "need", "whistle"])
        for photo in data.photos:
            _attach_photo(actor, locked, photo)
        if changed or data.photos:
            audit.record(
                actor,
                "council.topic_edited",
                locked,
                before={f: before[f] for f in changed},
                after={
                    **{f: after[f] for f in changed},
                    **({"photos": len(data.photos)} if data.photos else {}),
                },
                community=council.community,
            )
    return locked


def second_topic(actor: User, topic: Topic) -> int:
    """附议: once per person; the topic joins the agenda queue at the council's threshold, or
    at once when a neighbour representative seconds it. Returns the number of seconds."""
    council = topic.council
    _need(
        actor, "council.take_part", council, _("Only residents of the compound can second topics.")
    )
    if topic.raised_by_id == actor.pk:
        raise DomainError("topic.own", _("You raised this topic; others second it."))
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.state not in {_T.RAISED, _T.SECONDED, _T.AGENDA}:
            TOPIC_FLOW.refuse(locked, _T.SECONDED)
        try:
            with transaction.atomic():
                Second.objects.create(topic=locked, user=actor)
        except IntegrityError as exc:
            raise Conflict(
                "topic.already_seconded", _("You have already seconded this topic.")
            ) from exc
        count = locked.seconds.count()
        by_representative = "representative" in current_roles(actor, council)
        if locked.state == _T.RAISED and (count >= council.second_threshold or by_representative):
            TOPIC_FLOW.apply(
                locked,
                _T.SECONDED,
                actor,
                action="council.topic_seconded",
                after={"seconds": count},
            )
    return count


def put_on_agenda(actor: User, topic: Topic, meeting: Meeting, *, minutes: int = 15) -> AgendaItem:
    """The chair or secretary puts a topic on a meeting's agenda (a raised one too)."""
    _need(
        actor,
        "council.run_council",
        topic.council,
        _("Only the chair or secretary can set the agenda."),
    )
    if meeting.council_id != topic.council_id:
        raise DomainError("agenda.other_council", _("The meeting belongs to another council."))
    if not 1 <= minutes <= 240:
        raise DomainError("agenda.bad_minutes", _("Allow between 1 and 240 minutes."))
    with transaction.atomic():
        if Meeting.objects.select_for_update().get(pk=meeting.pk).state == _M.CLOSED:
            raise Conflict("agenda.meeting_closed", _("This meeting has been held."))
        if AgendaItem.objects.filter(meeting=meeting, topic=topic).exists():
            raise Conflict("agenda.already", _("This topic is already on the agenda."))
        position = AgendaItem.objects.filter(meeting=meeting).count() + 1
        item = AgendaItem.objects.create(
            meeting=meeting, topic=topic, position=position, minutes=minutes
        )
        transition(
            TOPIC_FLOW,
            topic,
            _T.AGENDA,
            actor,
            action="council.topic_on_agenda",
            after={"meeting": meeting.title},
        )
    return item


def dismiss_topic(actor: User, topic: Topic, reason: str) -> Topic:
    _need(
        actor,
        "council.run_council",
        topic.council,
        _("Only the chair or secretary can dismiss topics."),
    )
    reason = _text(reason, "topic.no_reason", _("Say why the topic is dismissed."))
    dismissed = transition(
        TOPIC_FLOW,
        topic,
        _T.DISMISSED,
        actor,
        action="council.topic_dismissed",
        note=reason,
        dismissed_reason=reason,
    )
    tell(
        [topic.raised_by],
        "council.topic_dismissed",
        gettext_lazy("Your topic “%(title)s” was dismissed."),
        reason,
        url=reverse("council:topic", args=[topic.pk]),
        obj=topic,
        title=topic.title,
    )
    return dismissed


def comment_on_topic(actor: User, topic: Topic, text: str) -> Comment:
    _need(
        actor, "council.take_part", topic.council, _("Only residents of the compound can comment.")
    )
    text = _text(text, "comment.empty", _("Write your comment."), 2000)
    if topic.state in {_T.DECIDED, _T.DISMISSED}:
        raise Conflict("comment.closed", _("The discussion of this topic is closed."))
    return Comment.objects.create(topic=topic, author=actor, text=text)


def hide_comment(actor: User, comment: Comment, reason: str) -> Comment:
    _need(
        actor,
        "council.moderate",
        comment.topic.council,
        _("Only the chair or secretary can moderate."),
    )
    reason = _text(
        reason, "comment.no_reason", _("Say why the comment is hidden; its author sees it.")
    )
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.hidden_at is not None:
            raise Conflict("comment.hidden", _("This comment is already hidden."))
        locked.hidden_at = timezone.now()
        locked.hidden_by = actor
        locked.hidden_reason = reason
        locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit.record(
            actor,
            "council.comment_hidden",
            locked.topic,
            note=reason,
            community=locked.topic.council.community,
        )
    tell(
        [locked.author],
        "council.comment_hidden",
        gettext_lazy("Your comment on “%(title)s” was hidden."),
        reason,
        url=reverse("council:topic", args=[locked.topic_id]),
        title=locked.topic.title,
    )
    return locked


# ------------------------------------------------------------------ meetings


@dataclass(frozen=True)
class MeetingInput:
    title: str
    starts_at: datetime.datetime
    place: str
    called: str = Meeting.Called.HOUSEHOLDS
    rule: str = "residents_households"
    notice_days: int = 3


def schedule_meeting(actor: User, council: Council, data: MeetingInput) -> Meeting:
    _need(
        actor, "council.run_council", council, _("Only the chair or secretary can call meetings.")
    )
    title = _text(data.title, "meeting.no_title", _("Give the meeting a title."), 120)
    place = _text(data.place, "meeting.no_place", _("Say where the meeting is held."), 200)
    if data.called not in Meeting.Called.values:
        raise DomainError("meeting.bad_called", _("Choose who is called to the meeting."))
    if data.rule not in quorum.MEETING_RULES:
        raise DomainError("meeting.bad_rule", _("Choose the quorum rule of the meeting."))
    if not 0 <= data.notice_days <= 60:
        raise DomainError("meeting.bad_notice", _("Give between 0 and 60 days of notice."))
    if data.starts_at <= timezone.now():
        raise DomainError("meeting.in_past", _("The meeting must start in the future."))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            council=council,
            title=title,
            starts_at=data.starts_at,
            place=place,
            called=data.called,
            rule=data.rule,
            notice_days=data.notice_days,
            created_by=actor,
        )
        audit.record(
            actor,
            "council.meeting_planned",
            meeting,
            after=audit.snapshot_of(
                {"title": title, "starts_at": data.starts_at, "rule": data.rule}
            ),
            community=council.community,
        )
    return meeting


def called_people(meeting: Meeting) -> list[User]:
    council = meeting.council
    if meeting.called == Meeting.Called.REPRESENTATIVES:
        return list(representatives(council))
    if meeting.called == Meeting.Called.HOUSEHOLDS:
        return list(
            User.objects.filter(
                pk__in=households(council)
                .filter(representative__isnull=False)
                .values("representative")
            )
        )
    return list(residents(council))


def publish_notice(actor: User, meeting: Meeting, now: datetime.datetime | None = None) -> Meeting:
    """The notice goes to the people called, at least the notice days before the meeting."""
    _need(
        actor, "council.run_council", meeting.council, _("Only the chair or secretary can do this.")
    )
    now = now or timezone.now()

    def guard(locked: Meeting) -> None:
        if locked.starts_at - now < datetime.timedelta(days=locked.notice_days):
            raise DomainError(
                "meeting.notice_too_late",
                _(
                    "The notice must be published %(days)d days before the meeting; "
                    "move the meeting later."
                )
                % {"days": locked.notice_days},
            )

    noticed = transition(
        MEETING_FLOW,
        meeting,
        _M.NOTICED,
        actor,
        action="council.meeting_noticed",
        guard=guard,
        noticed_at=now,
    )
    tell(
        called_people(noticed),
        "council.meeting_notice",
        gettext_lazy("Council meeting: %(title)s"),
        gettext_lazy("%(time)s at %(place)s."),
        url=meeting_url(noticed),
        obj=noticed,
        title=noticed.title,
        time=timezone.localtime(noticed.starts_at).strftime("%Y-%m-%d %H:%M"),
        place=noticed.place,
    )
    return noticed


def open_meeting(actor: User, meeting: Meeting) -> Meeting:
    """Open the meeting for check-in and ballots: from `OPEN_EARLY` before the time its notice
    gave, not days ahead (what is decided there would be decided before the meeting)."""
    _need(
        actor, "council.run_council", meeting.council, _("Only the chair or secretary can do this.")
    )
    if timezone.now() < meeting.starts_at - OPEN_EARLY:
        raise Conflict(
            "meeting.not_yet",
            _("The meeting starts at %(time)s; it can be opened from %(minutes)d minutes before.")
            % {
                "time": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                "minutes": OPEN_EARLY.total_seconds() // 60,
            },
        )
    return transition(
        MEETING_FLOW,
        meeting,
        _M.OPEN,
        actor,
        action="council.meeting_opened",
        opened_at=timezone.now(),
    )


def close_meeting(actor: User, meeting: Meeting) -> Meeting:
    _need(
        actor, "council.run_council", meeting.council, _("Only the chair or secretary can do this.")
    )
    return transition(
        MEETING_FLOW,
        meeting,
        _M.CLOSED,
        actor,
        action="council.meeting_closed",
        closed_at=timezone.now(),
    )


def may_attend(user: User, meeting: Meeting) -> bool:
    council = meeting.council
    if meeting.called == Meeting.Called.REPRESENTATIVES:
        return "representative" in current_roles(user, council)
    return is_resident_of(user, council) or bool(current_roles(user, council))


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    created: bool


def check_in(
    actor: User,
    meeting: Meeting,
    *,
    nonce: str,
    token: str | None = None,
    person: User | None = None,
) -> CheckInResult:
    """Check in at the door: idempotent (the same scan retried counts once, a second scan says
    "already checked in"). The secretary checks in `person`, who has no phone, without a token."""
    who = person or actor
    if person is not None and person != actor:
        _need(
            actor,
            "council.run_council",
            meeting.council,
            _("Only the secretary can check others in."),
        )
    elif token is None or not secrets.compare_digest(token, meeting.checkin_token):
        raise DomainError("checkin.bad_code", _("This check-in code is not for this meeting."))
    nonce = (nonce or "").strip()[:64]
    if not nonce:
        raise DomainError("checkin.no_nonce", _("Scan the code again."))
    if not may_attend(who, meeting):
        raise NotAllowed("checkin.not_called", _("You are not called to this meeting."))
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.state not in {_M.NOTICED, _M.OPEN}:
            raise Conflict("checkin.not_open", _("Check-in is not open for this meeting."))
        existing = CheckIn.objects.filter(meeting=locked, user=who).first()
        if existing is not None:
            return CheckInResult(existing, False)
        if CheckIn.objects.filter(meeting=locked, nonce=nonce).exists():
            raise Conflict("checkin.nonce_used", _("This scan has been used; scan the code again."))
        checkin = CheckIn.objects.create(
            meeting=locked,
            user=who,
            household=household_of(who, locked.council),
            nonce=nonce,
            by=actor if person is not None and person != actor else None,
        )
    return CheckInResult(checkin, True)


def record_proxy(
    actor: User, meeting: Meeting, *, giver: Household, holder: User, proof: str
) -> Proxy:
    """委托: a household representative may hold at most one other household's proxy."""
    council = meeting.council
    _need(actor, "council.run_council", council, _("Only the secretary can record proxies."))
    if proof not in Proxy.Proof.values:
        raise DomainError("proxy.no_proof", _("Say how the giver confirmed the proxy."))
    if not households(council).filter(pk=giver.pk).exists():
        raise DomainError("proxy.other_compound", _("The household is not of this compound."))
    own = household_of(holder, council)
    if own is None or own.representative_id != holder.pk:
        raise DomainError(
            "proxy.not_representative", _("Only a household representative can hold a proxy.")
        )
    if own.pk == giver.pk:
        raise DomainError("proxy.own_household", _("A household cannot give its proxy to itself."))
    with transaction.atomic():
        if Meeting.objects.select_for_update().get(pk=meeting.pk).state == _M.CLOSED:
            raise Conflict("proxy.closed", _("This meeting has been held."))
        if Proxy.objects.filter(meeting=meeting, holder=holder).exists():
            raise Conflict("proxy.holder_full", _("This representative already holds a proxy."))
        if Proxy.objects.filter(meeting=meeting, giver=giver).exists():
            raise Conflict("proxy.given", _("This household has already given its proxy."))
        if CheckIn.objects.filter(meeting=meeting, household=giver).exists():
            raise Conflict("proxy.present", _("This household is present itself."))
        proxy = Proxy.objects.create(
            meeting=meeting, giver=giver, holder=holder, proof=proof, noted_by=actor
        )
        audit.record(
            actor,
            "council.proxy_recorded",
            meeting,
            after={"giver": str(giver), "holder": str(holder), "proof": proof},
            community=council.community,
        )
    return proxy


@dataclass(frozen=True)
class Attendance:
    rule: quorum.Rule
    called: int
    present: int
    households_present: int
    households_total: int
    area_present: Decimal
    area_total: Decimal
    base_present: int
    base_total: int
    outcome: quorum.Outcome

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.key,
            "called": self.called,
            "present": self.present,
            "households_present": self.households_present,
            "households_total": self.households_total,
            "area_present": str(self.area_present),
            "area_total": str(self.area_total),
            "base_present": self.base_present,
            "base_total": self.base_total,
            "quorum": self.outcome.ok,
            "explanation": self.outcome.explanation,
        }


def present_households(meeting: Meeting) -> QuerySet[Household]:
    """Households present in person or by a proxy whose holder is present."""
    present_users = CheckIn.objects.filter(meeting=meeting).values("user")
    return households(meeting.council).filter(
        Q(
            pk__in=CheckIn.objects.filter(meeting=meeting, household__isnull=False).values(
                "household"
            )
        )
        | Q(pk__in=Proxy.objects.filter(meeting=meeting, holder__in=present_users).values("giver"))
    )


def attendance(meeting: Meeting) -> Attendance:
    council = meeting.council
    rule = quorum.rule_for(meeting.rule)
    present = CheckIn.objects.filter(meeting=meeting).count()
    all_households = households(council)
    here = present_households(meeting)
    h_present, h_total = here.count(), all_households.count()
    area_present = here.aggregate(a=Sum("floor_area"))["a"] or Decimal(0)
    area_total = all_households.aggregate(a=Sum("floor_area"))["a"] or Decimal(0)
    if rule.base == "representatives":
        reps = representatives(council)
        base_present = CheckIn.objects.filter(meeting=meeting, user__in=reps).count()
        base_total = reps.count()
    elif rule.counts_households:
        base_present, base_total = h_present, h_total
    else:
        base_present, base_total = present, residents(council).count()
    outcome = quorum.quorum(
        rule, base_present, base_total, present_area=area_present, total_area=area_total
    )
    return Attendance(
        rule,
        len(called_people(meeting)),
        present,
        h_present,
        h_total,
        area_present,
        area_total,
        base_present,
        base_total,
        outcome,
    )


# ------------------------------------------------------------------ motions and votes


@dataclass(frozen=True)
class MotionInput:
    text: str
    method: str = Motion.Method.YES_NO
    options: Sequence[str] = ()
    max_choices: int = 1
    voting: str = Motion.Voting.ONLINE
    secret: bool = True
    special: bool = False
    item: AgendaItem | None = None


def add_motion(actor: User, meeting: Meeting, data: MotionInput) -> Motion:
    _need(
        actor,
        "council.run_council",
        meeting.council,
        _("Only the chair or secretary can add motions."),
    )
    text = _text(data.text, "motion.no_text", _("Write the motion to be voted on."), 300)
    if data.method not in Motion.Method.values:
        raise DomainError("motion.bad_method", _("Choose how the motion is voted on."))
    if data.voting not in Motion.Voting.values:
        raise DomainError("motion.bad_voting", _("Choose a show of hands or an online ballot."))
    options = [o.strip() for o in data.options if o and o.strip()]
    if data.method != Motion.Method.YES_NO:
        if len(options) < 2 or len(set(options)) != len(options):
            raise DomainError("motion.bad_options", _("Give at least two different choices."))
        if any(len(o) > 100 for o in options):
            raise DomainError("motion.bad_options", _("Keep each choice under 100 characters."))
    else:
        options = []
    k = data.max_choices if data.method == Motion.Method.UP_TO else 1
    if data.method == Motion.Method.UP_TO and not 1 <= k <= len(options):
        raise DomainError("motion.bad_k", _("Allow between 1 and the number of choices."))
    if data.voting == Motion.Voting.HANDS and quorum.rule_for(meeting.rule).by_area:
        raise DomainError(
            "motion.hands_by_area",
            _("Owners' matters are counted by floor area too: use an online ballot."),
        )
    if data.item is not None and data.item.meeting_id != meeting.pk:
        raise DomainError("motion.other_meeting", _("The agenda item is of another meeting."))
    if meeting.state == _M.CLOSED and data.voting == Motion.Voting.HANDS:
        raise Conflict("motion.meeting_closed", _("This meeting has been held."))
    with transaction.atomic():
        motion = Motion.objects.create(
            meeting=meeting,
            item=data.item,
            text=text,
            method=data.method,
            options=options,
            max_choices=k,
            voting=data.voting,
            secret=data.secret and data.voting == Motion.Voting.ONLINE,
            special=data.special,
        )
        audit.record(
            actor,
            "council.motion_added",
            meeting,
            after={"motion": text},
            community=meeting.council.community,
        )
    return motion


def open_ballot(actor: User, motion: Motion, closes_at: datetime.datetime) -> Motion:
    _need(
        actor,
        "council.run_council",
        motion.meeting.council,
        _("Only the chair or secretary can do this."),
    )
    if motion.voting != Motion.Voting.ONLINE:
        raise DomainError("motion.not_online", _("This motion is voted by show of hands."))
    if closes_at <= timezone.now():
        raise DomainError("motion.bad_close", _("The ballot must close in the future."))
    meeting_state = Meeting.objects.filter(pk=motion.meeting_id).values_list("state", flat=True)
    if meeting_state.first() not in {_M.OPEN, _M.CLOSED}:
        raise Conflict("motion.meeting_not_open", _("Open the meeting before voting."))
    return transition(
        MOTION_FLOW,
        motion,
        _V.OPEN,
        actor,
        action="council.ballot_opened",
        opened_at=timezone.now(),
        closes_at=closes_at,
    )


def _clean_choices(motion: Motion, choices: Sequence[str]) -> list[str]:
    picked = list(dict.fromkeys(str(c) for c in choices))
    allowed = motion.choices_list
    if not picked or any(c not in allowed for c in picked):
        raise DomainError("vote.bad_choice", _("Choose from the choices offered."))
    if len(picked) > motion.max_choices:
        raise DomainError("vote.too_many", _("Choose at most %(k)d.") % {"k": motion.max_choices})
    return picked


def voting_household(actor: User, motion: Motion, household: Household | None) -> Household | None:
    """The household a vote is cast for, when the meeting counts households: the voter's own,
    or the one whose proxy they hold; None when it counts people."""
    meeting = motion.meeting
    rule = quorum.rule_for(meeting.rule)
    if not rule.counts_households:
        return None
    own = household_of(actor, meeting.council)
    if household is None or (own is not None and household.pk == own.pk):
        if own is None:
            raise NotAllowed(
                "vote.no_household", _("You do not belong to a household of this compound.")
            )
        return own
    if Proxy.objects.filter(meeting=meeting, giver=household, holder=actor).exists():
        return household
    raise NotAllowed("vote.other_household", _("You cannot vote for another household."))


def cast_vote(
    actor: User,
    motion: Motion,
    choices: Sequence[str],
    *,
    household: Household | None = None,
) -> VoteMark:
    """One vote per person (or household): the database's constraint on `VoteMark` holds it.
    A secret ballot keeps no link between the voter and the choice."""
    meeting = motion.meeting
    if not may_attend(actor, meeting):
        raise NotAllowed("vote.not_called", _("You are not called to this meeting."))
    picked = _clean_choices(motion, choices)
    for_household = voting_household(actor, motion, household)
    by_area = quorum.rule_for(meeting.rule).by_area
    now = timezone.now()
    with transaction.atomic():
        locked = Motion.objects.select_for_update().get(pk=motion.pk)
        if locked.state != _V.OPEN or (locked.closes_at and locked.closes_at <= now):
            raise Conflict("vote.closed", _("Voting on this motion is not open."))
        if not CheckIn.objects.filter(meeting=meeting, user=actor).exists():
            raise NotAllowed("vote.not_present", _("Check in at the meeting before voting."))
        mine = Q(household=for_household) if for_household else Q(voter=actor, household=None)
        if VoteMark.objects.filter(mine, motion=locked).exists():
            raise Conflict("vote.already", _("You have already voted on this motion."))
        try:
            with transaction.atomic():
                mark = VoteMark.objects.create(motion=locked, voter=actor, household=for_household)
                Ballot.objects.create(
                    motion=locked,
                    choices=picked,
                    voter=None if locked.secret else actor,
                    area=for_household.floor_area if for_household and by_area else Decimal(0),
                )
        except IntegrityError as exc:
            raise Conflict("vote.already", _("You have already voted on this motion.")) from exc
    return mark


def close_ballot(actor: User, motion: Motion) -> Motion:
    _need(
        actor,
        "council.run_council",
        motion.meeting.council,
        _("Only the chair or secretary can do this."),
    )
    with transaction.atomic():
        locked = Motion.objects.select_for_update().get(pk=motion.pk)
        if locked.voting != Motion.Voting.ONLINE:
            raise DomainError("motion.not_online", _("This motion is voted by show of hands."))
        MOTION_FLOW.check(locked, _V.CLOSED)
        result = motion_result(locked)
        return MOTION_FLOW.apply(
            locked,
            _V.CLOSED,
            actor,
            action="council.ballot_closed",
            after={"passed": result["passed"]},
            closed_at=timezone.now(),
            result=result,
        )


def enter_tally(actor: User, motion: Motion, counts: Mapping[str, Any]) -> Any:
    """The secretary enters a show of hands; it counts once a second person confirms it."""
    from wulian.council.models import HandsTally

    council = motion.meeting.council
    if "secretary" not in current_roles(actor, council):
        raise NotAllowed("tally.not_secretary", _("Only the secretary enters the show of hands."))
    if motion.voting != Motion.Voting.HANDS:
        raise DomainError("tally.online", _("This motion is voted online."))
    clean: dict[str, int] = {}
    for choice in motion.choices_list:
        raw = counts.get(choice, 0)
        try:
            value = int(raw if raw not in (None, "") else 0)
        except (TypeError, ValueError) as exc:
            raise DomainError(
                "tally.bad_count", _("Enter a whole number for “%(choice)s”.") % {"choice": choice}
            ) from exc
        if value < 0:
            raise DomainError(
                "tally.bad_count", _("Enter a whole number for “%(choice)s”.") % {"choice": choice}
            )
        clean[choice] = value
    base = attendance(motion.meeting).base_present
    hands = sum(clean.values()) if motion.method != Motion.Method.UP_TO else max(clean.values())
    if hands > base:
        raise DomainError(
            "tally.exceeds_present",
            _("The tally (%(hands)d) exceeds those present (%(present)d).")
            % {"hands": hands, "present": base},
        )
    with transaction.atomic():
        locked = Motion.objects.select_for_update().get(pk=motion.pk)
        if locked.state != _V.DRAFT:
            raise Conflict("tally.closed", _("This vote has been counted already."))
        tally, _created = HandsTally.objects.update_or_create(
            motion=locked,
            defaults={
                "counts": clean,
                "entered_by": actor,
                "confirmed_by": None,
                "confirmed_at": None,
            },
        )
        audit.record(
            actor,
            "council.tally_entered",
            locked.meeting,
            after={"motion": locked.text, **clean},
            community=council.community,
        )
    return tally


def confirm_tally(actor: User, motion: Motion) -> Motion:
    from wulian.council.models import HandsTally

    council = motion.meeting.council
    if not actor.has_perm("council.confirm_tally", council):
        raise NotAllowed(
            "tally.not_confirmer", _("Only the chair or an adviser confirms the show of hands.")
        )
    with transaction.atomic():
        locked = Motion.objects.select_for_update().get(pk=motion.pk)
        tally = HandsTally.objects.select_for_update().filter(motion=locked).first()
        if tally is None:
            raise Conflict(
                "tally.missing", _("The secretary has not entered the show of hands yet.")
            )
        if tally.entered_by_id == actor.pk:
            raise NotAllowed("tally.same_person", _("A second person must confirm the tally."))
        MOTION_FLOW.check(locked, _V.CLOSED)
        tally.confirmed_by = actor
        tally.confirmed_at = timezone.now()
        tally.save(update_fields=["confirmed_by", "confirmed_at"])
        result = motion_result(locked)
        return MOTION_FLOW.apply(
            locked,
            _V.CLOSED,
            actor,
            action="council.tally_confirmed",
            after={"passed": result["passed"], **tally.counts},
            closed_at=timezone.now(),
            result=result,
        )


def counted(motion: Motion) -> quorum.Tally:
    """What the motion's votes add up to, with the base of the rule."""
    meeting = motion.meeting
    rule = quorum.rule_for(meeting.rule, special=motion.special)
    counts = {choice: 0 for choice in motion.choices_list}
    areas: dict[str, Decimal] = {choice: Decimal(0) for choice in motion.choices_list}
    if motion.voting == Motion.Voting.HANDS:
        tally = getattr(motion, "tally", None)
        if tally is not None:
            counts.update({k: int(v) for k, v in tally.counts.items()})
        base = attendance(meeting).base_present
        return quorum.Tally(counts, base)
    ballots = list(Ballot.objects.filter(motion=motion).values_list("choices", "area"))
    for choices, area in ballots:
        for choice in choices:
            counts[choice] = counts.get(choice, 0) + 1
            areas[choice] = areas.get(choice, Decimal(0)) + area
    if rule.by_area:
        # 民法典 art. 278: the base is those who take part in the vote, by head and by area.
        return quorum.Tally(counts, len(ballots), areas, sum((a for _c, a in ballots), Decimal(0)))
    return quorum.Tally(counts, attendance(meeting).base_present)


def motion_result(motion: Motion) -> dict[str, Any]:
    """The outcome with the numbers and why. Once voting has closed its numbers are frozen
    with the motion; the sentences are worded from them when read, in the reader's language
    (not the language of whoever closed the ballot)."""
    if motion.state == _V.CLOSED and motion.result:
        frozen = dict(motion.result)
        if "attending" not in frozen:  # frozen before the numbers were kept: as it was worded
            return frozen
        tally = quorum.Tally(
            frozen["counts"],
            frozen["base"],
            {k: Decimal(v) for k, v in frozen["areas"].items()},
            Decimal(frozen["base_area"]),
        )
        return {
            **frozen,
            **_worded(motion, quorum.RULES[frozen["rule"]], tally, frozen["attending"]),
        }
    meeting = motion.meeting
    rule = quorum.rule_for(meeting.rule, special=motion.special)
    tally = counted(motion)
    present = attendance(meeting)
    if rule.by_area:
        attending = {
            "rule": rule.key,
            "present": tally.base,
            "total": present.households_total,
            "present_area": str(tally.base_area),
            "total_area": str(present.area_total),
        }
    else:
        attending = {
            "rule": present.rule.key,
            "present": present.base_present,
            "total": present.base_total,
            "present_area": str(present.area_present),
            "total_area": str(present.area_total),
        }
    return {
        "motion": motion.text,
        "method": motion.method,
        "voting": motion.voting,
        "secret": motion.secret,
        "rule": rule.key,
        "counts": dict(tally.counts),
        "areas": {k: str(v) for k, v in tally.areas.items()},
        "base": tally.base,
        "base_area": str(tally.base_area),
        "attending": attending,
        **_worded(motion, rule, tally, attending),
        "ballots": Ballot.objects.filter(motion=motion).count()
        if motion.voting == Motion.Voting.ONLINE
        else None,
    }


def _worded(
    motion: Motion, rule: quorum.Rule, tally: quorum.Tally, attending: Mapping[str, Any]
) -> dict[str, Any]:
    """Whether the motion passed, and why in words, from its numbers."""
    held = quorum.quorum(
        quorum.RULES[attending["rule"]],
        attending["present"],
        attending["total"],
        present_area=Decimal(attending["present_area"]),
        total_area=Decimal(attending["total_area"]),
    )
    if motion.method == Motion.Method.YES_NO:
        decision = quorum.decide_yes_no(rule, tally)
    else:
        decision = quorum.decide_choices(rule, tally, motion.choices_list, motion.max_choices)
    why = (
        decision.explanation if held.ok else held.explanation + "，" + _("the vote does not count")
    )
    return {
        "threshold": rule.decision.words(),
        "quorum": held.ok,
        "quorum_explanation": held.explanation,
        "passed": held.ok and decision.ok,
        "chosen": list(decision.chosen),
        "explanation": why,
    }


def named_ballots(actor: User, motion: Motion) -> list[tuple[str, list[str]]]:
    """Who voted what, for a named ballot, to the council only."""
    _need(
        actor,
        "council.view_ballots",
        motion.meeting.council,
        _("Only the council sees who voted what."),
    )
    if motion.secret:
        raise NotAllowed("vote.secret", _("This ballot is secret."))
    return [
        (str(b.voter), list(b.choices))
        for b in Ballot.objects.filter(motion=motion)
        .select_related("voter")
        .order_by("voter__real_name", "voter_id")
    ]


# ------------------------------------------------------------------ resolutions


def adopt_resolution(
    actor: User,
    motion: Motion,
    *,
    text: str,
    owner: str,
    deadline: datetime.date,
    notice_days: int = DEFAULT_NOTICE_DAYS,
) -> Resolution:
    council = motion.meeting.council
    _need(actor, "council.run_council", council, _("Only the chair or secretary can do this."))
    text = _text(text, "resolution.no_text", _("Write what was resolved."))
    owner = _text(owner, "resolution.no_owner", _("Name who carries it out."), 100)
    if not 1 <= notice_days <= 60:
        raise DomainError(
            "resolution.bad_notice", _("Give between 1 and 60 days of public notice.")
        )
    if deadline < timezone.localdate():
        raise DomainError("resolution.bad_deadline", _("The deadline must not be in the past."))
    with transaction.atomic():
        locked = Motion.objects.select_for_update().get(pk=motion.pk)
        if locked.state != _V.CLOSED or not (locked.result or {}).get("passed"):
            raise Conflict("resolution.not_passed", _("Only a passed motion becomes a resolution."))
        if Resolution.objects.filter(motion=locked).exists():
            raise Conflict("resolution.exists", _("This motion already has its resolution."))
        resolution = Resolution.objects.create(
            motion=locked,
            council=council,
            text=text,
            owner=owner,
            deadline=deadline,
            notice_days=notice_days,
            created_by=actor,
        )
        audit.record(
            actor,
            "council.resolution_adopted",
            resolution,
            after=audit.snapshot_of({"owner": owner, "deadline": deadline}),
            community=council.community,
        )
        if locked.item is not None:
            topic = Topic.objects.select_for_update().get(pk=locked.item.topic_id)
            if TOPIC_FLOW.can_move(topic, _T.DECIDED):
                TOPIC_FLOW.apply(topic, _T.DECIDED, actor, action="council.topic_decided")
    return resolution


def publish_resolution(
    actor: User, resolution: Resolution, now: datetime.datetime | None = None
) -> Resolution:
    _need(
        actor,
        "council.run_council",
        resolution.council,
        _("Only the chair or secretary can do this."),
    )
    now = now or timezone.now()
    published = transition(
        RESOLUTION_FLOW,
        resolution,
        _R.NOTICE,
        actor,
        action="council.resolution_published",
        published_at=now,
        notice_ends_at=now + datetime.timedelta(days=resolution.notice_days),
    )
    tell(
        residents(resolution.council),
        "council.resolution_notice",
        gettext_lazy("Public notice of a council resolution until %(until)s"),
        url=resolution_url(published),
        obj=published,
        until=timezone.localtime(published.notice_ends_at).strftime("%Y-%m-%d"),
    )
    return published


def object_to(
    actor: User, resolution: Resolution, reason: str, now: datetime.datetime | None = None
) -> Objection:
    if not actor.has_perm("council.object", resolution.council):
        raise NotAllowed("objection.not_resident", _("Only residents of the compound can object."))
    reason = _text(reason, "objection.no_reason", _("Say why you object."), 2000)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if locked.state != _R.NOTICE or (locked.notice_ends_at and locked.notice_ends_at <= now):
            raise Conflict("objection.closed", _("The notice period of this resolution is over."))
        try:
            with transaction.atomic():
                objection = Objection.objects.create(resolution=locked, author=actor, reason=reason)
        except IntegrityError as exc:
            raise Conflict(
                "objection.already", _("You have already objected to this resolution.")
            ) from exc
    tell(
        _runners(resolution.council),
        "council.objection",
        gettext_lazy("An objection to a resolution awaits the chair's answer."),
        url=resolution_url(resolution),
        obj=resolution,
    )
    return objection


def answer_objection(actor: User, objection: Objection, answer: str, *, upheld: bool) -> Objection:
    resolution = objection.resolution
    if not actor.has_perm("council.answer_objection", resolution.council):
        raise NotAllowed("objection.not_chair", _("Only the chair answers objections."))
    answer = _text(answer, "objection.no_answer", _("Write the answer."), 2000)
    with transaction.atomic():
        locked_resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.answered_at is not None:
            raise Conflict("objection.answered", _("This objection has been answered."))
        locked.answer = answer
        locked.upheld = upheld
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "upheld", "answered_by", "answered_at"])
        audit.record(
            actor,
            "council.objection_answered",
            locked_resolution,
            after={"upheld": upheld},
            note=answer,
            community=resolution.council.community,
        )
        if upheld and RESOLUTION_FLOW.can_move(locked_resolution, _R.SUSPENDED):
            RESOLUTION_FLOW.apply(
                locked_resolution, _R.SUSPENDED, actor, action="council.resolution_suspended"
            )
    tell(
        [locked.author],
        "council.objection_answered",
        gettext_lazy("The chair answered your objection."),
        answer,
        url=resolution_url(resolution),
        obj=resolution,
    )
    return locked


def mark_done(actor: User, resolution: Resolution) -> Resolution:
    _need(
        actor,
        "council.run_council",
        resolution.council,
        _("Only the chair or secretary can do this."),
    )
    return transition(
        RESOLUTION_FLOW,
        resolution,
        _R.DONE,
        actor,
        action="council.resolution_done",
        done_at=timezone.now(),
    )


def _to_follow_up(actor: User, resolution: Resolution) -> Resolution:
    """The resolution, locked, for staff to follow up (a need, a whistle) once published."""
    _need(
        actor,
        "council.manage_council",
        resolution.council,
        _("Only the community's staff can do this."),
    )
    locked = Resolution.objects.select_for_update().get(pk=resolution.pk)
    if locked.state not in {_R.EFFECTIVE, _R.NOTICE}:
        raise Conflict("resolution.not_published", _("Publish the resolution first."))
    return locked


def spawn_need(actor: User, resolution: Resolution) -> Any:
    """Follow a resolution up on the needs list (channel "council resolution"), linked back."""
    from wulian.lists.services.needs import NeedInput, raise_need

    with transaction.atomic():
        locked = _to_follow_up(actor, resolution)
        if locked.need_id is not None:
            raise Conflict("resolution.has_need", _("This resolution already has its need."))
        need = raise_need(
            actor,
            locked.council.community,
            NeedInput(
                title=locked.text[:100],
                description=_("From the council resolution of %(meeting)s; owner: %(owner)s")
                % {"meeting": locked.motion.meeting.title, "owner": locked.owner},
                compound=locked.council.compound,
                deadline=locked.deadline,
                channel="council",
            ),
            external_id=f"council-resolution-{locked.pk}",
        )
        locked.need = need
        locked.save(update_fields=["need"])
        audit.record(
            actor,
            "council.resolution_linked",
            locked,
            after={"need": need.pk},
            community=locked.council.community,
        )
    return need


def whistle_units(resolution: Resolution) -> Any:
    """The units a resolution's whistle may call: those the community's whistles call."""
    from wulian.whistle.services import callable_units

    return callable_units(resolution.council.community)


def spawn_whistle(actor: User, resolution: Resolution, units: Iterable[Any]) -> Any:
    """Follow a resolution up with a whistle to units, linked back."""
    from wulian.whistle.services import WhistleInput, blow_whistle

    with transaction.atomic():
        locked = _to_follow_up(actor, resolution)
        if locked.whistle_id is not None:
            raise Conflict("resolution.has_whistle", _("This resolution already has its whistle."))
        whistle = blow_whistle(
            actor,
            locked.council.community,
            WhistleInput(
                type="joint",
                title=locked.text[:120],
                units=list(units),
                text=_("Council resolution; owner: %(owner)s") % {"owner": locked.owner},
                compound=locked.council.compound,
                need=locked.need,
            ),
        )
        locked.whistle = whistle
        locked.save(update_fields=["whistle"])
        audit.record(
            actor,
            "council.resolution_linked",
            locked,
            after={"whistle": whistle.pk},
            community=locked.council.community,
        )
    return whistle


# ------------------------------------------------------------------ minutes


def sign_minutes(
    actor: User, meeting: Meeting, *, role: str, typed_name: str, drawn_png: bytes
) -> MinutesSignature:
    """The secretary and the chair sign the minutes: full name typed, signature drawn."""
    from wulian.lists.services.agreements import _check_drawn_signature

    if role not in MinutesSignature.Role.values or role not in current_roles(
        actor, meeting.council
    ):
        raise NotAllowed(
            "minutes.not_signer", _("Only the secretary and the chair sign the minutes.")
        )
    if "".join(typed_name.split()) != "".join(actor.real_name.split()):
        raise DomainError(
            "signature.name_mismatch",
            _("Type your full name exactly as registered: %(name)s.") % {"name": actor.real_name},
        )
    _check_drawn_signature(drawn_png)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.state != _M.CLOSED:
            raise Conflict("minutes.not_held", _("Sign the minutes after the meeting is closed."))
        if MinutesSignature.objects.filter(meeting=locked, role=role).exists():
            raise Conflict("minutes.signed", _("The minutes are already signed for this role."))
        signature = MinutesSignature(
            meeting=locked, role=role, signer=actor, typed_name=actor.real_name
        )
        signature.image.save(f"minutes-{locked.pk}-{role}.png", ContentFile(drawn_png), save=False)
        signature.save()
        audit.record(
            actor,
            "council.minutes_signed",
            locked,
            after={"role": role},
            community=locked.council.community,
        )
    return signature


# ------------------------------------------------------------------ the sweep


def _take_effect(resolution: Resolution, now: datetime.datetime) -> None:
    RESOLUTION_FLOW.apply(
        resolution, _R.EFFECTIVE, None, action="council.resolution_effective", effective_at=now
    )


def _remind(resolution: Resolution, now: datetime.datetime) -> None:
    tell(
        _runners(resolution.council) or _staff_of(resolution.council.community),
        "council.resolution_overdue",
        gettext_lazy("A council resolution is past its deadline (owner: %(owner)s)."),
        url=resolution_url(resolution),
        obj=resolution,
        owner=resolution.owner,
    )


def _escalate(resolution: Resolution, now: datetime.datetime) -> None:
    community = resolution.council.community
    tell(
        _staff_of(community),
        "council.resolution_escalated",
        gettext_lazy("A council resolution is well past its deadline (owner: %(owner)s)."),
        url=resolution_url(resolution),
        obj=resolution,
        urgent=True,
        owner=resolution.owner,
    )


def _notice_over(resolution: Resolution, now: datetime.datetime) -> bool:
    return (
        resolution.state == _R.NOTICE
        and resolution.notice_ends_at is not None
        and resolution.notice_ends_at <= now
        and not resolution.objections.filter(Q(answered_at__isnull=True) | Q(upheld=True)).exists()
    )


def _overdue(resolution: Resolution, now: datetime.datetime) -> bool:
    return resolution.state == _R.EFFECTIVE and resolution.deadline < timezone.localdate(now)


RESOLUTION_STEPS: list[Step[Resolution]] = [
    Step("effective", "effective_at", _notice_over, _take_effect),
    Step("reminded", "reminded_at", _overdue, _remind),
    Step(
        "escalated",
        "escalated_at",
        lambda r, now: (
            _overdue(r, now) and r.reminded_at is not None and now - r.reminded_at >= ESCALATE_AFTER
        ),
        _escalate,
    ),
]


def _locked_resolution(pk: int) -> Resolution | None:
    return (
        Resolution.objects.select_for_update()
        .filter(pk=pk, state__in=[_R.NOTICE, _R.EFFECTIVE])
        .select_related("council__community")
        .first()
    )


def sweep_resolutions(now: datetime.datetime | None = None) -> dict[str, int]:
    """Notice periods that ended take effect; overdue resolutions are reminded, then escalated."""
    now = now or timezone.now()
    ids = (
        Resolution.objects.filter(state__in=[_R.NOTICE, _R.EFFECTIVE])
        .exclude(escalated_at__isnull=False)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return deadlines.sweep(_locked_resolution, list(ids), RESOLUTION_STEPS, now)
