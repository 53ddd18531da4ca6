"""The dashboards' pages: every one reads the rollups only, in a bounded number of queries."""

from __future__ import annotations

from functools import cache as once
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wulian.accounts.models import User
from wulian.core import versions
from wulian.core.bounds import query_int
from wulian.core.db import lag_tolerant
from wulian.core.errors import DomainError, show_on_form
from wulian.core.indicators import RATIO
from wulian.core.pdf import content_disposition, pdf_response
from wulian.dashboards import panels, reports
from wulian.dashboards.catalogue import by_link
from wulian.dashboards.forms import RecipientForm
from wulian.dashboards.models import MonthlyReport, ReportSubscription
from wulian.dashboards.queries import FRAGMENT_SECONDS, Figures, fragment_key
from wulian.dashboards.rules import get_region_dashboard_for, get_unit_for
from wulian.dashboards.scorecards import scorecard
from wulian.orgs.queries import memberships_of
from wulian.places.models import Region
from wulian.places.queries import assigned_regions
from wulian.whistle.scorecard import PRIOR_WEIGHT

# A dashboard page, as drawn for each person, is kept until the rollups are written again.
ROLLUPS = ("rollups", None)

# A page's figures are computed when its template first reads them, and only then: a cached
# fragment never does (the template calls what it is given; `once`, functools.cache, makes
# each call after the first free).


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    """Staff go to their region's dashboard, unit people to their unit's scorecard."""
    user = User.of(request)
    regions = assigned_regions(user)
    if regions:
        return redirect("dashboards:region", pk=regions[0].pk)
    units = memberships_of(user)
    if units:
        return redirect("dashboards:unit", pk=units[0].id)
    raise Http404


@lag_tolerant
@login_required
def region_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    region = get_region_dashboard_for(user, pk)
    month = panels.parse_month(request.GET.get("month"))
    board = once(lambda: panels.board(region, month))
    compounds = once(lambda: panels.by_compound(region, month) if region.is_community else ([], []))
    return versions.kept_page(
        request,
        ROLLUPS,
        draw=lambda: render(
            request,
            "dashboards/region.html",
            {
                "board": board,
                "compound_columns": lambda: compounds()[0],
                "compounds": lambda: compounds()[1],
                "charts": lambda: board().charts_data(),
                "region": region,
                "month": month,
                "screen_url": reverse("dashboards:screen", args=[region.pk]),
                "fragment": fragment_key(request, "region", region.pk, month),
                "fragment_seconds": FRAGMENT_SECONDS,
            },
        ),
    )


def _sorted_rows(rows: list[dict[str, Any]], key: str, descending: bool) -> list[dict[str, Any]]:
    def value(row: dict[str, Any]) -> tuple[int, float | str]:
        if key == "name":
            return (0, row["name"])
        figure = row["values"].get(key)
        return (0 if figure is not None else 1, -(figure or 0) if descending else (figure or 0))

    return sorted(rows, key=value, reverse=key == "name" and descending)


@lag_tolerant
@login_required
def compare_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A subdistrict's or district's communities side by side, by the same definitions."""
    user = User.of(request)
    region = get_region_dashboard_for(user, pk)
    month = panels.parse_month(request.GET.get("month"))
    columns = [
        i
        for items in by_link().values()
        for i in items
        if (i.headline or i.kind == RATIO) and i.breakdown_labels is None
    ]
    keys = {i.key for i in columns} | {"name"}
    sort = request.GET.get("sort", "name")
    sort = sort if sort in keys else "name"
    descending = request.GET.get("desc", "1" if sort != "name" else "") == "1"
    number = request.GET.get("page", "")[:12]

    @once
    def page() -> Any:
        communities = list(
            Region.objects.filter(
                path__startswith=region.path, level=Region.Level.COMMUNITY
            ).order_by("path")
        )
        figures = Figures(communities, [month]) if communities else None
        rows: list[dict[str, Any]] = [
            {
                "region": community,
                "name": community.name,
                "values": {i.key: figures.value(community, i.key) for i in columns}
                if figures
                else {},
            }
            for community in communities
        ]
        rows = _sorted_rows(rows, sort, descending)
        for row in rows:
            row["cells"] = [panels.format_value(i, row["values"].get(i.key)) for i in columns]
        return Paginator(rows, 100).get_page(number)

    return versions.kept_page(
        request,
        ROLLUPS,
        draw=lambda: render(
            request,
            "dashboards/compare.html",
            {
                "region": region,
                "month": month,
                "label": panels.month_label(month),
                "columns": columns,
                "page": page,
                "sort": sort,
                "descending": descending,
                "fragment": fragment_key(
                    request, "compare", region.pk, month, sort, descending, number
                ),
                "fragment_seconds": FRAGMENT_SECONDS,
            },
        ),
    )


@lag_tolerant
@login_required
def unit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    unit = get_unit_for(user, pk)
    month = panels.parse_month(request.GET.get("month"))
    return versions.kept_page(
        request,
        ROLLUPS,
        draw=lambda: render(
            request,
            "dashboards/unit.html",
            {
                "card": once(lambda: scorecard(unit, month)),
                "fragment": fragment_key(request, "unit", unit.pk, month),
                "fragment_seconds": FRAGMENT_SECONDS,
                "unit": unit,
                "month": month,
                "label": panels.month_label(month),
                "prior_weight": PRIOR_WEIGHT,
            },
        ),
    )


def _screen_data(region: Region) -> dict[str, Any]:
    month = timezone.localdate().replace(day=1)
    board = panels.board(region, month, public=False)
    return {
        "region": region.name,
        "month": board.label,
        "numbers": {n.key: n.text for s in board.sections for n in s.headlines},
        "charts": board.charts_data(),
    }


@lag_tolerant
@login_required
def screen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The practice station's screen: 1920×1080, the headline numbers and trends, refreshed
    by itself every minute from `screen.json`."""
    user = User.of(request)
    region = get_region_dashboard_for(user, pk)
    month = timezone.localdate().replace(day=1)
    board = panels.board(region, month)
    return render(
        request,
        "dashboards/screen.html",
        {
            "board": board,
            "region": region,
            "charts": board.charts_data(),
            "source": reverse("dashboards:screen_json", args=[region.pk]),
        },
    )


@lag_tolerant
@login_required
def screen_json_view(request: HttpRequest, pk: int) -> JsonResponse:
    region = get_region_dashboard_for(User.of(request), pk)
    return JsonResponse(_screen_data(region))


@lag_tolerant
def public_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The small set of published figures, for everyone."""
    region = get_object_or_404(Region, pk=pk)
    month = panels.parse_month(request.GET.get("month"))
    board = panels.board(region, month, public=True)
    return render(
        request,
        "dashboards/public.html",
        {"board": board, "region": region, "month": month, "charts": board.charts_data()},
    )


@lag_tolerant
@login_required
def report_view(request: HttpRequest, pk: int, month: str, fmt: str) -> HttpResponse:
    """The month's report, built on demand from the rollups (the worker's copy when it has
    written one), as JSON, PDF or .xlsx."""
    region = get_region_dashboard_for(User.of(request), pk)
    if fmt not in reports.FORMATS:
        raise Http404
    first = panels.parse_month(month)
    stored = MonthlyReport.objects.filter(region=region, month=first).first()
    data = stored.data if stored else reports.build(region, first)
    body = reports.render(data, fmt)
    if fmt == "json":
        return HttpResponse(body, content_type="application/json")
    if fmt == "pdf":
        return pdf_response(body, reports.filename(data, fmt))
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition(reports.filename(data, fmt))
    return response


@login_required
def recipients_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.of(request)
    region = get_region_dashboard_for(user, pk, "dashboards.manage_reports")
    form = RecipientForm(request.POST or None, region=region)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                subscription = get_object_or_404(
                    ReportSubscription, pk=query_int(request.POST, "remove"), region=region
                )
                reports.unsubscribe(user, subscription)
                messages.success(request, _("They will no longer receive the report."))
                return redirect("dashboards:recipients", pk=region.pk)
            if form.is_valid():
                reports.subscribe(
                    user, region, form.cleaned_data["recipient"], form.cleaned_data["email"]
                )
                messages.success(request, _("They will receive the report on the 1st."))
                return redirect("dashboards:recipients", pk=region.pk)
        except DomainError as exc:
            show_on_form(form, exc)
    subscriptions = ReportSubscription.objects.filter(region=region).select_related("recipient")
    return render(
        request,
        "dashboards/recipients.html",
        {"region": region, "form": form, "subscriptions": subscriptions},
    )
