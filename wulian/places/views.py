"""Places pages: staff say how people write a compound's name (read by list imports)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from wulian.core.errors import DomainError, show_on_form
from wulian.places import services
from wulian.places.forms import CompoundNamesForm
from wulian.places.models import Compound
from wulian.places.rules import get_region_for


@login_required
def compound_names_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff edit the short name and other names of a compound."""
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
            show_on_form(form, exc)
        else:
            messages.success(request, _("The names of %(name)s are saved.") % {"name": compound})
            return redirect("site:region", pk=community.pk)
    return render(
        request,
        "places/compound_names.html",
        {"compound": compound, "community": community, "form": form},
    )
