"""The platform's reading of each company (pure reads of billing's public rows): churn risk and quota use.

Churn risk, a score in [0, 1] from three signals, each in [0, 1]:

- drop: messages answered in the last 7 complete days (w0) against the 7 before (w1),
  `max(0, (w1 - w0) / w1)`; 0 when w1 < MIN_WEEKLY_MESSAGES (too little to read a trend);
- payment: 1 when the subscription is past due or suspended, else `min(1, failed / 2)` with `failed`
  the payment failures the providers reported in the last 30 days;
- handoff rise: the share of answered messages handed to a person, this week (r0) against last
  (r1), `clamp((r0 - r1) / max(r1, 0.05), 0, 1)` (a rise from 5 % to 10 % counts fully); 0 when
  w0 < MIN_WEEKLY_MESSAGES;

combined as independent risks ("noisy-OR") with weights 0.6, 0.7 and 0.4:

    score = 1 - (1 - 0.6 * drop) * (1 - 0.7 * payment) * (1 - 0.4 * handoff_rise)

A past-due subscription alone gives 0.70, a halved week alone 0.30, both 0.79.

Upgrade: the share of a monthly quota used (UsageDaily summed over the month / the plan's limit),
for the last two complete months and the current one; two months running at or above the ratio
(80 %) suggest an upgrade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Sum

from billing.metering.models import UsageDaily
from billing.metering.periods import period_label
from billing.metering.selectors import usage_daily_totals
from billing.models import Subscription
from billing.payments.models import PaymentEvent

MIN_WEEKLY_MESSAGES = 20
WEIGHTS = {"usage_drop": 0.6, "payment": 0.7, "handoff_rise": 0.4}
HANDOFF_FLOOR = 0.05
FAILED_PAYMENT_TYPES = ("invoice.payment_failed", "PAYMENT_OVERDUE")  # Stripe's and Asaas'
FAILED_WINDOW_DAYS = 30
QUOTAS = {"messages": "Mensagens respondidas", "ai_tokens": "Tokens de IA", "outreach": "Mensagens ativas"}


@dataclass(frozen=True)
class Reading:
    """A score in [0, 1] with its reasons (pt-BR text and numbers) and the figures it came from."""

    score: float
    reasons: list[dict] = field(default_factory=list)
    evidence: dict = field(default_factory=dict)

    @property
    def summary(self) -> str:
        return "\n".join(reason["text"] for reason in self.reasons)


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _int(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _percent(ratio: float) -> str:
    return f"{round(ratio * 100)} %"


# --- churn ----------------------------------------------------------------------------------------

def churn_reading(*, company_id: int, today: date) -> Reading:
    """The company's churn risk on `today` (its last complete week ends yesterday)."""
    w0, w1 = _week(company_id, today, 0), _week(company_id, today, 1)
    subscription = Subscription.objects.filter(company_id=company_id).first()
    failed = PaymentEvent.objects.filter(company_id=company_id, type__in=FAILED_PAYMENT_TYPES,
                                         received_at__date__gte=today - timedelta(days=FAILED_WINDOW_DAYS)).count()
    signals = {"usage_drop": _drop(w0, w1), "payment": _payment(subscription, failed),
               "handoff_rise": _handoff_rise(w0, w1)}
    score = 1.0
    for name, (value, _) in signals.items():
        score *= 1 - WEIGHTS[name] * value
    reasons = [{"code": name, "value": round(value, 3), "weight": WEIGHTS[name], "text": text}
               for name, (value, text) in signals.items() if value > 0]
    evidence = {"week": w0, "previous_week": w1, "failed_payments_30d": failed,
                "subscription_status": subscription.status if subscription else None, "day": today.isoformat()}
    return Reading(score=round(_clamp(1 - score), 3), reasons=reasons, evidence=evidence)


def _week(company_id: int, today: date, weeks_back: int) -> dict:
    """Messages answered and handoffs over the 7 complete days ending `weeks_back` weeks before yesterday."""
    end = today - timedelta(days=1 + 7 * weeks_back)
    rows = (UsageDaily.objects.filter(company_id=company_id, day__gt=end - timedelta(days=7), day__lte=end,
                                      kind__in=("messages", "handoffs"))
            .values("kind").annotate(total=Sum("quantity")).order_by())
    totals = {row["kind"]: row["total"] or 0 for row in rows}
    return {"from": (end - timedelta(days=6)).isoformat(), "to": end.isoformat(),
            "messages": totals.get("messages", 0), "handoffs": totals.get("handoffs", 0)}


def _drop(w0: dict, w1: dict) -> tuple[float, str]:
    if w1["messages"] < MIN_WEEKLY_MESSAGES:
        return 0.0, ""
    drop = _clamp((w1["messages"] - w0["messages"]) / w1["messages"])
    return drop, (f"Uso em queda: {_int(w0['messages'])} mensagens respondidas na última semana contra "
                  f"{_int(w1['messages'])} na anterior (−{_percent(drop)})")


def _payment(subscription: Subscription | None, failed: int) -> tuple[float, str]:
    late = subscription is not None and subscription.status in (Subscription.Status.PAST_DUE,
                                                                Subscription.Status.SUSPENDED)
    value = 1.0 if late else _clamp(failed / 2)
    if not value:
        return 0.0, ""
    parts = [f"assinatura {subscription.get_status_display().lower()}"] if late else []
    if failed:
        parts.append(f"{failed} pagamento{'s' if failed != 1 else ''} recusado{'s' if failed != 1 else ''} "
                     f"nos últimos {FAILED_WINDOW_DAYS} dias")
    return value, "Pagamento: " + "; ".join(parts)


def _handoff_rise(w0: dict, w1: dict) -> tuple[float, str]:
    if w0["messages"] < MIN_WEEKLY_MESSAGES:
        return 0.0, ""
    r0 = w0["handoffs"] / w0["messages"]
    r1 = w1["handoffs"] / w1["messages"] if w1["messages"] else 0.0
    rise = _clamp((r0 - r1) / max(r1, HANDOFF_FLOOR))
    return rise, (f"Transferências para atendente em alta: {_percent(r0)} das mensagens na última semana "
                  f"contra {_percent(r1)} na anterior")


# --- upgrade --------------------------------------------------------------------------------------

def upgrade_readings(*, company_id: int, today: date, ratio: float) -> dict[str, Reading]:
    """quota kind -> Reading for each quota used at `ratio` or more in two months running."""
    subscription = Subscription.objects.select_related("plan").filter(company_id=company_id).first()
    if subscription is None:
        return {}
    current = today.replace(day=1)
    previous = (current - timedelta(days=1)).replace(day=1)
    periods = [(previous - timedelta(days=1)).replace(day=1), previous, current]
    usage = {period: usage_daily_totals(company_id=company_id, period=period) for period in periods}
    limits = subscription.plan.limits()
    readings = {}
    for kind, label in QUOTAS.items():
        if limits[kind]:
            ratios = [usage[p].get(kind, (0, 0))[0] / limits[kind] for p in periods]
            if reading := _upgrade(kind, label, periods, ratios, limits[kind], subscription.plan.name, ratio):
                readings[kind] = reading
    return readings


def _upgrade(kind: str, label: str, periods: list[date], ratios: list[float], limit: int, plan: str,
             ratio: float) -> Reading | None:
    pairs = [(i, i + 1) for i in (1, 0) if ratios[i] >= ratio and ratios[i + 1] >= ratio]  # newest pair first
    if not pairs:
        return None
    a, b = pairs[0]
    text = (f"{label}: {_percent(ratios[a])} do limite em {period_label(periods[a])} e {_percent(ratios[b])} em "
            f"{period_label(periods[b])} (plano {plan}: {_int(limit)} por mês)")
    shares = [{"period": period_label(p), "ratio": round(r, 3)} for p, r in zip(periods, ratios, strict=True)]
    evidence = {"kind": kind, "limit": limit, "plan": plan, "periods": shares}
    return Reading(score=round(_clamp(min(ratios[a], ratios[b])), 3),
                   reasons=[{"code": f"quota_{kind}", "value": round(min(ratios[a], ratios[b]), 3), "text": text}],
                   evidence=evidence)
