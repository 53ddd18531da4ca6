from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError
from wulian.orgs.models import Organization
from wulian.places import services
from wulian.places.forms import CompoundNamesForm
from wulian.places.models import Compound, Region
from wulian.places.rules import get_region_for


def community_context(request: HttpRequest, community: Region) -> dict[str, object]:
    compounds = community.compounds.annotate(resident_count=Count("residents"))
    organizations = (
        Organization.objects.filter(region=community, is_active=True)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    kinds = dict(Organization.Kind.choices)
    return {
        "community": community,
        "ancestors": community.ancestors()[:-1],
        "compounds": compounds,
        "org_counts": [{"label": kinds[row["kind"]], **row} for row in organizations],
        "org_total": sum(row["n"] for row in organizations),
        "can_change": request.user.has_perm("places.change_region", community),
        "can_view_residents": request.user.has_perm("places.view_residents", community),
    }


def region_view(request: HttpRequest, pk: int) -> HttpResponse:
    region = get_region_for(request.user, pk)
    if region.is_community:
        return render(request, "places/community.html", community_context(request, region))
    children = region.children.annotate(n_compounds=Count("compounds")).order_by("name")
    return render(
        request,
        "places/region.html",
        {"region": region, "ancestors": region.ancestors()[:-1], "children": children},
    )


@login_required
def compound_names_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff edit the short name and other names of a compound (read by list imports)."""
    compound = get_object_or_404(Compound.objects.select_related("community"), pk=pk)
    community = get_region_for(request.user, compound.community_id, "places.change_region")
    initial = {"short_name": compound.short_name, "aliases": compound.aliases}
    form = CompoundNamesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_compound_names(
                request.user,
                compound,
                form.cleaned_data["short_name"],
                form.cleaned_data["aliases"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The names of %(name)s are saved.") % {"name": compound})
            return redirect("places:region", pk=community.pk)
    return render(
        request,
        "places/compound_names.html",
        {"compound": compound, "community": community, "form": form},
    )
