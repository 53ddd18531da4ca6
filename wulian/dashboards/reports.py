"""The monthly report: a region's five links with last month and last year, the charts,
highlights and the article's sentences; as JSON (every indicator by key), PDF and .xlsx.

Figures come from the rollups; the highlights read the month's few largest projects. The
worker writes every region's report on the 1st (`monthly_round`) and mails it to the chosen
recipients, each getting it only if they may still see that region when it is sent.
"""

from __future__ import annotations

import datetime
import io
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wulian.core.indicators import LINKS, RATIO
from wulian.core.pdf import render_pdf
from wulian.core.sheets import xlsx_append
from wulian.dashboards import charts, panels
from wulian.dashboards.catalogue import by_link, indicators
from wulian.dashboards.models import MonthlyReport, ReportDelivery, ReportSubscription
from wulian.dashboards.queries import months_back, shift_year
from wulian.dashboards.scorecards import rank
from wulian.lists.models import Project
from wulian.places.models import Region

log = logging.getLogger(__name__)
FORMATS = ("json", "pdf", "xlsx")


def _figure(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 4)


def build(region: Region, month: datetime.date) -> dict[str, Any]:
    """The report's data: plain JSON, every indicator by key."""
    month = month.replace(day=1)
    figures = panels.load([region], month)
    previous, year_ago = months_back(month, 2)[0], shift_year(month)
    values: dict[str, dict[str, Any]] = {}
    for key, indicator in indicators().items():
        values[key] = {
            "name": str(indicator.name),
            "link": indicator.link,
            "kind": indicator.kind,
            "value": _figure(figures.value(region, key, [month])),
            "last_month": _figure(figures.value(region, key, [previous])),
            "last_year": _figure(figures.value(region, key, [year_ago])),
        }
        if indicator.breakdown_labels is not None:
            names = indicator.breakdown_labels()
            values[key]["breakdown"] = {
                names.get(part, part): _figure(n)
                for part, n in sorted(
                    figures.breakdown(region, key, [month]).items(), key=lambda p: -p[1]
                )
            }
    trend = {
        key: [_figure(figures.value(region, key, [m])) for m in figures.months[-12:]]
        for key, i in indicators().items()
        if i.headline
    }
    return {
        "region": {"id": region.pk, "name": region.name, "level": region.level},
        "month": f"{month:%Y-%m}",
        "generated_at": timezone.now().isoformat(),
        "indicators": values,
        "trend": {"months": [f"{m:%Y-%m}" for m in figures.months[-12:]], "series": trend},
        "sentences": sentences(region, values),
        "highlights": highlights(region, month),
    }


def _value(values: dict[str, dict[str, Any]], key: str) -> Any:
    return (values.get(key) or {}).get("value") or 0


def _percent(values: dict[str, dict[str, Any]], key: str) -> str:
    figure = (values.get(key) or {}).get("value")
    return "—" if figure is None else f"{round(figure * 100)}%"


def sentences(region: Region, values: dict[str, dict[str, Any]]) -> list[str]:
    """The month as the article reports it."""
    needs = int(_value(values, "lists.needs_raised"))
    parts = (values.get("lists.needs_by_raiser") or {}).get("breakdown") or {}
    by = "、".join(_("%(kind)s raised %(n)s") % {"kind": kind, "n": n} for kind, n in parts.items())
    said = [
        ngettext(
            "This month %(region)s received %(n)s need (%(by)s).",
            "This month %(region)s received %(n)s needs (%(by)s).",
            needs,
        )
        % {"region": region.name, "n": needs, "by": by or "—"},
        _(
            "%(claims)s were claimed, %(done)s met and %(projects)s co-building projects"
            " completed, serving %(people)s people."
        )
        % {
            "claims": int(_value(values, "lists.claims")),
            "done": int(_value(values, "lists.needs_done")),
            "projects": int(_value(values, "lists.projects_done")),
            "people": int(_value(values, "lists.people_served")),
        },
        _(
            "The community blew the whistle %(whistles)s times; the units' response rate was"
            " %(response)s, resolution rate %(resolution)s and satisfaction rate %(satisfaction)s."
        )
        % {
            "whistles": int(_value(values, "whistle.whistles")),
            "response": _percent(values, "whistle.response_rate"),
            "resolution": _percent(values, "whistle.resolution_rate"),
            "satisfaction": _percent(values, "whistle.satisfaction_rate"),
        },
        _(
            "Residents raised %(topics)s topics for deliberation and the councils met"
            " %(meetings)s times; %(activities)s activities were held with %(participants)s"
            " participants, and units shared their venues for %(hours)s hours."
        )
        % {
            "topics": int(_value(values, "council.topics")),
            "meetings": int(_value(values, "council.meetings")),
            "activities": int(_value(values, "activities.held")),
            "participants": int(_value(values, "activities.participants")),
            "hours": _figure(_value(values, "activities.venue_hours_shared")),
        },
    ]
    return said


def highlights(region: Region, month: datetime.date) -> dict[str, Any]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(month, datetime.time(), zone)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    end = datetime.datetime.combine(following, datetime.time(), zone)
    projects = (
        Project.objects.filter(
            state=Project.State.COMPLETED,
            completed_at__gte=start,
            completed_at__lt=end,
            community__path__startswith=region.path,
        )
        .select_related("claim__organization")
        .order_by("-people_served", "-completed_at")[:3]
    )
    best = [r for r in rank(region, [month])][:3]
    return {
        "largest_projects": [
            {
                "title": p.title,
                "unit": p.claim.organization.name if p.claim.organization else "",
                "people_served": p.people_served,
            }
            for p in projects
        ],
        "best_units": [{"name": r.name, "score": r.score} for r in best],
    }


# ---------------------------------------------------------------- files


def link_titles() -> dict[str, str]:
    return {link: str(panels.LINK_TITLES[link]) for link in LINKS}


def pdf(data: dict[str, Any]) -> bytes:
    sections = []
    for link, items in by_link().items():
        rows = [
            {
                "name": str(i.name),
                "value": panels.format_value(i, data["indicators"][i.key]["value"]),
                "last_month": panels.format_value(i, data["indicators"][i.key]["last_month"]),
                "last_year": panels.format_value(i, data["indicators"][i.key]["last_year"]),
            }
            for i in items
            if i.breakdown_labels is None
        ]
        svgs = []
        headline = [i for i in items if i.headline and i.kind == "sum"]
        if headline:
            svgs.append(
                charts.line_svg(
                    data["trend"]["months"],
                    [(str(i.name), data["trend"]["series"][i.key]) for i in headline],
                    _("The last twelve months"),
                )
            )
        for i in items:
            parts = data["indicators"][i.key].get("breakdown")
            if parts:
                svgs.append(charts.bar_svg(list(parts), list(parts.values()), str(i.name)))
        sections.append({"title": link_titles()[link], "rows": rows, "charts": svgs})
    return render_pdf(
        "dashboards/report_pdf.html",
        {
            "title": _("%(region)s: monthly report, %(month)s")
            % {"region": data["region"]["name"], "month": data["month"]},
            "issuer": data["region"]["name"],
            "data": data,
            "sections": sections,
            "generated_at": timezone.now(),
        },
    )


def xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    xlsx_append(summary, [data["region"]["name"], data["month"]])
    for line in data["sentences"]:
        xlsx_append(summary, [line])
    # The indicator's name first, as people read it; its key last, for those who join sheets
    # of several months. A share is a number shown as a percentage, not 0.6666666667.
    header = [_("Indicator"), _("This month"), _("Last month"), _("A year ago")]
    header.append(_("Indicator code"))
    for link, items in by_link().items():
        sheet = workbook.create_sheet(link_titles()[link][:31])
        xlsx_append(sheet, header)
        for i in items:
            figure = data["indicators"][i.key]
            figures = [figure["value"], figure["last_month"], figure["last_year"]]
            xlsx_append(sheet, [str(i.name), *figures, i.key])
            if i.kind == RATIO:
                for cell in sheet[sheet.max_row][1:4]:
                    cell.number_format = "0.0%" if i.as_percent else "0.0"
            for part, n in (figure.get("breakdown") or {}).items():
                xlsx_append(sheet, [f"{i.name} · {part}", n, None, None, i.key])
        sheet.column_dimensions["A"].width = 36
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render(data: dict[str, Any], fmt: str) -> bytes:
    import json

    if fmt == "pdf":
        return pdf(data)
    if fmt == "xlsx":
        return xlsx(data)
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def filename(data: dict[str, Any], fmt: str) -> str:
    return f"{data['region']['name']}-{data['month']}-{_('monthly report')}.{fmt}"


# ---------------------------------------------------------------- the worker's round


def generate(region: Region, month: datetime.date) -> MonthlyReport:
    data = build(region, month)
    report, _created = MonthlyReport.objects.update_or_create(
        region=region, month=month.replace(day=1), defaults={"data": data}
    )
    return report


def address_of(subscription: ReportSubscription) -> str:
    from wulian.notifications.models import Preference

    if subscription.email:
        return subscription.email
    found = Preference.objects.filter(user=subscription.recipient).values_list(
        "email_address", flat=True
    )
    return next(iter(found), "") or ""


def subscribe(actor: Any, region: Region, recipient: Any, email: str = "") -> ReportSubscription:
    from wulian.audit.services import record
    from wulian.core.errors import DomainError, NotAllowed

    if not actor.has_perm("dashboards.manage_reports", region):
        raise NotAllowed("report.not_staff", _("Only the region's staff choose who receives it."))
    if not recipient.has_perm("dashboards.view_region", region):
        raise DomainError(
            "report.recipient_may_not_see", _("That person may not see this region's figures.")
        )
    with transaction.atomic():
        subscription, created = ReportSubscription.objects.get_or_create(
            region=region, recipient=recipient, defaults={"added_by": actor, "email": email}
        )
        if created:
            record(
                actor,
                "report.subscribe",
                subscription,
                community=region if region.is_community else None,
            )
    return subscription


def unsubscribe(actor: Any, subscription: ReportSubscription) -> None:
    from wulian.audit.services import record
    from wulian.core.errors import NotAllowed

    if not actor.has_perm("dashboards.manage_reports", subscription.region):
        raise NotAllowed("report.not_staff", _("Only the region's staff choose who receives it."))
    with transaction.atomic():
        region = subscription.region
        record(
            actor,
            "report.unsubscribe",
            subscription,
            community=region if region.is_community else None,
        )
        subscription.delete()


def deliver(month: datetime.date) -> dict[str, int]:
    """Mail last month's report to every recipient once; a recipient who may no longer see
    the region at sending time is skipped (and not tried again for that month)."""
    sent = withheld = 0
    reports: dict[int, dict[str, Any]] = {}
    for subscription in ReportSubscription.objects.select_related("region", "recipient"):
        recipient, region = subscription.recipient, subscription.region
        try:
            with transaction.atomic():
                delivery = ReportDelivery.objects.create(subscription=subscription, month=month)
                address = address_of(subscription)
                if not recipient.has_perm("dashboards.view_region", region) or not address:
                    delivery.sent = False
                    delivery.save(update_fields=["sent"])
                    withheld += 1
                    continue
                if region.pk not in reports:
                    reports[region.pk] = generate(region, month).data
                data = reports[region.pk]
                with translation.override(settings.LANGUAGE_CODE):
                    message = EmailMessage(
                        _("%(region)s: monthly report, %(month)s")
                        % {"region": region.name, "month": data["month"]},
                        "\n".join(data["sentences"]),
                        to=[address],
                    )
                    message.attach(filename(data, "pdf"), pdf(data), "application/pdf")
                    message.attach(
                        filename(data, "xlsx"),
                        xlsx(data),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                    message.send()
                sent += 1
        except IntegrityError:
            continue  # already delivered this month
    return {"sent": sent, "withheld": withheld}


def monthly_round(today: datetime.date | None = None) -> dict[str, int]:
    """From the 1st: write last month's report for every region with staff or recipients,
    once, then deliver it. Idempotent: run again, it does nothing new."""
    today = today or timezone.localdate()
    month = months_back(today, 2)[0]
    done = set(MonthlyReport.objects.filter(month=month).values_list("region_id", flat=True))
    wanted = set(ReportSubscription.objects.values_list("region_id", flat=True))
    written = 0
    for region in Region.objects.filter(pk__in=wanted - done):
        generate(region, month)
        written += 1
    return {"written": written, **deliver(month)}
