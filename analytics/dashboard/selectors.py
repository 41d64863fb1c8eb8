"""What the home pages show, read from where each fact already lives.

Company home (in the company's schema): the conversations waiting for a person, the day's agenda
(agenda/reports.py), the unconfirmed and the week's no-shows, and the last 30 days as the reports
count them (analytics/reports: stored days, recent ones read live) with this month's usage as
billing meters it (billing/metering). Nothing here counts messages or costs a second way.

Platform home (public schema): the companies and their subscriptions, each one's share of its
quotas (billing's live counters, as the subscriptions admin shows them), failed payments and the
churn-risk list (analytics/platform).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, DateTimeField, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tenants.utils import schema_context

from agenda import reports as agenda_reports
from agenda.models import Appointment
from analytics.platform.models import CompanyRecommendation
from analytics.platform.readings import FAILED_PAYMENT_TYPES, FAILED_WINDOW_DAYS
from analytics.platform.selectors import company_recommendation_list
from analytics.reports.parts import figures_from_parts, parts_combine
from analytics.reports.selectors import report_day_parts
from billing.metering.counters import QUOTA_KINDS
from billing.metering.models import UsageKind
from billing.metering.selectors import usage_for_period
from billing.models import Plan, Subscription
from billing.payments.models import PaymentEvent
from billing.selectors import subscription_effective_status
from conversations.models import Conversation, Message
from tenants.models import Company
from tenants.selectors import schemas_existing

REPORT_DAYS = 30
QUOTA_LABELS = dict(UsageKind.choices)
# Column headers of the platform's usage table, in billing's order of the quota kinds.
QUOTA_SHORT = {"messages": "Mensagens", "ai_tokens": "Tokens de IA", "outreach": "Mensagens ativas"}

# --- company home ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    conversation_id: int
    name: str
    phone: str
    reason: str
    since: datetime
    seconds: float


def conversations_waiting(*, now: datetime | None = None, limit: int = 8) -> tuple[int, list[Waiting]]:
    """(how many, the `limit` oldest) conversations waiting for a person, longest wait first.

    A conversation in handoff waits from the handoff until someone of the staff writes in it, and
    again from the customer's first message after the staff's latest one: answering once does not
    make a customer who wrote back disappear from the list.
    """
    now = now or timezone.now()
    rows = _waiting_queryset()
    total = rows.count()
    return total, [Waiting(conversation_id=row.pk, name=row.contact.name, phone=row.contact.phone,
                           reason=row.handoff_reason, since=row.waiting_since,
                           seconds=max((now - row.waiting_since).total_seconds(), 0.0))
                   for row in rows[:limit]]


def _waiting_queryset():
    staff = Message.objects.filter(conversation=OuterRef("pk"), direction=Message.Direction.OUT,
                                   created_at__gte=OuterRef("handoff_at")).exclude(sent_by="")
    last_staff = Subquery(staff.order_by("-created_at").values("created_at")[:1], output_field=DateTimeField())
    customer_after = Message.objects.filter(conversation=OuterRef("pk"), direction=Message.Direction.IN,
                                            created_at__gt=OuterRef("last_staff"))
    first_after = Subquery(customer_after.order_by("created_at").values("created_at")[:1])
    return (Conversation.objects.filter(status=Conversation.Status.HANDOFF, handoff_at__isnull=False)
            .annotate(last_staff=last_staff)
            .annotate(waiting_since=Coalesce(_unanswered(F("handoff_at")), first_after,
                                             output_field=DateTimeField()))
            .filter(waiting_since__isnull=False).select_related("contact").order_by("waiting_since", "pk"))


def _unanswered(handoff_at):
    """The handoff instant while no staff message followed it (NULL otherwise)."""
    return Case(When(last_staff__isnull=True, then=handoff_at), default=None, output_field=DateTimeField())


@dataclass(frozen=True)
class ProfessionalDay:
    name: str
    appointments: list[Appointment]


NO_PROFESSIONAL = "Sem profissional"


def appointments_today_by_professional() -> list[ProfessionalDay]:
    """Today's agenda (the company's day; moves and cancellations off it), one column per professional
    in name order, appointments in time order; those with no professional last."""
    columns: dict[str, list[Appointment]] = {}
    for visit in agenda_reports.agenda_of_day():
        columns.setdefault(visit.professional.name if visit.professional else NO_PROFESSIONAL, []).append(visit)
    names = sorted(columns, key=lambda name: (name == NO_PROFESSIONAL, name.casefold()))
    return [ProfessionalDay(name=name, appointments=columns[name]) for name in names]


def appointments_unconfirmed(*, now: datetime | None = None, limit: int = 8) -> tuple[int, list[Appointment]]:
    """Pending appointments from now to the end of tomorrow (the company's): the ones to call about."""
    now = now or timezone.now()
    _, end = agenda_reports.day_bounds(day=agenda_reports.company_today(), days=2)
    rows = (Appointment.objects.filter(status=Appointment.Status.PENDING, start__gte=now, start__lt=end)
            .select_related("contact", "service", "professional").order_by("start", "pk"))
    return rows.count(), list(rows[:limit])


def no_shows_this_week(*, limit: int = 8) -> tuple[int, list[Appointment]]:
    """Appointments of this ISO week (the company's, Monday on) marked as no-shows, latest first."""
    today = agenda_reports.company_today()
    start, end = agenda_reports.day_bounds(day=today - timedelta(days=today.weekday()), days=7)
    rows = (Appointment.objects.filter(status=Appointment.Status.NO_SHOW, start__gte=start, start__lt=end)
            .select_related("contact", "service", "professional").order_by("-start", "-pk"))
    return rows.count(), list(rows[:limit])


@dataclass(frozen=True)
class Recent:
    """The last REPORT_DAYS days as the reports count them: each day's figures and the period's."""

    days: list[date]
    daily: list[dict]
    period: dict


def report_recent(*, today: date, days: int = REPORT_DAYS) -> Recent:
    first = today - timedelta(days=days - 1)
    parts = report_day_parts(first, today)
    ordered = [first + timedelta(days=n) for n in range(days)]
    return Recent(days=ordered, daily=[figures_from_parts(parts[day]) for day in ordered],
                  period=figures_from_parts(parts_combine([parts[day] for day in ordered])))


@dataclass(frozen=True)
class Quota:
    kind: str
    label: str
    used: int
    limit: int  # 0: unlimited
    ratio: float


@dataclass(frozen=True)
class MonthUsage:
    ai_cost_cents: int
    quotas: list[Quota]


def usage_this_month(*, company_id: int) -> MonthUsage:
    """This month's AI cost and the share of each quota used, from billing's meter."""
    figures = usage_for_period(company_id)
    ai = figures.get("ai_tokens")
    quotas = [Quota(kind=kind, label=QUOTA_LABELS[kind], used=figures[kind].used, limit=figures[kind].limit,
                    ratio=figures[kind].ratio) for kind in QUOTA_KINDS if kind in figures]
    return MonthUsage(ai_cost_cents=int(ai.cost * 100) if ai else 0, quotas=quotas)


# --- platform home --------------------------------------------------------------------------------

Status = Subscription.Status


@dataclass(frozen=True)
class Fleet:
    active: int
    suspended: int
    trialing: int
    past_due: int


@dataclass(frozen=True)
class CompanyUsage:
    company: Company
    domain: str
    plan: str
    status: str  # the subscription's effective status label
    ratios: dict[str, float]  # quota kind -> share used this month (0.0: unlimited)

    @property
    def highest(self) -> float:
        return max(self.ratios.values(), default=0.0)


def platform_subscriptions() -> list[Subscription]:
    return list(Subscription.objects.select_related("company", "plan").filter(company__in=Company.objects.customers())
                .prefetch_related("company__domains"))


def platform_fleet(subscriptions: list[Subscription], *, now: datetime | None = None) -> Fleet:
    """Companies active and suspended (their own status), and subscriptions in trial or past due now."""
    counts = Company.objects.customers().aggregate(active=Count("pk", filter=Q(status=Company.Status.ACTIVE)),
                                                   suspended=Count("pk", filter=Q(status=Company.Status.SUSPENDED)))
    effective = [subscription_effective_status(s, now=now) for s in subscriptions]
    return Fleet(active=counts["active"], suspended=counts["suspended"],
                 trialing=effective.count(Status.TRIALING), past_due=effective.count(Status.PAST_DUE))


def platform_plans() -> list[Plan]:
    """Every plan with how many companies subscribe to it (`companies`), cheapest first."""
    customers = Q(subscriptions__company__in=Company.objects.customers())
    return list(Plan.objects.annotate(companies=Count("subscriptions", filter=customers))
                .order_by("price_cents", "code"))


def platform_usage(subscriptions: list[Subscription], *, now: datetime | None = None) -> list[CompanyUsage]:
    """Each company's share of its monthly quotas, highest first.

    The same reading as the subscriptions admin (billing/admin.py): billing's live counters, read in
    each company's schema (they are rebuilt from its rows if Redis lost them).
    """
    existing = schemas_existing()
    rows = []
    for subscription in subscriptions:
        company = subscription.company
        if company.schema_name not in existing:  # mid-provisioning
            continue
        with schema_context(company.schema_name):
            figures = usage_for_period(company.pk)
        domains = sorted(company.domains.all(), key=lambda d: not d.is_primary)
        rows.append(CompanyUsage(
            company=company, domain=domains[0].domain if domains else "", plan=subscription.plan.name,
            status=Status(subscription_effective_status(subscription, now=now)).label,
            ratios={kind: figures[kind].ratio for kind in QUOTA_KINDS if kind in figures}))
    return sorted(rows, key=lambda row: (-row.highest, row.company.name.casefold()))


def payments_failed(*, now: datetime | None = None, limit: int = 8) -> tuple[int, list[PaymentEvent]]:
    """Payment failures the providers reported in the churn reading's window, newest first."""
    since = (now or timezone.now()) - timedelta(days=FAILED_WINDOW_DAYS)
    rows = (PaymentEvent.objects.filter(type__in=FAILED_PAYMENT_TYPES, received_at__gte=since)
            .select_related("company").order_by("-received_at", "-pk"))
    return rows.count(), list(rows[:limit])


def churn_risks(*, limit: int = 8) -> tuple[int, list[CompanyRecommendation]]:
    """The open churn-risk rows of the daily platform run, highest score first."""
    rows = company_recommendation_list().filter(kind=CompanyRecommendation.Kind.CHURN_RISK)
    return rows.count(), list(rows[:limit])


def plan_choices() -> list[tuple[str, str]]:
    return [(plan.code, f"{plan.name} ({plan.price_display}/mês)")
            for plan in Plan.objects.filter(is_active=True).order_by("price_cents", "code")]

