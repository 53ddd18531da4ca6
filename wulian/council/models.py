"""The red deliberation council (红色议事厅): councils, households, topics, meetings, votes,
resolutions.

A `Council` belongs to a compound (or, without one, to the whole community). Its people are
`CouncilMember`s with a role and a term. `Household`s (户) are the flats of the compound with
their floor area and representative (户代表). Residents raise `Topic`s, which others second
(附议); a `Meeting` has an agenda of topics, check-ins at the door (one per person, idempotent
by a nonce) and proxies (委托); each agenda topic has `Motion`s, voted by show of hands (a
`HandsTally` entered by the secretary and confirmed by a second person) or by online ballot
(`VoteMark` says who has voted, `Ballot` holds the choice, without the voter when secret). A
passed motion becomes a `Resolution` with an owner, a deadline and a public notice period.
"""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wulian.core.models import StoredFile
from wulian.core.text import mask_name
from wulian.places.models import InCommunity

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Council(models.Model):
    community = models.ForeignKey(
        "places.Region",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="councils",
        limit_choices_to={"level": "community"},
    )
    compound = models.ForeignKey(
        "places.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="councils",
    )
    name = models.CharField(_("name"), max_length=100)
    second_threshold = models.PositiveSmallIntegerField(
        _("seconds to reach the agenda"),
        default=5,
        help_text=_("Residents who must second a topic (or any one representative)."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    if TYPE_CHECKING:
        members: RelatedManager[CouncilMember]
        topics: RelatedManager[Topic]
        meetings: RelatedManager[Meeting]

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["community", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound"],
                condition=Q(compound__isnull=False),
                name="council_once_per_compound",
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=Q(compound__isnull=True),
                name="council_once_per_community",
            ),
            models.CheckConstraint(
                condition=Q(second_threshold__gte=1), name="council_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CouncilMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        ADVISER = "adviser", _("Adviser")
        REPRESENTATIVE = "representative", _("Neighbour representative")
        SECRETARY = "secretary", _("Secretary")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="council_roles",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    represents = models.CharField(
        _("buildings or households represented"), max_length=200, blank=True
    )
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"), null=True, blank=True)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["council", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user", "role", "starts_on"], name="council_member_once"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="council_member_term_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def is_current(self, on: object = None) -> bool:
        day = on or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)  # type: ignore[operator]


class Household(models.Model):
    """A flat (户): its address in the compound, floor area, people and representative."""

    compound = models.ForeignKey(
        "places.Compound",
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="council_households",
    )
    building = models.CharField(_("building"), max_length=20)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=2)
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("household representative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    if TYPE_CHECKING:
        members: RelatedManager[HouseholdMember]

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["compound", "building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "building", "unit", "room"], name="household_unique_address"
            ),
            models.CheckConstraint(condition=Q(floor_area__gt=0), name="household_area_positive"),
        ]

    def __str__(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.building}栋{unit}{self.room}室"


class HouseholdMember(models.Model):
    """A person of a household; `confirmed` once staff accept a resident's request to join."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_memberships"
    )
    confirmed = models.BooleanField(_("confirmed"), default=False)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(fields=["user"], name="household_member_one_household"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.household}"


class Topic(models.Model):
    class State(models.TextChoices):
        RAISED = "raised", pgettext_lazy("topic state", "Raised")
        SECONDED = "seconded", pgettext_lazy("topic state", "Seconded")
        AGENDA = "agenda", pgettext_lazy("topic state", "On the agenda")
        DECIDED = "decided", pgettext_lazy("topic state", "Decided")
        DISMISSED = "dismissed", pgettext_lazy("topic state", "Dismissed")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("what"))
    why = models.TextField(_("why"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RAISED, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    dismissed_reason = models.TextField(_("reason for dismissing"), blank=True)
    need = models.ForeignKey(
        "lists.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    whistle = models.ForeignKey(
        "whistle.Whistle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    if TYPE_CHECKING:
        seconds: RelatedManager[Second]
        comments: RelatedManager[Comment]
        photos: RelatedManager[TopicPhoto]

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def community(self) -> object:
        return self.council.community


class TopicPhoto(StoredFile):
    """A checked, cleaned photo of a topic (the stairwell's walls, the broken road)."""

    view_perm = "council.view_photo"

    file = models.FileField(upload_to="council/topics/%Y/%m/")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="photos")

    class Meta(StoredFile.Meta):
        verbose_name = _("photo of a topic")
        verbose_name_plural = _("photos of topics")


class Second(models.Model):
    """A resident's 附议 of a topic: once per person."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="seconds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("second")
        verbose_name_plural = _("seconds")
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="second_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.topic}"


class Comment(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def author_label(self) -> str:
        return mask_name(self.author.real_name)


class Meeting(InCommunity):
    community_parent = "council"

    class State(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("meeting state", "Planned")
        NOTICED = "noticed", pgettext_lazy("meeting state", "Notice published")
        OPEN = "open", pgettext_lazy("meeting state", "In session")
        CLOSED = "closed", pgettext_lazy("meeting state", "Held")

    class Called(models.TextChoices):
        ADULTS = "adults", _("All residents aged 18 and over")
        HOUSEHOLDS = "households", _("Household representatives")
        REPRESENTATIVES = "representatives", _("Neighbour representatives only")

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    called = models.CharField(
        _("who is called"), max_length=20, choices=Called.choices, default=Called.HOUSEHOLDS
    )
    rule = models.CharField(_("quorum rule"), max_length=30)
    notice_days = models.PositiveSmallIntegerField(_("days of notice"), default=3)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED, db_index=True
    )
    checkin_token = models.CharField(max_length=40, default=new_token, unique=True)
    noticed_at = models.DateTimeField(_("notice published at"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    if TYPE_CHECKING:
        agenda: RelatedManager[AgendaItem]
        checkins: RelatedManager[CheckIn]
        proxies: RelatedManager[Proxy]
        motions: RelatedManager[Motion]
        signatures: RelatedManager[MinutesSignature]

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("order"))
    minutes = models.PositiveSmallIntegerField(_("minutes allowed"), default=15)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_topic_once"),
            models.CheckConstraint(condition=Q(minutes__gte=1), name="agenda_time_box_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.topic}"


class CheckIn(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="checkins")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nonce = models.CharField(max_length=64)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The secretary, when someone is checked in without a phone."),
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="checkin_once_per_person"),
            models.UniqueConstraint(fields=["meeting", "nonce"], name="checkin_once_per_scan"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting}"


class Proxy(models.Model):
    """委托: a household's vote given to the representative of another household."""

    class Proof(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed by the giver")
        PAPER = "paper", _("Signed paper noted by the secretary")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proxies")
    giver = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proof = models.CharField(_("proof"), max_length=10, choices=Proof.choices)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "giver"], name="proxy_once_per_giver"),
            models.UniqueConstraint(fields=["meeting", "holder"], name="proxy_at_most_one_held"),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"


class Motion(models.Model):
    class Method(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no / abstain")
        ONE_OF = "one_of", _("Choose one of several")
        UP_TO = "up_to", _("Choose up to K of several")

    class Voting(models.TextChoices):
        HANDS = "hands", _("Show of hands")
        ONLINE = "online", _("Online ballot")

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("motion state", "Not yet voted")
        OPEN = "open", pgettext_lazy("motion state", "Voting open")
        CLOSED = "closed", pgettext_lazy("motion state", "Voting closed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="motions")
    item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="motions"
    )
    text = models.CharField(_("motion"), max_length=300)
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, default=Method.YES_NO
    )
    options = models.JSONField(_("choices"), default=list, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("at most"), default=1)
    voting = models.CharField(
        _("voting"), max_length=10, choices=Voting.choices, default=Voting.ONLINE
    )
    secret = models.BooleanField(_("secret ballot"), default=True)
    special = models.BooleanField(
        _("special matter"),
        default=False,
        help_text=_("Maintenance fund, rebuilding, change of use of common parts: 3/4 needed."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(_("voting closes at"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The result, frozen when voting closes (or the tally is confirmed).
    result = models.JSONField(null=True, blank=True)

    if TYPE_CHECKING:
        marks: RelatedManager[VoteMark]
        ballots: RelatedManager[Ballot]
        tally: HandsTally

    class Meta:
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_choices__gte=1), name="motion_max_positive"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def community(self) -> object:
        return self.meeting.council.community

    @property
    def choices_list(self) -> list[str]:
        if self.method == self.Method.YES_NO:
            return ["yes", "no", "abstain"]
        return [str(option) for option in self.options]


class VoteMark(models.Model):
    """Who has voted on a motion (and for which household): the one-vote constraints live here,
    one per person where people vote, one per household where households do (a proxy holder
    votes for their own household and for the one whose proxy they hold)."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="marks")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote cast")
        verbose_name_plural = _("votes cast")
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "voter"],
                condition=Q(household__isnull=True),
                name="vote_once_per_voter",
            ),
            models.UniqueConstraint(
                fields=["motion", "household"],
                condition=Q(household__isnull=False),
                name="vote_once_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter} voted on {self.motion}"


class Ballot(models.Model):
    """What was chosen. A secret ballot keeps no voter; a named one names them."""

    # A random key, so the order of ballots says nothing about the order of the voters.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="ballots")
    choices = models.JSONField()
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The floor area behind the ballot, for 双过半 (owners' matters); 0 otherwise.
    area = models.DecimalField(max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return f"ballot on {self.motion}"


class HandsTally(models.Model):
    """A show of hands counted by the secretary, counting only once a second person confirms."""

    motion = models.OneToOneField(Motion, on_delete=models.CASCADE, related_name="tally")
    counts = models.JSONField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("show of hands")
        verbose_name_plural = _("shows of hands")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("entered_by")),
                name="tally_confirmed_by_another",
            ),
        ]

    def __str__(self) -> str:
        return f"tally of {self.motion}"


class Resolution(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("resolution state", "Drafted")
        NOTICE = "notice", pgettext_lazy("resolution state", "In public notice")
        EFFECTIVE = "effective", pgettext_lazy("resolution state", "In effect")
        SUSPENDED = "suspended", pgettext_lazy("resolution state", "Suspended by an objection")
        DONE = "done", pgettext_lazy("resolution state", "Carried out")

    motion = models.OneToOneField(Motion, on_delete=models.PROTECT, related_name="resolution")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="resolutions")
    text = models.TextField(_("resolution"))
    owner = models.CharField(_("owner (person or organisation)"), max_length=100)
    deadline = models.DateField(_("deadline"))
    notice_days = models.PositiveSmallIntegerField(_("days of public notice"), default=7)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    notice_ends_at = models.DateTimeField(_("notice ends at"), null=True, blank=True)
    effective_at = models.DateTimeField(_("in effect from"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    need = models.ForeignKey(
        "lists.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    whistle = models.ForeignKey(
        "whistle.Whistle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    if TYPE_CHECKING:
        objections: RelatedManager[Objection]

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def community(self) -> object:
        return self.council.community


class Objection(models.Model):
    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="objections")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("the chair's answer"), blank=True)
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "author"], name="objection_once"),
        ]

    def __str__(self) -> str:
        return self.reason[:50]


class MinutesSignature(models.Model):
    class Role(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        CHAIR = "chair", _("Chair")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("signs as"), max_length=10, choices=Role.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(_("full name"), max_length=50)
    image = models.FileField(_("drawn signature"), upload_to="council/signatures/%Y/%m/")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signature of the minutes")
        verbose_name_plural = _("signatures of the minutes")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "role"], name="minutes_signed_once_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.typed_name} ({self.role})"
