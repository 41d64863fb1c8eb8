"""The home pages: a company's day at a glance (its host) and the platform's fleet (the public host).

Each card is shown to whoever may read what it is made of (`user.has_perm`, as everywhere):
an operator sees the conversations and the agenda, never the reports, money or AI cost.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone

from agenda.reports import company_today
from analytics.dashboard import selectors
from analytics.dashboard.forms import CompanyNewForm
from analytics.dashboard.services import company_open
from analytics.exports import formats
from analytics.exports.selectors import FORMATS, export_file
from billing.metering.alerts import THRESHOLDS
from secretaria.admin_sites import public_admin
from secretaria.errors import Conflict
from secretaria.panel.charts import Series, bar_chart, line_chart
from secretaria.panel.views import screen_page
from secretaria.ptbr import brl

CONVERSATIONS = "conversations.view_conversation"
APPOINTMENTS = "agenda.view_appointment"
REPORTS = "analytics.view_report"
APPOINTMENT_LIST = "admin:agenda_appointment_changelist"
QUOTA_WARN = THRESHOLDS[0] / 100  # billing's first alert: the bar turns amber when the owner is told
USAGE_ROWS = 10  # companies in the platform's usage table (the subscriptions list has them all)


def company_home(request, site):
    user, now = request.user, timezone.now()
    context = {"can": {"conversations": user.has_perm(CONVERSATIONS), "agenda": user.has_perm(APPOINTMENTS),
                       "reports": user.has_perm(REPORTS)}}
    if context["can"]["conversations"]:
        context["waiting_total"], context["waiting"] = selectors.conversations_waiting(now=now)
        context["inbox_url"] = reverse("admin:inbox")
    if context["can"]["agenda"]:
        context.update(_agenda(now))
    if context["can"]["reports"]:
        context.update(_reports(request))
    return screen_page(request, site, template="dashboard/company_home.html", title="Início", **context)


def _agenda(now) -> dict:
    unconfirmed_total, unconfirmed = selectors.appointments_unconfirmed(now=now)
    no_shows_total, no_shows = selectors.no_shows_this_week()
    columns = selectors.appointments_today_by_professional()
    appointments = reverse(APPOINTMENT_LIST)
    return {"today": columns, "today_total": sum(len(c.appointments) for c in columns),
            "unconfirmed_total": unconfirmed_total, "unconfirmed": unconfirmed,
            "no_shows_total": no_shows_total, "no_shows": no_shows,
            "calendar_url": reverse("admin:calendar"),
            "links": {"today": f"{appointments}?quando=hoje", "unconfirmed": f"{appointments}?status__exact=pending",
                      "no_shows": f"{appointments}?status__exact=no_show"}}


def _reports(request) -> dict:
    recent = selectors.report_recent(today=company_today())
    month = selectors.usage_this_month(company_id=request.tenant.pk)
    return {"figures": _headline(recent.period), "ai_cost_cents": month.ai_cost_cents,
            "quotas": [_quota(quota) for quota in month.quotas], "charts": _charts(recent),
            "exports": {fmt: reverse("admin:home_report", args=[fmt]) for fmt in ("pdf", "xlsx", "csv")}}


def _headline(figures: dict) -> dict:
    """The period's figures as staff read them ("25,0 %", "sem dados")."""
    rate, nps = figures["no_show_rate"], figures["nps"]
    return {"no_show_rate": formats.NO_DATA if rate is None else formats.percent(rate),
            "nps": formats.NO_DATA if nps is None else formats.score(nps),
            "no_shows": figures["no_shows"], "known": figures["attendances"] + figures["no_shows"],
            "ai_cost_cents": figures["ai_cost_cents"], "bookings": figures["bookings"]}


def _quota(quota: selectors.Quota) -> dict:
    return {"label": quota.label, "used": formats.integer(quota.used), "unlimited": not quota.limit,
            "limit": formats.integer(quota.limit), "percent": formats.percent(quota.ratio, 0),
            "meter": min(quota.ratio, 1.0), "level": _level(quota.ratio)}


def _level(ratio: float) -> str:
    """A quota's badge: used up, past billing's first alert, or fine."""
    return "bad" if ratio >= 1 else "warn" if ratio >= QUOTA_WARN else "ok"


def _charts(recent: selectors.Recent) -> dict:
    labels = [f"{day:%d/%m}" for day in recent.days]

    def series(name: str, key: str) -> Series:
        return Series(name, [figures[key] for figures in recent.daily])

    return {
        "messages": line_chart(title="Mensagens por dia", labels=labels,
                               series=[series("Recebidas", "messages_in"), series("Enviadas", "messages_out")]),
        "bookings": bar_chart(title="Agendamentos por dia", labels=labels, series=[series("Agendamentos", "bookings")]),
        "ai_cost": bar_chart(title="Custo de IA por dia", labels=labels, series=[series("Custo", "ai_cost_cents")],
                             value_format=lambda cents: brl(round(cents))),
    }


def company_report(request, file_format: str):
    """The last 30 days' report as a file (analytics/exports), for those who read the reports."""
    if not request.user.has_perm(REPORTS):
        raise PermissionDenied
    if file_format not in FORMATS:
        raise Http404
    today = company_today()
    export = export_file(date_from=today - timedelta(days=selectors.REPORT_DAYS - 1), date_to=today,
                         file_format=file_format)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    return response


def platform_home(request, site):
    now = timezone.now()
    subscriptions = selectors.platform_subscriptions()
    failed_total, failed = selectors.payments_failed(now=now)
    churn_total, churn = selectors.churn_risks()
    usage = selectors.platform_usage(subscriptions, now=now)
    return screen_page(
        request, site, template="dashboard/platform_home.html", title="Início",
        fleet=selectors.platform_fleet(subscriptions, now=now), plans=selectors.platform_plans(),
        usage=[_usage_row(row) for row in usage[:USAGE_ROWS]], usage_total=len(usage),
        quota_labels=list(selectors.QUOTA_SHORT.values()), failed_total=failed_total, failed=failed,
        churn_total=churn_total, churn=churn, new_company_url=reverse("admin:home_company_new"))


def _usage_row(row: selectors.CompanyUsage) -> dict:
    ratios = [row.ratios.get(kind, 0.0) for kind in selectors.QUOTA_SHORT]
    cells = [{"percent": formats.percent(ratio, 0), "level": _level(ratio)} for ratio in ratios]
    return {"company": row.company, "domain": row.domain, "plan": row.plan, "status": row.status, "cells": cells}


def company_new(request):
    """"Nova empresa": the form, then the new owner's first access, shown on this response only."""
    if not request.user.is_superuser:  # the public site lets only superusers in; said again here
        raise PermissionDenied
    form = CompanyNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            access = company_open(name=data["name"], slug=data["slug"], domain=data["domain"], plan=data["plan"],
                                  owner_email=data["owner_email"], owner_name=data["owner_name"])
        except (ValidationError, Conflict) as error:
            form.add_service_errors(error)
        else:
            # Rendered, never redirected: a redirect would need the password kept somewhere until the
            # next request. The admin's never_cache keeps the page out of every cache.
            return screen_page(request, public_admin, template="dashboard/company_created.html",
                               title="Empresa criada", access=access, admin_url=_admin_url(request, access.domain))
    return screen_page(request, public_admin, template="dashboard/company_new.html", title="Nova empresa", form=form)


def _admin_url(request, domain: str) -> str:
    """The new company's panel as the platform admin reaches it: same scheme and port as this page."""
    port = request.get_port()
    default = {"http": "80", "https": "443"}[request.scheme]
    return f"{request.scheme}://{domain}{'' if port == default else ':' + port}/admin/"
