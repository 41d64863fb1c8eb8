"""What an export holds, as plain data: the three renderers (CSV, XLSX, PDF) read only an `ExportData`.

`export_data(*, date_from, date_to)` builds it in the current company's schema from the reports'
selectors (figures per day, the period's KPIs, the funnel) and the recommendations'; the renderers
never query anything, so each is tested on hand-built data and the file's content is decided here.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from agenda.services.config import calendar_config
from analytics.exports import totals
from analytics.recommendations.selectors import recommendation_top
from analytics.reports.figures import FIGURES
from analytics.reports.selectors import report_funnel, report_history, report_summary
from tenants.selectors import company_current

Value = int | float | None  # None: nothing to measure (a rate over zero events), "sem dados"

# Whether a rise of the figure is good news, bad news or neither (colours the change in the PDF).
LOWER_IS_BETTER = frozenset({
    "first_reply_p50_s", "first_reply_p90_s", "handoffs", "handoff_rate", "staff_response_p50_s",
    "cancellations", "no_shows", "no_show_rate", "ai_cost_cents", "cost_per_booking_cents",
})
NEUTRAL = frozenset({
    "messages_out", "reschedules", "ai_tokens", "quota_messages_ratio", "quota_ai_tokens_ratio",
    "quota_outreach_ratio", "bookings_chat", "bookings_panel", "bookings_api", "bookings_calcom",
})
# The PDF's cards, in this order; every figure is in its full table too.
HEADLINE = ("messages_in", "conversations_opened", "bookings", "attendances",
            "no_show_rate", "first_reply_p50_s", "handoff_rate", "nps")
# The recommendations' statuses as the owner reads them.
STATUS_LABELS = {"new": "nova", "accepted": "aceita", "dismissed": "descartada"}
# Dates outside these years are typing mistakes (and keep date arithmetic far from date.min/max).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


@dataclass(frozen=True)
class Column:
    """One figure of the reports' catalogue: key, pt-BR label, kind (count|ratio|seconds|brl_cents|score)."""

    key: str
    label: str
    kind: str


@dataclass(frozen=True)
class Day:
    day: date
    figures: dict[str, Value]


@dataclass(frozen=True)
class Kpi:
    """A figure over the period beside the previous period's.

    `change` is relative for every kind but ratios (0.125 = +12,5 %), and the difference in
    percentage points for ratios (0.02 = +2,0 p.p.); None when there is nothing to compare with.
    """

    key: str
    label: str
    kind: str
    value: Value
    previous: Value
    change: float | None
    approximate: bool = False  # summed or averaged over days (see docs/analytics-exports.md)

    @property
    def in_points(self) -> bool:
        return self.kind == "ratio"

    @property
    def trend(self) -> str:
        """"good", "bad" or "neutral": how the change reads for the company."""
        if not self.change or self.key in NEUTRAL:
            return "neutral"
        rose = self.change > 0
        return "bad" if rose == (self.key in LOWER_IS_BETTER) else "good"


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int
    previous_count: int | None = None  # the step before's count (None on the first step)

    @property
    def conversion(self) -> float | None:
        """Share of the step before that reached this one (None on the first step or after a zero)."""
        if not self.previous_count:
            return None
        return self.count / self.previous_count

    @property
    def drop(self) -> float | None:
        conversion = self.conversion
        return None if conversion is None else max(0.0, 1 - conversion)


@dataclass(frozen=True)
class FunnelSlice:
    """The funnel of one service or one professional."""

    name: str
    steps: tuple[FunnelStep, ...]


@dataclass(frozen=True)
class Recommendation:
    title: str
    evidence: str
    status: str  # pt-BR: nova, aceita, descartada


@dataclass(frozen=True)
class ExportData:
    company_name: str
    company_slug: str
    timezone: str
    date_from: date
    date_to: date
    previous_from: date
    previous_to: date
    generated_at: datetime  # aware, in the company's time zone
    columns: tuple[Column, ...]
    days: tuple[Day, ...]
    kpis: tuple[Kpi, ...]
    funnel: tuple[FunnelStep, ...] = ()
    reminders: tuple[FunnelStep, ...] = ()
    by_service: tuple[FunnelSlice, ...] = ()
    by_professional: tuple[FunnelSlice, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    notes: tuple[str, ...] = field(default=())  # pt-BR footnotes the PDF prints (approximations)

    @property
    def day_count(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def kpi(self, key: str) -> Kpi | None:
        return next((kpi for kpi in self.kpis if kpi.key == key), None)

    def series(self, key: str) -> list[Value]:
        return [day.figures.get(key) for day in self.days]

    @property
    def has_activity(self) -> bool:
        """Whether any count of any day is above zero."""
        counts = [c.key for c in self.columns if c.kind == "count"]
        return any(day.figures.get(key) for day in self.days for key in counts)


def period_check(*, date_from: date, date_to: date) -> None:
    """The rules of an export's period, as a 400 in pt-BR: closed, in order, at most EXPORT_MAX_DAYS."""
    if date_from < FIRST_DAY or date_to > LAST_DAY or date_to < FIRST_DAY or date_from > LAST_DAY:
        raise ValidationError("As datas devem estar entre 01/01/2000 e 31/12/2100.")
    if date_to < date_from:
        raise ValidationError({"to": "A data final deve ser igual ou posterior à inicial."})
    limit = settings.ANALYTICS_EXPORT_MAX_DAYS
    if (date_to - date_from).days + 1 > limit:
        raise ValidationError({"to": f"O período pode ter no máximo {limit} dias (2 anos)."})


def whole_month(*, date_from: date, date_to: date) -> bool:
    return date_from.day == 1 and date_to.month == date_from.month and date_to.year == date_from.year \
        and (date_to + timedelta(days=1)).day == 1


def previous_period(*, date_from: date, date_to: date) -> tuple[date, date]:
    """What the period is compared with: the month before a whole month, else as many days just before."""
    if whole_month(date_from=date_from, date_to=date_to):
        last = date_from - timedelta(days=1)
        return last.replace(day=1), last
    days = (date_to - date_from).days + 1
    return date_from - timedelta(days=days), date_from - timedelta(days=1)


def file_name(data: ExportData, extension: str) -> str:
    """relatorio-acme-2026-11-01-a-2026-11-30.pdf"""
    return f"relatorio-{data.company_slug}-{data.date_from.isoformat()}-a-{data.date_to.isoformat()}.{extension}"


def kpis_from_days(columns: tuple[Column, ...], days: list[Day], previous_days: list[Day]) -> tuple[Kpi, ...]:
    """Every figure over `days` beside the same over `previous_days` (totals.py says how they add up)."""
    return tuple(kpi_of(column, totals.total(column, days), totals.total(column, previous_days),
                        approximate=totals.is_approximate(column) and len(days) > 1)
                 for column in columns)


def kpi_of(column: Column, value: Value, previous: Value, *, approximate: bool = False) -> Kpi:
    return Kpi(key=column.key, label=column.label, kind=column.kind, value=value, previous=previous,
               change=totals.change_of(column.kind, value, previous), approximate=approximate)


def funnel_steps(steps: list[tuple[str, str, int]]) -> tuple[FunnelStep, ...]:
    """(key, label, count) in order -> steps that know the count before them (for the drop)."""
    return tuple(FunnelStep(key=key, label=label, count=count, previous_count=steps[index - 1][2] if index else None)
                 for index, (key, label, count) in enumerate(steps))


# --- built from the reports' and the recommendations' selectors --------------------------------------

APPROXIMATE_NOTE = ("* Período livre (não é um dia, uma semana ou um mês inteiro): contatos somados dia a dia "
                    "e tempos e notas como média dos valores diários.")


def export_data(*, date_from: date, date_to: date) -> ExportData:
    """The current company's report for [date_from, date_to], compared with the period before."""
    period_check(date_from=date_from, date_to=date_to)
    company = company_current()
    zone = calendar_config().timezone
    previous_from, previous_to = previous_period(date_from=date_from, date_to=date_to)
    columns = tuple(Column(key=figure.key, label=figure.label, kind=figure.kind) for figure in FIGURES)
    days = days_of(columns, date_from=date_from, date_to=date_to)
    kpis = _kpis(columns, days, date_from=date_from, date_to=date_to, previous_from=previous_from,
                 previous_to=previous_to)
    funnel = report_funnel(date_from=date_from, date_to=date_to)
    return ExportData(
        company_name=company.name, company_slug=company.slug, timezone=zone,
        date_from=date_from, date_to=date_to, previous_from=previous_from, previous_to=previous_to,
        generated_at=timezone.now().astimezone(ZoneInfo(zone)), columns=columns, days=tuple(days), kpis=kpis,
        funnel=_steps(funnel["steps"]), reminders=_steps(funnel["reminders"]["steps"]),
        by_service=_slices(funnel["by_service"]), by_professional=_slices(funnel["by_professional"]),
        recommendations=tuple(recommendation_of(row) for row in recommendation_top(limit=5)),
        notes=(APPROXIMATE_NOTE,) if any(kpi.approximate for kpi in kpis) else (),
    )


def days_of(columns: tuple[Column, ...], *, date_from: date, date_to: date) -> list[Day]:
    """One Day per calendar day of the period; a day the reports have no row for counts zero."""
    rows = {_as_date(row["start"]): row["figures"]
            for row in report_history(date_from=date_from, date_to=date_to, granularity="day")}
    nothing = {column.key: 0 if column.kind in ("count", "brl_cents") else None for column in columns}
    count = (date_to - date_from).days + 1
    return [Day(day=day, figures={**nothing, **rows.get(day, {})})
            for day in (date_from + timedelta(days=n) for n in range(count))]


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def natural_period(*, date_from: date, date_to: date) -> str | None:
    """"day", "week" (an ISO week, Monday to Sunday) or "month" when the period is one; else None."""
    if date_from == date_to:
        return "day"
    if date_from.weekday() == 0 and date_to == date_from + timedelta(days=6):
        return "week"
    return "month" if whole_month(date_from=date_from, date_to=date_to) else None


def _kpis(columns, days, *, date_from, date_to, previous_from, previous_to) -> tuple[Kpi, ...]:
    """A day, an ISO week or a month: the reports' own summary (exact). Any other range: from its days."""
    period = natural_period(date_from=date_from, date_to=date_to)
    if period is None:
        previous = days_of(columns, date_from=previous_from, date_to=previous_to)
        return kpis_from_days(columns, days, previous)
    summary = report_summary(period=period, day=date_from)
    return tuple(kpi_of(column, summary["figures"].get(column.key), summary["previous"].get(column.key))
                 for column in columns)


def _steps(steps: list[dict]) -> tuple[FunnelStep, ...]:
    return funnel_steps([(step["key"], step["label"], step["count"] or 0) for step in steps])


def _slices(slices: list[dict]) -> tuple[FunnelSlice, ...]:
    return tuple(FunnelSlice(name=piece["name"], steps=_steps(piece["steps"])) for piece in slices)


# The evidence's figures that a person reads (ids and dates are for the actions and the admin).
EVIDENCE_LABELS = {
    "days": "dias", "count": "quantidade", "total": "agendamentos", "no_shows": "faltas", "rate": "taxa",
    "window_days": "janela (dias)", "sla_minutes": "prazo (min)", "oldest_minutes": "espera mais longa (min)",
    "asked_contacts": "clientes que perguntaram", "bookings": "agendamentos", "service": "serviço",
}


def recommendation_of(row) -> Recommendation:
    """A recommendation as the report prints it: its title (numbers included), kind and figures, status."""
    evidence = row.evidence if isinstance(row.evidence, dict) else {}
    figures = [f"{label}: {_evidence_value(key, evidence[key])}" for key, label in EVIDENCE_LABELS.items()
               if evidence.get(key) not in (None, "", [])]
    kind = row.get_kind_display() if hasattr(row, "get_kind_display") else ""
    return Recommendation(title=row.title, evidence=" · ".join([kind, *figures] if kind else figures),
                          status=STATUS_LABELS.get(row.status, row.status))


def _evidence_value(key: str, value) -> str:
    if key == "rate" and isinstance(value, int | float):
        return f"{value * 100:.1f} %".replace(".", ",")
    return str(value)
