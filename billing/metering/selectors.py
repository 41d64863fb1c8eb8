"""Reads of usage against the plan's limits: the live counters for the period, UsageDaily per day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from billing.metering import counters
from billing.metering.models import QuotaAlert, UsageDaily
from billing.metering.periods import period_of
from billing.metering.prices import PICO_PER_CENT
from billing.metering.services import plan_limits, usage_live
from tenants.models import Company

KINDS = ("messages", "ai_tokens", "outreach", "handoffs", "inbound")


@dataclass(frozen=True)
class UsageFigure:
    kind: str
    used: int
    limit: int  # 0 means unlimited
    ratio: float  # used / limit, 0.0 when unlimited
    cost: Decimal  # BRL


def _figure(kind: str, used: int, limit: int, cost_cents: int = 0) -> UsageFigure:
    return UsageFigure(kind=kind, used=used, limit=limit, ratio=used / limit if limit else 0.0,
                       cost=(Decimal(cost_cents) / 100).quantize(Decimal("0.01")))


def usage_for_period(company_id: int, period: date | None = None) -> dict[str, UsageFigure]:
    """Usage of each kind in the month containing `period` (default: the current one).

    The current month reads the live counters (rebuilt from the rows if Redis lost them); a past
    month, or a kind without a live counter (messages received), reads the daily roll-up.
    """
    period = period_of(period)
    company = Company.objects.filter(pk=company_id).only("schema_name").first()
    if company is None:
        return {}
    live = usage_live(schema=company.schema_name, period=period) if period == period_of() else {}
    daily = usage_daily_totals(company_id=company_id, period=period)
    limits = live or _limits(company.schema_name)
    figures = {}
    for kind in KINDS:
        if counters.BUILT in live and kind in counters.COUNTED:
            used = counters.used_of(live, kind)
            cost = round(counters.used_of(live, "ai_cost") / PICO_PER_CENT) if kind == "ai_tokens" else 0
        else:
            used, cost = daily.get(kind, (0, 0))
        figures[kind] = _figure(kind, used, counters.limit_of(limits, kind), cost)
    return figures


def _limits(schema: str) -> dict:
    return plan_limits(schema=schema)


def usage_ratio(company_id: int, kind: str) -> float:
    """Share of the plan's limit of `kind` used in the current period (0.0 when unlimited)."""
    figure = usage_for_period(company_id).get(kind)
    return figure.ratio if figure else 0.0


def usage_daily_totals(*, company_id: int, period: date) -> dict[str, tuple[int, int]]:
    """kind -> (quantity, cost in cents) summed over the month's UsageDaily rows."""
    rows = (UsageDaily.objects.filter(company_id=company_id, day__year=period.year, day__month=period.month)
            .values("kind").annotate(quantity=Sum("quantity"), cost=Sum("cost_cents")).order_by())
    return {row["kind"]: (row["quantity"] or 0, row["cost"] or 0) for row in rows}


def usage_days(*, company_id: int, period: date) -> list[UsageDaily]:
    return list(UsageDaily.objects.filter(company_id=company_id, day__year=period.year, day__month=period.month)
                .order_by("day", "kind"))


def alerts_current(*, company_id: int, period: date | None = None) -> list[QuotaAlert]:
    """This period's alerts, only the highest threshold per kind (for the admin banner)."""
    seen: dict[str, QuotaAlert] = {}
    alerts = QuotaAlert.objects.filter(company_id=company_id, period_start=period or period_of(timezone.now()))
    for alert in alerts.order_by("kind", "-threshold"):
        seen.setdefault(alert.kind, alert)
    return list(seen.values())
