"""What an export holds, as plain data: the three renderers (CSV, XLSX, PDF) read only an `ExportData`.

`export_data(*, date_from, date_to)` builds it in the current company's schema from the reports (the
figures of each day and of the whole period, the funnel) and the recommendations; the renderers never
query anything, so each is tested on hand-built data, and what a file says is decided here.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from analytics.exports import formats
from analytics.recommendations.selectors import recommendation_top
from analytics.reports.compute import company_timezone
from analytics.reports.figures import FIGURES
from analytics.reports.parts import figures_from_parts, parts_combine
from analytics.reports.selectors import (
    range_check,
    report_day_parts,  # the one reading of a range's days
    report_funnel,
)
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
    "bookings_waitlist", "reminders_sent",
})
# The PDF's cards, in this order; every figure is in its full table too.
HEADLINE = ("messages_in", "conversations_opened", "bookings", "attendances",
            "no_show_rate", "first_reply_p50_s", "handoff_rate", "nps")
# The recommendations' statuses as the owner reads them.
STATUS_LABELS = {"new": "nova", "accepted": "aceita", "dismissed": "descartada", "expired": "expirada"}


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

    @property
    def day_count(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def kpi(self, key: str) -> Kpi | None:
        return next((kpi for kpi in self.kpis if kpi.key == key), None)



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


def funnel_steps(steps: list[tuple[str, str, int]]) -> tuple[FunnelStep, ...]:
    """(key, label, count) in order -> steps that know the count before them (for the drop)."""
    return tuple(FunnelStep(key=key, label=label, count=count, previous_count=steps[index - 1][2] if index else None)
                 for index, (key, label, count) in enumerate(steps))


def change_of(kind: str, value: Value, previous: Value) -> float | None:
    """Relative change (0.125 = +12,5 %); for rates the difference in points; None if nothing compares."""
    if value is None or previous is None:
        return None
    if kind == "ratio":
        return value - previous
    if previous == 0:
        return 0.0 if value == 0 else None
    return (value - previous) / abs(previous)


def kpi_of(column: Column, value: Value, previous: Value) -> Kpi:
    return Kpi(key=column.key, label=column.label, kind=column.kind, value=value, previous=previous,
               change=change_of(column.kind, value, previous))


# --- built from the reports and the recommendations ---------------------------------------------------

def export_data(*, date_from: date, date_to: date) -> ExportData:
    """The current company's report for [date_from, date_to], compared with the period before."""
    range_check(date_from=date_from, date_to=date_to)
    company = company_current()
    zone = company_timezone()
    previous_from, previous_to = previous_period(date_from=date_from, date_to=date_to)
    columns = tuple(Column(key=figure.key, label=figure.label, kind=str(figure.kind)) for figure in FIGURES)
    # Each day's parts as report_summary reads them (stored, or live for the last days): from parts, any
    # range's figures are exact (contacts counted once, medians over the range's own reply times).
    parts = report_day_parts(previous_from, date_to)
    current = [parts[day] for day in _days(date_from, date_to)]
    figures = figures_from_parts(parts_combine(current))
    previous = figures_from_parts(parts_combine([parts[day] for day in _days(previous_from, previous_to)]))
    funnel = report_funnel(date_from=date_from, date_to=date_to)
    return ExportData(
        company_name=company.name, company_slug=company.slug, timezone=zone,
        date_from=date_from, date_to=date_to, previous_from=previous_from, previous_to=previous_to,
        generated_at=timezone.now().astimezone(ZoneInfo(zone)), columns=columns,
        days=tuple(Day(day=day, figures=figures_from_parts(day_of)) for day, day_of
                   in zip(_days(date_from, date_to), current, strict=True)),
        kpis=tuple(kpi_of(column, figures[column.key], previous[column.key]) for column in columns),
        funnel=_steps(funnel["steps"]), reminders=_steps(funnel["reminders"]["steps"]),
        by_service=_slices(funnel["by_service"]), by_professional=_slices(funnel["by_professional"]),
        recommendations=tuple(recommendation_of(row) for row in recommendation_top(limit=RECOMMENDATIONS)),
    )


RECOMMENDATIONS = 5  # the top ones the report prints


def _days(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def _steps(steps: list[dict]) -> tuple[FunnelStep, ...]:
    return funnel_steps([(step["key"], step["label"], step["count"] or 0) for step in steps])


def _slices(slices: list[dict]) -> tuple[FunnelSlice, ...]:
    return tuple(FunnelSlice(name=piece["name"], steps=_steps(piece["steps"])) for piece in slices)


# The evidence's figures a person reads (its ids and dates are for the actions and the admin).
EVIDENCE_LABELS = {
    "days": "dias", "count": "quantidade", "total": "agendamentos", "no_shows": "faltas", "rate": "taxa de faltas",
    "window_days": "janela (dias)", "sla_minutes": "prazo (min)", "oldest_minutes": "espera mais longa (min)",
    "asked_contacts": "clientes que perguntaram",
}


def recommendation_of(row) -> Recommendation:
    """A recommendation as the report prints it: its title (numbers included), kind and figures, status."""
    evidence = row.evidence if isinstance(row.evidence, dict) else {}
    figures = [f"{label}: {_evidence_value(key, evidence[key])}" for key, label in EVIDENCE_LABELS.items()
               if isinstance(evidence.get(key), int | float) and not isinstance(evidence.get(key), bool)]
    return Recommendation(title=row.title, evidence=" · ".join([row.get_kind_display(), *figures]),
                          status=STATUS_LABELS.get(row.status, row.status))


def _evidence_value(key: str, value: float) -> str:
    return formats.percent(value) if key == "rate" else formats.integer(value)
