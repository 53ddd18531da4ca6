from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import replace
from typing import Any

from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wulian.core import bounds
from wulian.core.idempotency import OnceFormMixin
from wulian.core.uploads import MultipleCleanFileField
from wulian.core.widgets import DateInput, TimeInput
from wulian.lists import services
from wulian.lists.models import Category, Need, PartyKind, Project, Resource, Signature
from wulian.orgs.models import Organization
from wulian.places.models import Compound, Region


def category_choices(community: Region | None = None) -> QuerySet[Category]:
    """The shared categories and, for a community, its own sub-categories (all when unknown)."""
    own = Q(community=None) | Q(community=community) if community is not None else Q()
    return (
        Category.objects.filter(own, is_active=True)
        .select_related("parent")
        .order_by("parent__position", "parent_id", "position")
    )


class CategoryField(bounds.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class NeedForm(OnceFormMixin):
    title = forms.CharField(
        label=_("What do you need?"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Haircuts for the elderly")}),
    )
    description = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
    photos = MultipleCleanFileField(label=_("Photos (optional)"), required=False, max_files=6)
    compound = bounds.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none(), required=False
    )
    category = CategoryField(label=_("Category"), queryset=Category.objects.none(), required=False)
    urgency = forms.TypedChoiceField(
        label=_("Urgency"), choices=Need.Urgency.choices, coerce=int, initial=0
    )
    deadline = forms.DateField(label=_("Needed by"), required=False, widget=DateInput())
    beneficiaries = forms.IntegerField(
        label=_("People who benefit"), max_value=bounds.MAX_INT, required=False, min_value=0
    )
    slots = forms.IntegerField(
        label=_("How many units may claim it"),
        min_value=1,
        max_value=50,
        initial=1,
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=200, help_text=_("Separate with 、 or commas.")
    )

    STAFF_FIELDS = ("category", "beneficiaries", "slots", "tags")

    def __init__(
        self,
        *args: Any,
        community: Region,
        orgs: QuerySet[Organization] | None = None,
        staff: bool = False,
        detailed: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """A resident is asked only what a resident knows (what, details, photos, the compound,
        how urgent, by when); the category, tags, beneficiaries and claim slots are for staff
        and units to set (`detailed`: by default, for staff and for members of a unit)."""
        super().__init__(*args, **kwargs)
        has_orgs = orgs is not None and orgs.exists()
        if detailed is None:
            detailed = staff or has_orgs
        if not detailed:
            for name in self.STAFF_FIELDS:
                del self.fields[name]
        self.fields["compound"].queryset = community.compounds.all()  # type: ignore[attr-defined]
        if "category" in self.fields:
            self.fields["category"].queryset = category_choices(community)  # type: ignore[attr-defined]
        if orgs is not None and has_orgs:
            self.fields["for_org"] = bounds.ModelChoiceField(
                label=_("Raised by"),
                queryset=orgs,
                required=False,
                empty_label=str(_("Myself")),
            )
        if staff:
            self.fields["channel"] = forms.ChoiceField(
                label=_("How the need came in"),
                choices=[
                    (c, label)
                    for c, label in Need.Channel.choices
                    if c in {"web", "phone", "visit"}
                ],
                initial="web",
            )
            self.fields["raiser_name"] = forms.CharField(
                label=_("On behalf of (name)"),
                required=False,
                max_length=100,
                help_text=_("For a resident who called or visited; leave empty for yourself."),
            )

    def clean_deadline(self) -> datetime.date | None:
        value: datetime.date | None = self.cleaned_data.get("deadline")
        # An untouched deadline is kept even when it has passed; only a new one must be ahead.
        changed = "deadline" in self.changed_data
        if changed and value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("The deadline has already passed."))
        return value

    @staticmethod
    def initial_for(data: services.NeedInput) -> dict[str, Any]:
        """The form's initial values for a need as it stands (`NeedInput.from_need`)."""
        return {
            "title": data.title,
            "description": data.description,
            "compound": data.compound,
            "category": data.category,
            "urgency": data.urgency,
            "deadline": data.deadline,
            "beneficiaries": data.beneficiaries,
            "slots": data.slots,
            "tags": "、".join(data.tags),
            "channel": data.channel,
        }

    def need_input(self, base: services.NeedInput | None = None) -> services.NeedInput:
        """What the form says; on an edit, `base` is the need as it stands, and what the form
        does not show stays as it is."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "title": data["title"],
            "description": data.get("description", ""),
            "category": data.get("category"),
            "tags": tuple(services.split_tags(data.get("tags", ""))),
            "compound": data.get("compound"),
            "beneficiaries": data.get("beneficiaries"),
            "deadline": data.get("deadline"),
            "urgency": data.get("urgency", 0),
            "slots": data.get("slots") or 1,
        }
        values = {name: value for name, value in values.items() if name in self.fields}
        if "channel" in self.fields:
            values["channel"] = data.get("channel") or Need.Channel.WEB
        if base is not None:
            return replace(base, **values)
        return services.NeedInput(**values)


class NeedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False)
    category = CategoryField(label=_("Category"), queryset=Category.objects.none(), required=False)
    compound = bounds.ModelChoiceField(
        label=_("Compound"), queryset=Compound.objects.none(), required=False
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency"),
        choices=[("", _("Any urgency")), *Need.Urgency.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    raiser_kind = forms.ChoiceField(
        label=_("Raised by"), choices=[("", _("Anyone")), *PartyKind.choices], required=False
    )
    since = forms.DateField(label=_("Raised since"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Raised until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, community: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Open and claimed")), ("all", _("All states"))] + [  # type: ignore[attr-defined]
            (value, label) for value, label in Need.State.choices
        ]
        self.fields["category"].queryset = category_choices(community)  # type: ignore[attr-defined]
        if community is not None:
            self.fields["compound"].queryset = community.compounds.all()  # type: ignore[attr-defined]

    def filter(self, needs: QuerySet[Need]) -> QuerySet[Need]:
        if not self.is_valid():
            return needs.filter(state__in=[Need.State.PUBLISHED, Need.State.CLAIMED])
        data = self.cleaned_data
        state = data.get("state")
        if not state:
            needs = needs.filter(state__in=[Need.State.PUBLISHED, Need.State.CLAIMED])
        elif state != "all":
            needs = needs.filter(state=state)
        if data.get("q"):
            needs = needs.filter(services.needs_matching(data["q"]))
        category = data.get("category")
        if category is not None:
            needs = needs.filter(Q(category=category) | Q(category__parent=category))
        if data.get("compound") is not None:
            needs = needs.filter(compound=data["compound"])
        if data.get("urgency") is not None:
            needs = needs.filter(urgency=data["urgency"])
        if data.get("raiser_kind"):
            needs = needs.filter(raiser_kind=data["raiser_kind"])
        if data.get("since"):
            needs = needs.filter(created_at__date__gte=data["since"])
        if data.get("until"):
            needs = needs.filter(created_at__date__lte=data["until"])
        return needs


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the raiser will see"), widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(
        label=_("Number of the need to merge into"), max_value=bounds.MAX_INT, min_value=1
    )


class ClaimForm(forms.Form):
    organization = bounds.ModelChoiceField(
        label=_("Claim for"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=str(_("Myself")),
        widget=forms.RadioSelect,
        blank=True,
    )

    def __init__(self, *args: Any, orgs: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        if orgs.count() == 1:
            self.fields["organization"].initial = orgs.first()


class AgreementForm(forms.Form):
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea(attrs={"rows": 3}))
    need_side_duties = forms.CharField(
        label=_("Party A's duties"), widget=forms.Textarea(attrs={"rows": 3})
    )
    claimant_side_duties = forms.CharField(
        label=_("Party B's duties"), widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput())
    ends_on = forms.DateField(label=_("End date"), widget=DateInput())


class SignForm(forms.Form):
    """Sign as one side: the full name typed, and the signature drawn or, for those who cannot
    draw one, a code texted to the signer's mobile."""

    side = forms.ChoiceField(choices=Signature.Side.choices, widget=forms.HiddenInput)
    typed_name = forms.CharField(
        label=_("Type your full name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    drawing = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(
        label=_("The code we texted you"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_drawing(self) -> bytes | None:
        raw: str = self.cleaned_data.get("drawing") or ""
        if not raw:
            return None
        prefix = "data:image/png;base64,"
        if not raw.startswith(prefix):
            raise forms.ValidationError(_("Draw your signature in the box before signing."))
        try:
            return base64.b64decode(raw[len(prefix) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise forms.ValidationError(
                _("Draw your signature in the box before signing.")
            ) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code") and not data.get("drawing") and "drawing" not in self.errors:
            if "code" in self.data:
                self.add_error("code", _("Type the code we texted you."))
            else:
                self.add_error("drawing", _("Draw your signature in the box before signing."))
        return data


class SideForm(forms.Form):
    side = forms.ChoiceField(choices=Signature.Side.choices, widget=forms.HiddenInput)


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("What has been done"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleCleanFileField(label=_("Photos"), required=False, max_files=6)
    milestone = bounds.ModelChoiceField(
        label=_("Milestone reached"), queryset=Project.objects.none(), required=False
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = project.milestones.filter(  # type: ignore[attr-defined]
            done_at__isnull=True
        )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=120)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())


class CompleteForm(forms.Form):
    summary = forms.CharField(
        label=_("What the project achieved"), widget=forms.Textarea(attrs={"rows": 3})
    )
    people_served = forms.IntegerField(
        label=_("People served"), max_value=bounds.MAX_INT, required=False, min_value=0
    )
    volunteer_hours = forms.DecimalField(
        label=_("Volunteer hours"), required=False, min_value=0, max_digits=8, decimal_places=1
    )
    money = forms.DecimalField(
        label=_("Money (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    materials = forms.CharField(label=_("Materials"), required=False, max_length=300)

    def outcomes(self) -> services.Outcomes:
        data = self.cleaned_data
        return services.Outcomes(
            summary=data["summary"],
            people_served=data.get("people_served"),
            volunteer_hours=data.get("volunteer_hours"),
            money=data.get("money"),
            materials=data.get("materials") or "",
        )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Stars"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("What do you offer?"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Resource.Kind.choices)
    category = CategoryField(label=_("Category"), queryset=Category.objects.none(), required=False)
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    tags = forms.CharField(label=_("Tags"), required=False, max_length=200)
    capacity_text = forms.CharField(
        label=_("Capacity"),
        required=False,
        max_length=100,
        help_text=_("e.g. 40 人次/月 (40 visits a month)"),
    )
    service_area = bounds.ModelChoiceField(
        label=_("Service area"), queryset=Region.objects.all(), required=False
    )
    availability = forms.CharField(
        label=_("When"),
        required=False,
        max_length=200,
        help_text=_("e.g. Wednesday afternoons in term time"),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Weekdays"),
        required=False,
        choices=[
            ("1", _("Mon")),
            ("2", _("Tue")),
            ("3", _("Wed")),
            ("4", _("Thu")),
            ("5", _("Fri")),
            ("6", _("Sat")),
            ("7", _("Sun")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    hours_from = forms.TimeField(label=_("From"), required=False, widget=TimeInput())
    hours_to = forms.TimeField(label=_("To"), required=False, widget=TimeInput())

    def __init__(
        self, *args: Any, orgs: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = category_choices()  # type: ignore[attr-defined]
        if orgs is not None and orgs.exists():
            self.fields["provider_org"] = bounds.ModelChoiceField(
                label=_("Offered by"), queryset=orgs, required=False, empty_label=str(_("Myself"))
            )
            self.order_fields(["provider_org"])

    @staticmethod
    def initial_for(data: services.ResourceInput) -> dict[str, Any]:
        """The form's initial values for a resource as it stands (`from_resource`)."""
        return {
            "title": data.title,
            "kind": data.kind,
            "category": data.category,
            "description": data.description,
            "tags": "、".join(data.tags),
            "capacity_text": data.capacity_text,
            "service_area": data.service_area,
            "availability": data.availability,
            "weekdays": list(data.weekdays),
            "hours_from": data.hours_from,
            "hours_to": data.hours_to,
        }

    def resource_input(self, base: services.ResourceInput | None = None) -> services.ResourceInput:
        """What the form says; on an edit, `base` is the resource as it stands."""
        data = self.cleaned_data
        values: dict[str, Any] = {
            "title": data["title"],
            "description": data.get("description", ""),
            "kind": data["kind"],
            "category": data.get("category"),
            "tags": tuple(services.split_tags(data.get("tags", ""))),
            "capacity_text": data.get("capacity_text", ""),
            "service_area": data.get("service_area"),
            "availability": data.get("availability", ""),
            "weekdays": "".join(data.get("weekdays") or []),
            "hours_from": data.get("hours_from"),
            "hours_to": data.get("hours_to"),
        }
        values = {name: value for name, value in values.items() if name in self.fields}
        if base is not None:
            return replace(base, **values)
        return services.ResourceInput(**values)


class AssignFilterForm(forms.Form):
    """Which published needs to propose an assignment for: a category, or those picked."""

    category = bounds.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=str(_("All categories")),
    )
    needs = bounds.ModelMultipleChoiceField(
        label=_("Only these needs"),
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to take every open need of the category."),
    )
    fair = forms.BooleanField(
        label=_("Spread the load over the providers"), required=False, initial=True
    )

    def __init__(self, *args: Any, community: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open_needs = (
            Need.objects.filter(
                community=community,
                state=Need.State.PUBLISHED,
                claimed_slots__lt=models.F("slots"),
            )
            .select_related("community", "category__parent", "compound")
            .prefetch_related("tags")
            .order_by("-urgency", "id")
        )
        self.fields["needs"].queryset = self.open_needs  # type: ignore[attr-defined]
        categories = Category.objects.filter(is_active=True).select_related("parent")
        self.fields["category"].queryset = (  # type: ignore[attr-defined]
            categories.order_by("parent_id", "position", "id")
        )

    def chosen_needs(self) -> QuerySet[Need]:
        if not self.is_bound or not self.is_valid():
            return self.open_needs
        picked = self.cleaned_data.get("needs")
        if picked:
            return self.open_needs.filter(pk__in=[n.pk for n in picked])
        category = self.cleaned_data.get("category")
        if category is not None:
            return self.open_needs.filter(Q(category=category) | Q(category__parent=category))
        return self.open_needs

    def is_fair(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("fair"))
