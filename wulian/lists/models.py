"""The three lists (民呼我应三张清单): needs, resources, and the projects built from claims."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wulian.core.models import StoredFile
from wulian.places.models import InCommunity

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class PartyKind(models.TextChoices):
    """Who raises a need or offers a resource or claims: the article's kinds of party."""

    COMMUNITY = "community", _("Community")
    ENTERPRISE = "enterprise", _("Enterprise")
    SCHOOL = "school", _("School")
    AGENCY = "agency", _("Government agency")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organisation")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    RESIDENT = "resident", _("Resident")


class Category(models.Model):
    """The editable taxonomy of needs and resources: top-level categories and sub-categories."""

    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # None: the shared taxonomy, which district staff manage; a community: that community's own
    # sub-category, which its staff manage.
    community = models.ForeignKey(
        "places.Region",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="own_categories",
    )

    if TYPE_CHECKING:
        children: RelatedManager[Category]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["parent_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(community__isnull=True),
                name="category_unique_name",
            ),
            models.UniqueConstraint(
                fields=["parent", "name", "community"],
                condition=Q(community__isnull=False),
                name="category_unique_own_name",
            ),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="category_unique_top"
            ),
            models.CheckConstraint(
                condition=Q(community__isnull=True) | Q(parent__isnull=False),
                name="category_own_is_a_sub_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name}·{self.name}" if self.parent_id and self.parent else self.name

    @property
    def path(self) -> tuple[str, ...]:
        return (self.parent.name, self.name) if self.parent else (self.name,)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Need(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        PUBLISHED = "published", _("Open to claim")
        CLAIMED = "claimed", _("Claimed")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged")
        EXPIRED = "expired", _("Expired")

    class Urgency(models.IntegerChoices):
        NORMAL = 0, _("Normal")
        PRESSING = 1, _("Pressing")
        URGENT = 2, _("Urgent")

    class Channel(models.TextChoices):
        WEB = "web", _("Online")
        PHONE = "phone", _("Phone call")
        VISIT = "visit", _("Visit")
        IMPORT = "import", _("Spreadsheet import")
        COUNCIL = "council", _("Council resolution")
        WHISTLE = "whistle", _("Whistle")

    community = models.ForeignKey(
        "places.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="needs"
    )
    external_id = models.CharField(_("external id"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="needs")
    compound = models.ForeignKey(
        "places.Compound",
        verbose_name=_("compound"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default="web")
    slots = models.PositiveSmallIntegerField(_("claim slots"), default=1)
    claimed_slots = models.PositiveSmallIntegerField(_("claimed slots"), default=0, editable=False)

    raiser_kind = models.CharField(_("raised by"), max_length=30, choices=PartyKind.choices)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raiser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_needs",
    )
    raised_for = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("raised for organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_needs",
    )
    raiser_name = models.CharField(_("raiser's name"), max_length=150, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_needs",
    )
    # A need raised from a resource's page asks that resource's provider, who is told at once
    # and invited to claim it when the need is published.
    asked_resource = models.ForeignKey(
        "Resource",
        verbose_name=_("asked of the resource"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="asks",
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    if TYPE_CHECKING:
        claims: RelatedManager[Claim]
        photos: RelatedManager[Attachment]

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "external_id"],
                condition=~Q(external_id=""),
                name="need_unique_external_id",
            ),
            models.CheckConstraint(condition=Q(slots__gte=1), name="need_at_least_one_slot"),
            models.CheckConstraint(
                condition=Q(claimed_slots__lte=models.F("slots")), name="need_claims_within_slots"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def slots_left(self) -> int:
        return max(0, self.slots - self.claimed_slots)

    @property
    def raiser_display(self) -> str:
        if self.raised_for_id and self.raised_for:
            return self.raised_for.name
        return self.raiser_name or (str(self.raised_by) if self.raised_by else "")


class Resource(models.Model):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Service")
        SKILL = "skill", _("Skill")
        VENUE = "venue", _("Venue")
        VOLUNTEERS = "volunteers", _("Volunteers")
        FUNDS = "funds", _("Funds")
        GOODS = "goods", _("Goods")
        EQUIPMENT = "equipment", _("Equipment")

    class Period(models.TextChoices):
        ONCE = "once", _("in all")
        DAY = "day", _("per day")
        WEEK = "week", _("per week")
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        RETIRED = "retired", _("Retired")

    community = models.ForeignKey(
        "places.Region",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    external_id = models.CharField(_("external id"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SERVICE)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resources",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="resources")
    provider_kind = models.CharField(_("provider kind"), max_length=30, choices=PartyKind.choices)
    provider_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resources",
    )
    provider_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("provider (person)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resources",
    )
    provider_name = models.CharField(_("provider's name"), max_length=150, blank=True)
    capacity_text = models.CharField(_("capacity"), max_length=100, blank=True)
    capacity_number = models.PositiveIntegerField(_("capacity number"), null=True, blank=True)
    capacity_unit = models.CharField(_("capacity unit"), max_length=20, blank=True)
    capacity_period = models.CharField(
        _("capacity period"), max_length=10, choices=Period.choices, blank=True
    )
    service_area = models.ForeignKey(
        "places.Region",
        verbose_name=_("service area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    weekdays = models.CharField(
        _("weekdays"), max_length=7, blank=True, help_text=_("Digits 1–7 for Monday to Sunday.")
    )
    hours_from = models.TimeField(_("from"), null=True, blank=True)
    hours_to = models.TimeField(_("to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "external_id"],
                condition=~Q(external_id=""),
                name="resource_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def provider_display(self) -> str:
        if self.provider_org_id and self.provider_org:
            return self.provider_org.name
        return self.provider_name or (str(self.provider_user) if self.provider_user else "")

    @property
    def capacity_display(self) -> str:
        if self.capacity_number is None:
            return self.capacity_text
        period = self.get_capacity_period_display() if self.capacity_period else ""
        return f"{self.capacity_number} {self.capacity_unit}{' / ' + period if period else ''}"


class Claim(InCommunity):
    """揭榜: a person claims a published need, for themselves or for an organisation."""

    community_parent = "need"

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        WEB = "web", _("Online")
        PAPER = "paper", _("On paper, entered by staff")
        API = "api", _("API")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="claims")
    slot = models.PositiveSmallIntegerField(_("slot"))
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.PROTECT,
        related_name="claims",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("for organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    claimant_kind = models.CharField(_("claimant kind"), max_length=30, choices=PartyKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default="web")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["created_at", "id"]
        constraints = [
            # One active claim per slot: the database refuses a second claim on a taken slot.
            models.UniqueConstraint(
                fields=["need", "slot"], condition=Q(state="active"), name="claim_one_per_slot"
            ),
            # The same organisation (or the same person for themselves) claims a need once.
            models.UniqueConstraint(
                fields=["need", "organization"],
                condition=Q(state="active", organization__isnull=False),
                name="claim_once_per_organization",
            ),
            models.UniqueConstraint(
                fields=["need", "claimant"],
                condition=Q(state="active", organization__isnull=True),
                name="claim_once_per_person",
            ),
            models.CheckConstraint(condition=Q(slot__gte=1), name="claim_slot_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.party_display} → {self.need}"

    @property
    def party_display(self) -> str:
        if self.organization_id and self.organization:
            return self.organization.name
        return str(self.claimant)


class Project(models.Model):
    """共建项目: what a claim becomes, from the signed agreement to a rated result."""

    class State(models.TextChoices):
        SIGNING = "signing", _("Awaiting signatures")
        ACTIVE = "active", _("Under way")
        STALLED = "stalled", _("Stalled")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="project")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="projects")
    community = models.ForeignKey(
        "places.Region", on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("title"), max_length=120)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SIGNING, db_index=True
    )
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_reason = models.TextField(_("reason for cancelling"), blank=True)
    summary = models.TextField(_("summary of results"), blank=True)
    people_served = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    volunteer_hours = models.DecimalField(
        _("volunteer hours"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    money = models.DecimalField(
        _("money (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    materials = models.CharField(_("materials"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    if TYPE_CHECKING:
        agreement: Agreement
        milestones: RelatedManager[Milestone]
        updates: RelatedManager[ProgressUpdate]
        ratings: RelatedManager[Rating]

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Agreement(InCommunity):
    """项目认领书: scope, each side's duties and dates; frozen once both sides have signed."""

    community_parent = "project"

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="agreement")
    scope = models.TextField(_("scope"))
    need_side_duties = models.TextField(_("duties of the side that raised the need"))
    claimant_side_duties = models.TextField(_("duties of the claiming side"))
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    need_side_name = models.CharField(_("party A"), max_length=150)
    claimant_side_name = models.CharField(_("party B"), max_length=150)
    frozen_at = models.DateTimeField(_("signed by both at"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to="agreements/%Y/%m/", blank=True)

    if TYPE_CHECKING:
        signatures: RelatedManager[Signature]

    class Meta:
        verbose_name = _("claim agreement")
        verbose_name_plural = _("claim agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return str(self.project)


class Signature(models.Model):
    class Side(models.TextChoices):
        NEED = "need", _("Party A (raised the need)")
        CLAIMANT = "claimant", _("Party B (claimed it)")

    class Method(models.TextChoices):
        DRAWN = "drawn", _("typed name and drawn signature")
        SMS = "sms", _("typed name and a code texted to the signer's mobile")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures"
    )
    typed_name = models.CharField(_("full name"), max_length=50)
    method = models.CharField(
        _("how it was signed"), max_length=10, choices=Method.choices, default=Method.DRAWN
    )
    # Drawn signatures only; a signature confirmed by a texted code has no image.
    image = models.FileField(_("drawn signature"), upload_to="signatures/%Y/%m/", blank=True)
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "side"], name="signature_once_per_side"),
        ]

    def __str__(self) -> str:
        return f"{self.typed_name} ({self.get_side_display()})"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=120)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["position", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_updates"
    )
    text = models.TextField(_("progress"))
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone reached"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    if TYPE_CHECKING:
        photos: RelatedManager[Attachment]

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:50]


class Attachment(StoredFile):
    """A checked, cleaned photo or PDF attached to a need or a progress update."""

    view_perm = "lists.view_attachment"

    file = models.FileField(upload_to="attachments/%Y/%m/")
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    update = models.ForeignKey(
        ProgressUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=Q(need__isnull=False, update__isnull=True)
                | Q(need__isnull=True, update__isnull=False),
                name="attachment_has_one_owner",
            ),
        ]


class Rating(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ratings"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "rater"], name="rating_once_per_person"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}★ {self.project}"


class Invitation(models.Model):
    """The community invites a unit to claim a need (from a recommendation or an assignment):
    the unit is told, and sees the need first among its opportunities."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="invitations")
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("proposed resource"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation to claim")
        verbose_name_plural = _("invitations to claim")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "organization"], name="invitation_once_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ← {self.need}"


class ImportMapping(models.Model):
    """What a value written in a community's spreadsheets means, as staff answered it once in
    an import's mapping step: map it to an existing compound, category, region or organisation,
    leave the field empty, or keep the provider's name as written. Later imports of the
    community apply it without asking again; staff see the answers and can forget them."""

    class Field(models.TextChoices):
        COMPOUND = "compound", _("Compound")
        CATEGORY = "category", _("Category")
        AREA = "area", _("Service area")
        ORGANIZATION = "organization", _("Organisation")

    class Choice(models.TextChoices):
        MAP = "map", _("Means")
        EMPTY = "empty", _("Leave the field empty")
        KEEP = "keep", _("Keep the name as written")

    community = models.ForeignKey(
        "places.Region",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="import_mappings",
    )
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)
    value = models.CharField(_("value as written"), max_length=150)
    key = models.CharField(max_length=150, editable=False)  # the value folded, for lookups
    choice = models.CharField(_("answer"), max_length=10, choices=Choice.choices)
    compound = models.ForeignKey(
        "places.Compound", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(
        "places.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("remembered import answer")
        verbose_name_plural = _("remembered import answers")
        ordering = ["field", "value", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "field", "key"], name="import_mapping_once_per_value"
            ),
            models.CheckConstraint(
                condition=~Q(choice="map")
                | Q(compound__isnull=False)
                | Q(category__isnull=False)
                | Q(region__isnull=False)
                | Q(organization__isnull=False),
                name="import_mapping_map_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_field_display()}: {self.value}"

    @property
    def target(self) -> models.Model | None:
        return self.compound or self.category or self.region or self.organization
